/**
 * "Rotate secret": a new signing secret, with the old one still accepted for an overlap
 * (every delivery then carries a signature for each), so the receiver can switch without a
 * single failed check. The new secret is shown once, here.
 */
( function ( wp, fcwh ) {
	'use strict';

	const { createElement: el, useState } = wp.element;
	const { __, sprintf } = wp.i18n;
	const { api, ui } = fcwh;

	// Seconds => label. The API takes 0 to 604800; 24 hours is its default.
	const OVERLAPS = [
		[ 0, __( 'No overlap: the old secret stops at once', 'fluentcrm-webhooks' ) ],
		[ 3600, __( '1 hour', 'fluentcrm-webhooks' ) ],
		[ 86400, __( '24 hours', 'fluentcrm-webhooks' ) ],
		[ 259200, __( '3 days', 'fluentcrm-webhooks' ) ],
		[ 604800, __( '7 days', 'fluentcrm-webhooks' ) ],
	];

	function stillValid( iso ) {
		return iso && new Date( iso ).getTime() > Date.now();
	}

	/**
	 * @param {Object}   props
	 * @param {Object}   props.webhook   The webhook (get-one answer).
	 * @param {Function} props.onRotated Called after a rotation.
	 */
	function RotateSecretPanel( props ) {
		const webhook = props.webhook;
		const [ overlap, setOverlap ] = useState( 86400 );
		const [ busy, setBusy ] = useState( false );
		const [ rotated, setRotated ] = useState( null );
		const [ error, setError ] = useState( null );

		const rotate = function () {
			const question = overlap
				? __( 'Make a new signing secret? The current one keeps working for the overlap you chose, then stops.', 'fluentcrm-webhooks' )
				: __( 'Make a new signing secret? The current one stops working at once: receivers still checking it will refuse deliveries.', 'fluentcrm-webhooks' );
			if ( ! window.confirm( question ) ) {
				return;
			}
			setBusy( true );
			setError( null );
			api.rotateSecret( webhook.id, { overlap_seconds: overlap } ).then(
				( answer ) => {
					setBusy( false );
					setRotated( { secret: answer.secret, previous_secret_expires_at: answer.webhook.previous_secret_expires_at } );
					props.onRotated( answer.webhook );
				},
				( failure ) => {
					setBusy( false );
					setError( failure );
				}
			);
		};

		const expires = webhook.previous_secret_expires_at;
		return el(
			'div',
			{ className: 'fcwh-rotate-panel' },
			el( 'h3', null, __( 'Rotate secret', 'fluentcrm-webhooks' ) ),
			el( 'p', { className: 'description', id: 'fcwh-rotate-description' },
				__( 'Makes a new signing secret. During the overlap every delivery is signed with both (the webhook-signature header carries one signature per secret; X-FluentCRM-Signature uses the new one), so update your receiver before the old secret expires.', 'fluentcrm-webhooks' ) ),
			! rotated && stillValid( expires ) && el( 'p', { className: 'fcwh-overlap-now' },
				__( 'The previous secret is still accepted until', 'fluentcrm-webhooks' ), ' ', el( ui.Time, { iso: expires } ), '.' ),
			el( 'p', null,
				el( 'label', { htmlFor: 'fcwh-rotate-overlap' }, __( 'Keep the old secret valid for', 'fluentcrm-webhooks' ) ), ' ',
				el( 'select', {
					id: 'fcwh-rotate-overlap', value: String( overlap ), 'aria-describedby': 'fcwh-rotate-description',
					onChange: ( event ) => setOverlap( parseInt( event.target.value, 10 ) ),
				}, OVERLAPS.map( ( [ seconds, label ] ) => el( 'option', { key: seconds, value: String( seconds ) }, label ) ) ),
				' ',
				el( 'button', { type: 'button', className: 'button fcwh-rotate-button', disabled: busy, onClick: rotate },
					busy ? __( 'Rotating…', 'fluentcrm-webhooks' ) : __( 'Rotate secret', 'fluentcrm-webhooks' ) ) ),
			rotated && el(
				'div',
				{ className: 'notice inline notice-success fcwh-rotated', role: 'status' },
				el( 'p', null, el( 'strong', null, __( 'New secret made. Copy it now: it is shown only this once.', 'fluentcrm-webhooks' ) ) ),
				el( 'p', null,
					el( 'label', { htmlFor: 'fcwh-rotated-secret', className: 'screen-reader-text' }, __( 'New signing secret', 'fluentcrm-webhooks' ) ),
					el( 'input', { id: 'fcwh-rotated-secret', type: 'text', className: 'large-text code', readOnly: true, value: rotated.secret, onFocus: ( event ) => event.target.select() } ) ),
				el( 'p', null, el( ui.CopyButton, { text: rotated.secret, label: __( 'Copy new secret', 'fluentcrm-webhooks' ) } ) ),
				el( 'p', { className: 'fcwh-rotated-overlap' }, stillValid( rotated.previous_secret_expires_at )
					? el( 'span', null, __( 'The old secret keeps working until', 'fluentcrm-webhooks' ), ' ', el( ui.Time, { iso: rotated.previous_secret_expires_at } ), '.' )
					: __( 'The old secret no longer works.', 'fluentcrm-webhooks' ) )
			),
			error && el( ui.Notice, { type: 'error' }, error.message || sprintf( '%s', error ) )
		);
	}

	fcwh.RotateSecretPanel = RotateSecretPanel;
}( window.wp, window.fcwhAdmin ) );
