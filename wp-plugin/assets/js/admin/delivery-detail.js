/**
 * One delivery: the body sent (formatted to read, copied byte for byte), the headers with what
 * each means, every attempt, the next retry; and "Redeliver". Refreshes by itself while pending.
 */
( function ( wp, fcwh, config ) {
	'use strict';

	const { createElement: el, Fragment, useState } = wp.element;
	const { __, sprintf } = wp.i18n;
	const { api, ui, router } = fcwh;

	function Facts( props ) {
		return el(
			'table',
			{ className: 'widefat striped fcwh-facts-table' },
			el( 'tbody', null, props.rows.map( ( [ label, value ] ) => el(
				'tr',
				{ key: label },
				el( 'th', { scope: 'row' }, label ),
				el( 'td', null, value )
			) ) )
		);
	}

	function nextAttempt( delivery ) {
		if ( delivery.status !== 'pending' ) {
			return __( 'None: this delivery is finished.', 'fluentcrm-webhooks' );
		}
		return el( ui.Time, { iso: delivery.next_attempt_at } );
	}

	function Summary( props ) {
		const d = props.delivery;
		return el( Facts, { rows: [
			[ __( 'Status', 'fluentcrm-webhooks' ), el( ui.DeliveryStatusBadge, { status: d.status } ) ],
			[ __( 'Event', 'fluentcrm-webhooks' ), el( Fragment, null, el( 'code', null, d.event ), d.test ? el( Fragment, null, ' ', el( ui.TestMark ),
				' ', el( 'span', { className: 'description' }, __( 'A test send, not a FluentCRM event.', 'fluentcrm-webhooks' ) ) ) : null ) ],
			[ __( 'Contact', 'fluentcrm-webhooks' ), contactOf( d ) ],
			[ __( 'Event ID', 'fluentcrm-webhooks' ), el( 'code', null, d.event_id ) ],
			// In the detail answer `attempts` is the list itself.
			[ __( 'Attempts', 'fluentcrm-webhooks' ), String( Array.isArray( d.attempts ) ? d.attempts.length : d.attempts ) ],
			[ __( 'Response code', 'fluentcrm-webhooks' ), d.response_code ? String( d.response_code ) : '—' ],
			[ __( 'Response time', 'fluentcrm-webhooks' ), ui.formatMilliseconds( d.response_time ) ],
			[ __( 'Error', 'fluentcrm-webhooks' ), d.error || '—' ],
			[ __( 'Created', 'fluentcrm-webhooks' ), el( ui.Time, { iso: d.created_at } ) ],
			[ __( 'Last attempt', 'fluentcrm-webhooks' ), el( ui.Time, { iso: d.attempted_at } ) ],
			[ __( 'Next retry', 'fluentcrm-webhooks' ), nextAttempt( d ) ],
		] } );
	}

	/** Who the delivery is about, as the body names them (the log's contact id when the body has none). */
	function contactOf( delivery ) {
		let data = null;
		try {
			data = JSON.parse( delivery.body || 'null' );
			data = data && data.data;
		} catch ( e ) {
			data = null;
		}
		const contact = ( data && data.contact ) || {};
		const id = delivery.contact_id || contact.id || ( data && data.email && data.email.contact_id );
		const email = contact.email || ( data && data.order && data.order.customer_email );
		if ( ! id && ! email ) {
			return '—';
		}
		const name = [ contact.first_name, contact.last_name ].filter( Boolean ).join( ' ' );
		/* translators: %d: FluentCRM contact id. */
		const label = [ name, email || '', id ? sprintf( __( 'contact #%d', 'fluentcrm-webhooks' ), id ) : '' ].filter( Boolean ).join( ' · ' );
		return id && config.contactUrl ? el( 'a', { className: 'fcwh-contact', href: config.contactUrl + encodeURIComponent( id ) }, label ) : label;
	}

	// What the look-alike headers mean (the receiver gets both families: the seed's and Standard Webhooks').
	const HEADER_MEANINGS = {
		'x-fluentcrm-webhook-id': __( 'The webhook: which of your webhooks sent this (its id).', 'fluentcrm-webhooks' ),
		'x-fluentcrm-delivery': __( 'The delivery: the same on every retry and redelivery, so the receiver can drop duplicates.', 'fluentcrm-webhooks' ),
		'webhook-id': __( 'The delivery (Standard Webhooks name): equals X-FluentCRM-Delivery, not the webhook.', 'fluentcrm-webhooks' ),
		'webhook-timestamp': __( 'When this attempt was signed (Unix seconds).', 'fluentcrm-webhooks' ),
		'webhook-signature': __( 'Standard Webhooks signature(s); one per valid secret while a rotation overlaps.', 'fluentcrm-webhooks' ),
		'x-fluentcrm-signature': __( 'HMAC-SHA256 of the exact body with the current secret.', 'fluentcrm-webhooks' ),
		'x-fluentcrm-event': __( 'The event type.', 'fluentcrm-webhooks' ),
	};

	/** The body indented for reading; the exact bytes stay for the copy button. */
	function formatted( body ) {
		try {
			return JSON.stringify( JSON.parse( body ), null, 2 );
		} catch ( e ) {
			return body;
		}
	}

	/** Header pairs from either an object or a list of `[name, value]` / `{name, value}`. */
	function headerPairs( headers ) {
		if ( Array.isArray( headers ) ) {
			return headers.map( ( item ) => Array.isArray( item ) ? item : [ item.name, item.value ] );
		}
		return Object.keys( headers || {} ).map( ( name ) => [ name, headers[ name ] ] );
	}

	function Headers( props ) {
		const pairs = headerPairs( props.headers );
		if ( ! pairs.length ) {
			return el( 'p', { className: 'description' }, __( 'Not sent yet.', 'fluentcrm-webhooks' ) );
		}
		return el( Facts, { rows: pairs.map( ( [ name, value ] ) => {
			const meaning = HEADER_MEANINGS[ String( name ).toLowerCase() ];
			return [ name, el( Fragment, null,
				el( 'code', { className: 'fcwh-header-value' }, String( value ) ),
				meaning ? el( 'span', { className: 'description fcwh-header-meaning' }, ' ', meaning ) : null,
				String( value ) === '********' ? el( 'span', { className: 'description' }, ' ', __( 'Your custom header: its value is not kept in the log.', 'fluentcrm-webhooks' ) ) : null ) ];
		} ) } );
	}

	function Attempts( props ) {
		const attempts = props.attempts || [];
		if ( ! attempts.length ) {
			return el( 'p', { className: 'description' }, __( 'No attempt yet.', 'fluentcrm-webhooks' ) );
		}
		const headers = [ '#', __( 'Time', 'fluentcrm-webhooks' ), __( 'Response code', 'fluentcrm-webhooks' ), __( 'Response time', 'fluentcrm-webhooks' ), __( 'Error', 'fluentcrm-webhooks' ), __( 'Response body', 'fluentcrm-webhooks' ) ];
		return el(
			'table',
			{ className: 'wp-list-table widefat fixed striped fcwh-attempts' },
			el( 'thead', null, el( 'tr', null, headers.map( ( label ) => el( 'th', { key: label, scope: 'col' }, label ) ) ) ),
			el( 'tbody', null, attempts.map( ( attempt, index ) => el(
				'tr',
				{ key: index, className: 'fcwh-attempt-row' },
				el( 'td', null, String( index + 1 ) ),
				el( 'td', null, el( ui.Time, { iso: attempt.attempted_at } ) ),
				el( 'td', { className: 'fcwh-attempt-code' }, attempt.response_code ? String( attempt.response_code ) : '—' ),
				el( 'td', null, ui.formatMilliseconds( attempt.response_time ) ),
				el( 'td', null, attempt.error || '—' ),
				el( 'td', null, attempt.response_body
					? el( 'pre', { className: 'fcwh-code fcwh-excerpt', tabIndex: 0 }, ui.excerpt( attempt.response_body, 500 ) )
					: '—' )
			) ) )
		);
	}

	function RedeliverButton( props ) {
		const [ busy, setBusy ] = useState( false );
		const [ outcome, setOutcome ] = useState( null );
		const redeliver = function () {
			setBusy( true );
			setOutcome( null );
			api.redeliver( props.webhookId, props.deliveryId ).then(
				() => {
					setBusy( false );
					setOutcome( { type: 'success', message: __( 'Redelivery queued: the same delivery is being sent again now, with a fresh retry schedule.', 'fluentcrm-webhooks' ) } );
					props.onDone();
				},
				( failure ) => {
					setBusy( false );
					setOutcome( { type: 'error', message: failure.message } );
				}
			);
		};
		// Sending again is the next step only for a failure; a success gets a plain button and a caution.
		const failed = props.status === 'failed';
		return el(
			'div',
			{ className: 'fcwh-redeliver' },
			el( 'p', null,
				el( 'button', { type: 'button', className: 'button fcwh-redeliver-button' + ( failed ? ' button-primary' : '' ), disabled: busy, onClick: redeliver },
					busy ? __( 'Redelivering…', 'fluentcrm-webhooks' ) : __( 'Redeliver', 'fluentcrm-webhooks' ) ),
				' ',
				el( 'span', { className: 'description' }, props.status === 'success'
					? __( 'This delivery succeeded. Redeliver only if the receiver lost it: it sends this exact body again, with the same delivery id.', 'fluentcrm-webhooks' )
					: ( props.status === 'pending'
						? __( 'On its way: this page refreshes by itself until it is done.', 'fluentcrm-webhooks' )
						: __( 'Sends this exact body again, with the same delivery id.', 'fluentcrm-webhooks' ) ) ) ),
			outcome && el( ui.Notice, { type: outcome.type }, outcome.message )
		);
	}

	function DeliveryView( props ) {
		const { id, deliveryId } = props.route;
		const loader = ui.useLoader( () => api.getDelivery( id, deliveryId ), [ id, deliveryId ] );
		const delivery = loader.data;
		ui.usePolling( !! ( delivery && delivery.status === 'pending' ), loader.reload, 3000 );
		return el(
			Fragment,
			null,
			el( ui.ViewHeading, {
				/* translators: %d: delivery id. */
				title: sprintf( __( 'Delivery #%d', 'fluentcrm-webhooks' ), deliveryId ),
				takeFocus: props.takeFocus,
			}, el( 'button', { type: 'button', className: 'page-title-action fcwh-refresh', onClick: loader.reload }, __( 'Refresh', 'fluentcrm-webhooks' ) ) ),
			el( 'p', null, el( 'a', { href: router.href.deliveries( id ) }, __( '← Delivery log', 'fluentcrm-webhooks' ) ) ),
			loader.error && el( ui.LoadError, { error: loader.error, onRetry: loader.reload } ),
			! delivery && loader.loading && el( ui.Spinner ),
			delivery && el(
				Fragment,
				null,
				el( RedeliverButton, { webhookId: id, deliveryId: deliveryId, status: delivery.status, onDone: loader.reload } ),
				el( Summary, { delivery: delivery } ),
				el( 'h3', { id: 'fcwh-body-heading' }, __( 'Body sent', 'fluentcrm-webhooks' ) ),
				el( 'p', { className: 'description' }, __( 'Indented here to read; the copy button copies the exact bytes sent (and signed), on one line.', 'fluentcrm-webhooks' ) ),
				el( 'pre', { className: 'fcwh-code fcwh-body', tabIndex: 0, 'aria-labelledby': 'fcwh-body-heading' }, formatted( delivery.body || '' ) ),
				el( 'p', null, el( ui.CopyButton, { text: delivery.body || '', label: __( 'Copy exact body', 'fluentcrm-webhooks' ) } ) ),
				el( 'h3', null, __( 'Headers of the latest attempt', 'fluentcrm-webhooks' ) ),
				el( Headers, { headers: delivery.headers } ),
				el( 'h3', null, __( 'Attempts', 'fluentcrm-webhooks' ) ),
				el( Attempts, { attempts: delivery.attempts } )
			)
		);
	}

	fcwh.views = fcwh.views || {};
	fcwh.views.delivery = DeliveryView;
}( window.wp, window.fcwhAdmin, window.fcwhAdminConfig ) );
