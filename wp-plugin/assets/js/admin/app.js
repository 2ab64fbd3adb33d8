/**
 * Mounts the outgoing-webhooks screen and switches views as the URL hash changes.
 */
( function ( wp, fcwh ) {
	'use strict';

	const { createElement: el, useState, useEffect } = wp.element;
	const { router } = fcwh;

	let visits = 0;

	function currentRoute( takeFocus ) {
		visits += 1;
		return { route: router.parse( window.location.hash ), carried: router.takeCarried(), takeFocus: takeFocus, visit: visits };
	}

	function App() {
		// The first view is the page WordPress just loaded: focus stays where the browser put it.
		const [ state, setState ] = useState( () => currentRoute( false ) );
		useEffect( function () {
			const onChange = () => setState( currentRoute( true ) );
			window.addEventListener( 'hashchange', onChange );
			return () => window.removeEventListener( 'hashchange', onChange );
		}, [] );

		const View = fcwh.views[ state.route.view ] || fcwh.views.list;
		const carried = state.carried || {};
		// A key per visit: every navigation starts the view afresh (and reloads its data).
		return el( View, {
			key: state.visit,
			route: state.route,
			carried: carried,
			flash: carried.flash || null,
			takeFocus: state.takeFocus,
		} );
	}

	function mount() {
		const root = document.getElementById( 'fcwh-app' );
		if ( ! root ) {
			return;
		}
		if ( wp.element.createRoot ) {
			wp.element.createRoot( root ).render( el( App ) );
		} else {
			wp.element.render( el( App ), root );
		}
	}

	if ( document.readyState === 'loading' ) {
		document.addEventListener( 'DOMContentLoaded', mount );
	} else {
		mount();
	}
}( window.wp, window.fcwhAdmin ) );
