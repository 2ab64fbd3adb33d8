/**
 * The Redeliver buttons of the "Webhook deliveries" section in FluentCRM's contact profile
 * (includes/admin/contact-profile.php). FluentCRM inserts the section's HTML with v-html, where no
 * script runs, and re-renders it whenever the tab is opened: so this listens on the document.
 *
 * Redeliver calls the plugin's REST proxy, as the webhooks screen does; the row then shows the
 * delivery's new status, or the API's error message (e.g. 409 delivery_erased).
 */
( function () {
	'use strict';

	const config = window.fcwhContactProfile || {};
	const i18n = config.i18n || {};
	const statuses = config.statuses || {};

	function format( template, value ) {
		return String( template || '' ).replace( '%d', String( value ) );
	}

	function showStatus( row, status ) {
		const badge = row.querySelector( '[data-fcwh-status]' );
		if ( ! badge || ! status ) {
			return;
		}
		badge.setAttribute( 'data-fcwh-status', status );
		badge.className = 'fcwh-profile-status fcwh-profile-status-' + status.replace( /[^A-Za-z0-9_-]/g, '' );
		badge.textContent = statuses[ status ] || status;
		const code = row.querySelector( '.fcwh-profile-code' );
		if ( code ) {
			code.remove();
		}
	}

	function say( row, text, isError ) {
		const message = row.querySelector( '.fcwh-profile-row-message' );
		if ( message ) {
			message.textContent = text;
			message.classList.toggle( 'fcwh-profile-row-error', Boolean( isError ) );
		}
	}

	function redeliver( button ) {
		const row = button.closest( 'tr' );
		const url = config.restUrl + '/' + encodeURIComponent( button.getAttribute( 'data-webhook-id' ) ) +
			'/deliveries/' + encodeURIComponent( button.getAttribute( 'data-delivery-id' ) ) + '/redeliver';
		button.disabled = true;
		button.setAttribute( 'aria-busy', 'true' );
		say( row, i18n.sending, false );

		window.fetch( url, {
			method: 'POST',
			credentials: 'same-origin',
			headers: { 'X-WP-Nonce': config.nonce || '', Accept: 'application/json' },
		} )
			.then( ( response ) => response.json().catch( () => null ).then( ( body ) => ( { response, body } ) ) )
			.then( ( { response, body } ) => {
				if ( response.ok ) {
					showStatus( row, body && body.delivery ? body.delivery.status : 'pending' );
					say( row, i18n.queued, false );
				} else {
					say( row, ( body && body.message ) || format( i18n.failed, response.status ), true );
				}
			} )
			.catch( () => say( row, i18n.unreachable, true ) )
			.finally( () => {
				button.disabled = false;
				button.removeAttribute( 'aria-busy' );
			} );
	}

	document.addEventListener( 'click', ( event ) => {
		const button = event.target && event.target.closest ? event.target.closest( '[data-fcwh-redeliver]' ) : null;
		if ( ! button || button.disabled ) {
			return;
		}
		event.preventDefault();
		redeliver( button );
	} );
}() );
