/**
 * The screen's views live behind the URL hash (`#/webhooks/3/deliveries?status=failed`), so the
 * browser's back button, bookmarks and "open in new tab" work without reloading WordPress.
 */
( function () {
	'use strict';

	function withQuery( path, params ) {
		const query = new URLSearchParams();
		Object.keys( params || {} ).forEach( function ( key ) {
			const value = params[ key ];
			if ( value !== undefined && value !== null && value !== '' && ! ( key === 'page' && Number( value ) === 1 ) ) {
				query.set( key, String( value ) );
			}
		} );
		const text = query.toString();
		return text ? path + '?' + text : path;
	}

	const href = {
		list: () => '#/',
		create: () => '#/new',
		created: ( id ) => '#/webhooks/' + id + '/created',
		edit: ( id ) => '#/webhooks/' + id + '/edit',
		deliveries: ( id, filters ) => withQuery( '#/webhooks/' + id + '/deliveries', filters ),
		delivery: ( id, deliveryId ) => '#/webhooks/' + id + '/deliveries/' + deliveryId,
	};

	const patterns = [
		[ /^\/?$/, () => ( { view: 'list' } ) ],
		[ /^\/new$/, () => ( { view: 'create' } ) ],
		[ /^\/webhooks\/(\d+)\/created$/, ( m ) => ( { view: 'created', id: Number( m[ 1 ] ) } ) ],
		[ /^\/webhooks\/(\d+)\/edit$/, ( m ) => ( { view: 'edit', id: Number( m[ 1 ] ) } ) ],
		[ /^\/webhooks\/(\d+)\/deliveries$/, ( m ) => ( { view: 'deliveries', id: Number( m[ 1 ] ) } ) ],
		[ /^\/webhooks\/(\d+)\/deliveries\/(\d+)$/, ( m ) => ( { view: 'delivery', id: Number( m[ 1 ] ), deliveryId: Number( m[ 2 ] ) } ) ],
	];

	/** The route named by a location hash; unknown hashes show the list. */
	function parse( hash ) {
		const raw = ( hash || '' ).replace( /^#/, '' );
		const [ path, queryText ] = raw.split( '?' );
		const query = Object.fromEntries( new URLSearchParams( queryText || '' ) );
		for ( const [ pattern, build ] of patterns ) {
			const match = pattern.exec( path );
			if ( match ) {
				return Object.assign( build( match ), { query: query } );
			}
		}
		return { view: 'list', query: query };
	}

	// A message for the next view (e.g. "Webhook deleted.") and data too secret for the URL
	// (the secret shown once after creation); both live only until the next navigation.
	let carried = null;

	function navigate( hash, carry ) {
		carried = carry || null;
		if ( window.location.hash === hash ) {
			window.dispatchEvent( new HashChangeEvent( 'hashchange' ) );
		} else {
			window.location.hash = hash;
		}
	}

	function takeCarried() {
		const value = carried;
		carried = null;
		return value;
	}

	window.fcwhAdmin = window.fcwhAdmin || {};
	window.fcwhAdmin.router = { href: href, parse: parse, navigate: navigate, takeCarried: takeCarried };
}() );
