/**
 * What a `failed` webhook shows: why it was turned off, and one button that turns it back on,
 * which makes the sidecar send every event it held meanwhile.
 */
( function ( wp, fcwh ) {
	'use strict';

	const { createElement: el, useState } = wp.element;
	const { __, _n, sprintf } = wp.i18n;
	const { api, ui } = fcwh;

	/** The last failed delivery, read only to say what went wrong (its error text). */
	function useLastFailure( webhookId ) {
		return ui.useLoader(
			() => api.listDeliveries( webhookId, { status: 'failed', perPage: 1, page: 1 } )
				.then( ( answer ) => answer.deliveries[ 0 ] || null ),
			[ webhookId ]
		);
	}

	function describeFailure( delivery ) {
		if ( ! delivery ) {
			return '';
		}
		if ( delivery.response_code ) {
			/* translators: %d: an HTTP status code. */
			return sprintf( __( 'The receiver last answered HTTP %d.', 'fluentcrm-webhooks' ), delivery.response_code );
		}
		if ( delivery.error ) {
			/* translators: %s: why the last attempt got no answer, e.g. "Connection refused". */
			return sprintf( __( 'Last error: %s', 'fluentcrm-webhooks' ), delivery.error );
		}
		return '';
	}

	function ReactivateButton( props ) {
		const held = props.webhook.held_deliveries || 0;
		const label = held > 0
			/* translators: %d: number of events held while the webhook was off. */
			? sprintf( _n( 'Re-activate and send the %d held event', 'Re-activate and send the %d held events', held, 'fluentcrm-webhooks' ), held )
			: __( 'Re-activate', 'fluentcrm-webhooks' );
		return el( 'button', {
			type: 'button',
			className: 'button button-primary fcwh-reactivate',
			disabled: props.busy,
			onClick: props.onClick,
		}, label );
	}

	/**
	 * @param {Object}   props
	 * @param {Object}   props.webhook     A webhook whose status is `failed`.
	 * @param {Function} props.onChanged   Called with the updated webhook after re-activation.
	 */
	function FailedWebhookNotice( props ) {
		const webhook = props.webhook;
		const lastFailure = useLastFailure( webhook.id );
		const [ busy, setBusy ] = useState( false );
		const [ error, setError ] = useState( null );

		const reactivate = function () {
			setBusy( true );
			setError( null );
			api.updateWebhook( webhook.id, { status: 'active' } ).then(
				( updated ) => props.onChanged( updated ),
				( failure ) => {
					setBusy( false );
					setError( failure );
				}
			);
		};

		const failures = webhook.consecutive_failures || 0;
		const why = sprintf(
			/* translators: 1: webhook name, 2: number of deliveries that failed in a row. */
			_n(
				'“%1$s” was turned off because %2$d delivery in a row failed after all its retries. Its new events are kept, not sent.',
				'“%1$s” was turned off because %2$d deliveries in a row failed after all their retries. Its new events are kept, not sent.',
				failures,
				'fluentcrm-webhooks'
			),
			webhook.name,
			failures
		);
		const detail = lastFailure.data ? describeFailure( lastFailure.data ) : '';

		return el(
			'div',
			{ className: 'notice notice-error inline fcwh-failed-notice', role: 'alert' },
			el( 'p', null, why, detail ? ' ' + detail : '' ),
			lastFailure.data && el(
				'p',
				null,
				el( 'a', { href: fcwh.router.href.delivery( webhook.id, lastFailure.data.id ) }, __( 'See the last failed delivery', 'fluentcrm-webhooks' ) )
			),
			el( 'p', null, el( ReactivateButton, { webhook: webhook, busy: busy, onClick: reactivate } ) ),
			error && el( 'p', { className: 'fcwh-error-text' }, error.message )
		);
	}

	fcwh.FailedWebhookNotice = FailedWebhookNotice;
}( window.wp, window.fcwhAdmin ) );
