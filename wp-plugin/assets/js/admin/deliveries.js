/**
 * A webhook's delivery log: newest first, filtered by status, paged; and "recover", which sends
 * again every failed delivery since a chosen time.
 */
( function ( wp, fcwh ) {
	'use strict';

	const { createElement: el, Fragment, useState } = wp.element;
	const { __, _n, sprintf } = wp.i18n;
	const { api, ui, router } = fcwh;
	const PER_PAGE = 20;
	const FILTERS = [ '', 'success', 'failed', 'pending' ];

	function StatusFilter( props ) {
		const label = ( status ) => status ? ui.DELIVERY_STATUS_LABELS[ status ] : __( 'All', 'fluentcrm-webhooks' );
		return el(
			'ul',
			{ className: 'subsubsub fcwh-status-filter', 'aria-label': __( 'Filter deliveries by status', 'fluentcrm-webhooks' ) },
			FILTERS.map( ( status, index ) => el(
				'li',
				{ key: status || 'all' },
				el( 'a', {
					href: router.href.deliveries( props.webhookId, { status: status } ),
					className: status === props.current ? 'current' : '',
					'aria-current': status === props.current ? 'page' : undefined,
					'data-status': status || 'all',
				}, label( status ) ),
				index < FILTERS.length - 1 ? ' |' : ''
			) )
		);
	}

	function DeliveryTable( props ) {
		const headers = [
			__( 'Delivery', 'fluentcrm-webhooks' ),
			__( 'Event', 'fluentcrm-webhooks' ),
			__( 'Status', 'fluentcrm-webhooks' ),
			__( 'Attempts', 'fluentcrm-webhooks' ),
			__( 'Response', 'fluentcrm-webhooks' ),
			__( 'Last attempt', 'fluentcrm-webhooks' ),
			__( 'Next attempt', 'fluentcrm-webhooks' ),
		];
		return el(
			'table',
			{ className: 'wp-list-table widefat fixed striped table-view-list fcwh-deliveries' },
			el( 'caption', { className: 'screen-reader-text' }, __( 'Deliveries, newest first', 'fluentcrm-webhooks' ) ),
			el( 'thead', null, el( 'tr', null, headers.map( ( label, index ) =>
				el( 'th', { key: label, scope: 'col', className: 'manage-column' + ( index ? '' : ' column-primary' ) }, label ) ) ) ),
			el( 'tbody', null, props.deliveries.map( ( delivery ) => el(
				'tr',
				{ key: delivery.id, className: 'fcwh-delivery-row', 'data-delivery-id': delivery.id },
				el( 'td', { className: 'column-primary' },
					el( 'a', { className: 'row-title', href: router.href.delivery( props.webhookId, delivery.id ) },
						/* translators: %d: delivery id. */
						sprintf( __( '#%d', 'fluentcrm-webhooks' ), delivery.id ) ) ),
				el( 'td', null, el( 'code', null, delivery.event ) ),
				el( 'td', null, el( ui.DeliveryStatusBadge, { status: delivery.status } ) ),
				el( 'td', null, String( delivery.attempts ) ),
				el( 'td', null,
					delivery.response_code ? String( delivery.response_code ) + ' · ' + ui.formatMilliseconds( delivery.response_time ) : '—',
					delivery.error ? el( 'div', { className: 'fcwh-error-text' }, ui.excerpt( delivery.error, 120 ) ) : null ),
				el( 'td', null, el( ui.Time, { iso: delivery.attempted_at } ) ),
				el( 'td', null, delivery.status === 'pending' ? el( ui.Time, { iso: delivery.next_attempt_at } ) : '—' )
			) ) )
		);
	}

	/** The value for a datetime-local input, in the reader's time zone. */
	function localInputValue( date ) {
		const pad = ( n ) => String( n ).padStart( 2, '0' );
		return date.getFullYear() + '-' + pad( date.getMonth() + 1 ) + '-' + pad( date.getDate() ) +
			'T' + pad( date.getHours() ) + ':' + pad( date.getMinutes() );
	}

	function recoveredMessage( count, webhookStatus ) {
		if ( ! count ) {
			return __( 'No failed delivery since then: nothing to recover.', 'fluentcrm-webhooks' );
		}
		if ( webhookStatus && webhookStatus !== 'active' ) {
			// The sidecar holds pending deliveries of a webhook that is off.
			/* translators: %d: number of failed deliveries queued again. */
			return sprintf( _n( '%d failed delivery is queued again; it is sent once the webhook is active.', '%d failed deliveries are queued again; they are sent once the webhook is active.', count, 'fluentcrm-webhooks' ), count );
		}
		/* translators: %d: number of failed deliveries sent again. */
		return sprintf( _n( '%d failed delivery is being sent again.', '%d failed deliveries are being sent again.', count, 'fluentcrm-webhooks' ), count );
	}

	function RecoverForm( props ) {
		const [ since, setSince ] = useState( () => localInputValue( new Date( Date.now() - 24 * 3600 * 1000 ) ) );
		const [ busy, setBusy ] = useState( false );
		const [ outcome, setOutcome ] = useState( null );

		const submit = function ( event ) {
			event.preventDefault();
			const moment = new Date( since );
			if ( ! since || isNaN( moment.getTime() ) ) {
				setOutcome( { type: 'error', message: __( 'Choose a date and time.', 'fluentcrm-webhooks' ) } );
				return;
			}
			setBusy( true );
			api.recover( props.webhookId, moment.toISOString() ).then(
				( count ) => {
					setBusy( false );
					setOutcome( { type: 'success', message: recoveredMessage( count, props.webhookStatus ) } );
					props.onRecovered();
				},
				( failure ) => {
					setBusy( false );
					setOutcome( { type: 'error', message: failure.message } );
				}
			);
		};

		return el(
			'form',
			{ className: 'fcwh-recover', onSubmit: submit },
			el( 'h3', null, __( 'Recover failed deliveries', 'fluentcrm-webhooks' ) ),
			el( 'p', { className: 'description', id: 'fcwh-recover-description' },
				__( 'After fixing the receiver, send again every delivery of this webhook that failed since a moment you choose (your time zone). Each keeps its id, so receivers can drop duplicates.', 'fluentcrm-webhooks' ) ),
			el( 'p', null,
				el( 'label', { htmlFor: 'fcwh-recover-since' }, __( 'Failed since', 'fluentcrm-webhooks' ) ),
				' ',
				el( 'input', { id: 'fcwh-recover-since', type: 'datetime-local', value: since, onChange: ( e ) => setSince( e.target.value ), 'aria-describedby': 'fcwh-recover-description' } ),
				' ',
				el( 'button', { type: 'submit', className: 'button', disabled: busy },
					busy ? __( 'Recovering…', 'fluentcrm-webhooks' ) : __( 'Recover', 'fluentcrm-webhooks' ) ) ),
			outcome && el( ui.Notice, { type: outcome.type }, outcome.message )
		);
	}

	function DeliveriesView( props ) {
		const id = props.route.id;
		const status = FILTERS.includes( props.route.query.status ) ? props.route.query.status : '';
		const page = Math.max( 1, parseInt( props.route.query.page, 10 ) || 1 );
		const webhook = ui.useLoader( () => api.getWebhook( id ), [ id ] );
		const log = ui.useLoader( () => api.listDeliveries( id, { status: status, page: page, perPage: PER_PAGE } ), [ id, status, page ] );
		const pagination = log.data && log.data.pagination;
		const reloadAll = function () {
			webhook.reload();
			log.reload();
		};

		const title = webhook.data
			/* translators: %s: webhook name. */
			? sprintf( __( 'Deliveries: %s', 'fluentcrm-webhooks' ), webhook.data.name )
			: __( 'Deliveries', 'fluentcrm-webhooks' );

		return el(
			Fragment,
			null,
			el( ui.ViewHeading, { title: title, takeFocus: props.takeFocus },
				el( 'button', { type: 'button', className: 'page-title-action fcwh-refresh', onClick: reloadAll }, __( 'Refresh', 'fluentcrm-webhooks' ) ) ),
			el( 'p', null,
				el( 'a', { href: router.href.list() }, __( '← All webhooks', 'fluentcrm-webhooks' ) ),
				' · ',
				el( 'a', { href: router.href.edit( id ) }, __( 'Edit webhook', 'fluentcrm-webhooks' ) ) ),
			webhook.error && el( ui.LoadError, { error: webhook.error, onRetry: webhook.reload } ),
			webhook.data && webhook.data.status === 'failed' && el( fcwh.FailedWebhookNotice, { webhook: webhook.data, onChanged: reloadAll } ),
			el( StatusFilter, { webhookId: id, current: status } ),
			el( 'div', { className: 'tablenav top' },
				pagination && el( ui.Pagination, {
					page: pagination.current_page,
					lastPage: pagination.last_page,
					total: pagination.total,
					hrefFor: ( target ) => router.href.deliveries( id, { status: status, page: target } ),
				} ),
				el( 'br', { className: 'clear' } ) ),
			log.error && el( ui.LoadError, { error: log.error, onRetry: log.reload } ),
			! log.data && log.loading && el( ui.Spinner ),
			log.data && ( log.data.deliveries.length
				? el( DeliveryTable, { webhookId: id, deliveries: log.data.deliveries } )
				: el( 'p', { className: 'fcwh-empty' }, status
					? __( 'No delivery with this status.', 'fluentcrm-webhooks' )
					: __( 'No deliveries yet. They appear here as soon as a subscribed event happens, or after “Send test”.', 'fluentcrm-webhooks' ) ) ),
			el( RecoverForm, { webhookId: id, webhookStatus: webhook.data && webhook.data.status, onRecovered: reloadAll } )
		);
	}

	fcwh.views = fcwh.views || {};
	fcwh.views.deliveries = DeliveriesView;
}( window.wp, window.fcwhAdmin ) );
