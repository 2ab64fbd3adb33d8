/**
 * The settings tab's live connection check: asks WordPress to reach the sidecar (health and
 * token) and shows the answer, with the outbox figures, without reloading the page.
 */
( function ( wp, config ) {
	'use strict';

	const { __, _n, sprintf } = wp.i18n;

	function formatTime( iso ) {
		return iso ? new Date( iso ).toLocaleString() : __( 'never', 'fluentcrm-webhooks' );
	}

	function addFact( list, label, value ) {
		const term = document.createElement( 'dt' );
		term.textContent = label;
		const detail = document.createElement( 'dd' );
		detail.textContent = value;
		list.append( term, detail );
	}

	function showResult( box, answer ) {
		box.className = 'notice inline fcwh-connection ' + ( answer.ok ? 'notice-success' : 'notice-error' );
		box.replaceChildren();
		const message = document.createElement( 'p' );
		message.className = 'fcwh-connection-message';
		message.textContent = answer.message;
		box.append( message );
		const facts = document.createElement( 'dl' );
		facts.className = 'fcwh-facts';
		if ( answer.version ) {
			addFact( facts, __( 'Sidecar version', 'fluentcrm-webhooks' ), answer.version );
		}
		if ( answer.database ) {
			addFact( facts, __( 'Sidecar database', 'fluentcrm-webhooks' ), answer.database );
		}
		box.append( facts );
		showOutbox( answer.outbox );
	}

	function showOutbox( outbox ) {
		if ( ! outbox ) {
			return;
		}
		const count = document.getElementById( 'fcwh-outbox-count' );
		const oldest = document.getElementById( 'fcwh-outbox-oldest' );
		const flushed = document.getElementById( 'fcwh-outbox-last-flush' );
		if ( count ) {
			/* translators: %d: number of events waiting in the outbox. */
			count.textContent = sprintf( _n( '%d event waiting', '%d events waiting', outbox.count, 'fluentcrm-webhooks' ), outbox.count );
		}
		if ( oldest ) {
			oldest.textContent = formatTime( outbox.oldest );
		}
		if ( flushed ) {
			flushed.textContent = formatTime( outbox.last_flush );
		}
	}

	function check( button, box ) {
		button.disabled = true;
		box.className = 'fcwh-connection';
		box.textContent = __( 'Checking the connection…', 'fluentcrm-webhooks' );
		wp.apiFetch( { path: config.connectionPath } ).then(
			( answer ) => showResult( box, answer ),
			( error ) => showResult( box, { ok: false, message: error.message || __( 'The check itself failed.', 'fluentcrm-webhooks' ) } )
		).finally( () => {
			button.disabled = false;
		} );
	}

	function init() {
		const button = document.getElementById( 'fcwh-check-connection' );
		const box = document.getElementById( 'fcwh-connection-result' );
		if ( ! button || ! box ) {
			return;
		}
		button.addEventListener( 'click', () => check( button, box ) );
		check( button, box );
	}

	if ( document.readyState === 'loading' ) {
		document.addEventListener( 'DOMContentLoaded', init );
	} else {
		init();
	}
}( window.wp, window.fcwhAdminConfig ) );
