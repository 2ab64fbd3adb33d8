/**
 * A webhook's delivery log: newest first, filtered by status and by test sends, paged, with the
 * chosen range's chart; it refreshes by itself while a delivery is on its way. And "recover",
 * which sends again every failed delivery since a chosen time.
 */
( function ( wp, fcwh, config ) {
	'use strict';

	const { createElement: el, Fragment, useState, useMemo } = wp.element;
	const { __, _n, sprintf } = wp.i18n;
	const { api, ui, router } = fcwh;
	const PER_PAGE = 20;
	const FILTERS = [ '', 'success', 'failed', 'pending' ];
	const TEST_FILTERS = [
		[ '', __( 'Events and test sends', 'fluentcrm-webhooks' ) ],
		[ 'exclude', __( 'Events only (hide test sends)', 'fluentcrm-webhooks' ) ],
		[ 'only', __( 'Test sends only', 'fluentcrm-webhooks' ) ],
	];

	/** The log's filters from the route, each to a known value. */
	function filtersFrom( query ) {
		return {
			status: FILTERS.includes( query.status ) ? query.status : '',
			test: [ 'only', 'exclude' ].includes( query.test ) ? query.test : '',
			range: fcwh.charts.RANGES[ query.range ] ? query.range : '',
			page: Math.max( 1, parseInt( query.page, 10 ) || 1 ),
		};
	}

	/** A link target with some filters changed (and back to page 1 unless the page is what changed). */
	function withFilters( webhookId, filters, changes ) {
		return router.href.deliveries( webhookId, Object.assign( {}, filters, { page: 1 }, changes ) );
	}

	/**
	 * The contact a delivery is about, named ("Ada Lovelace <ada@example.com>") when FluentCRM
	 * still has it, linked to FluentCRM's profile; its id alone otherwise.
	 */
	function Contact( props ) {
		const id = props.delivery.contact_id;
		if ( ! id ) {
			return el( 'span', { 'aria-label': __( 'none', 'fluentcrm-webhooks' ) }, '—' );
		}
		const known = props.names && props.names[ id ];
		/* translators: %d: FluentCRM contact id. */
		const fallback = sprintf( __( 'Contact #%d', 'fluentcrm-webhooks' ), id );
		const name = known ? ( known.name || known.email || fallback ) : fallback;
		const link = config.contactUrl
			? el( 'a', { className: 'fcwh-contact', href: config.contactUrl + encodeURIComponent( id ), 'data-contact-id': id }, name )
			: el( 'span', { className: 'fcwh-contact', 'data-contact-id': id }, name );
		return el( Fragment, null, link,
			known && known.name && known.email ? el( 'div', { className: 'fcwh-contact-email' }, known.email ) : null );
	}

	/** The contact ids of a page of the log, each once. */
	function contactIds( deliveries ) {
		return deliveries.map( ( d ) => d.contact_id ).filter( ( id, index, all ) => id && all.indexOf( id ) === index );
	}

	function TestFilter( props ) {
		return el( 'p', { className: 'fcwh-test-filter' },
			el( 'label', { htmlFor: 'fcwh-test-filter' }, __( 'Show', 'fluentcrm-webhooks' ) ), ' ',
			el( 'select', {
				id: 'fcwh-test-filter', value: props.filters.test,
				onChange: ( event ) => router.navigate( withFilters( props.webhookId, props.filters, { test: event.target.value } ) ),
			}, TEST_FILTERS.map( ( [ value, label ] ) => el( 'option', { key: value || 'all', value: value }, label ) ) ) );
	}

	/** The chart over the chosen range, and the range picker. */
	function RangeHealth( props ) {
		const key = props.filters.range || '24h';
		const query = useMemo( () => fcwh.charts.rangeQuery( key ), [ key ] );
		const stats = fcwh.charts.useStats( props.webhookId, query );
		const range = fcwh.charts.RANGES[ key ];
		return el(
			'div',
			{ className: 'fcwh-range-health' },
			el( 'p', null,
				el( 'label', { htmlFor: 'fcwh-range' }, __( 'Deliveries over', 'fluentcrm-webhooks' ) ), ' ',
				el( 'select', {
					id: 'fcwh-range', value: key,
					onChange: ( event ) => router.navigate( withFilters( props.webhookId, props.filters, { range: event.target.value === '24h' ? '' : event.target.value } ) ),
				}, Object.keys( fcwh.charts.RANGES ).map( ( k ) => el( 'option', { key: k, value: k }, fcwh.charts.RANGES[ k ].label ) ) ),
				' ',
				stats.data && el( 'span', { className: 'fcwh-rate', 'data-rate': String( stats.data.totals.success_rate ) },
					fcwh.charts.rateText( stats.data.totals ), ' · ', fcwh.charts.summary( stats.data ) ) ),
			stats.error && el( ui.LoadError, { error: stats.error, onRetry: stats.reload } ),
			stats.data && el( fcwh.charts.DeliveryChart, {
				stats: stats.data, height: 80, stretch: true,
				label: range.label + ( range.bucket === 'hour' ? ' ' + __( '(per hour)', 'fluentcrm-webhooks' ) : ' ' + __( '(per day)', 'fluentcrm-webhooks' ) ),
			} ),
			el( 'p', { className: 'description fcwh-chart-legend' },
				el( 'span', { className: 'fcwh-key fcwh-key--success' } ), ' ', __( 'succeeded', 'fluentcrm-webhooks' ), '  ',
				el( 'span', { className: 'fcwh-key fcwh-key--failed' } ), ' ', __( 'failed', 'fluentcrm-webhooks' ), '  ',
				el( 'span', { className: 'fcwh-key fcwh-key--retrying' } ), ' ', __( 'retrying', 'fluentcrm-webhooks' ), ' ',
				__( '(every attempt counted at its time; test sends not counted)', 'fluentcrm-webhooks' ) )
		);
	}

	function StatusFilter( props ) {
		const label = ( status ) => status ? ui.DELIVERY_STATUS_LABELS[ status ] : __( 'All', 'fluentcrm-webhooks' );
		return el(
			'ul',
			{ className: 'subsubsub fcwh-status-filter', 'aria-label': __( 'Filter deliveries by status', 'fluentcrm-webhooks' ) },
			FILTERS.map( ( status, index ) => el(
				'li',
				{ key: status || 'all' },
				el( 'a', {
					href: withFilters( props.webhookId, props.filters, { status: status } ),
					className: status === props.current ? 'current' : '',
					'aria-current': status === props.current ? 'page' : undefined,
					'data-status': status || 'all',
				}, label( status ) ),
				index < FILTERS.length - 1 ? ' |' : ''
			) )
		);
	}

	function DeliveryTable( props ) {
		const ids = contactIds( props.deliveries );
		// Names are a nicety: if they cannot be had, the rows keep the ids.
		const names = ui.useLoader( () => api.contactNames( ids ), [ ids.join( ',' ) ] );
		const headers = [
			__( 'Delivery', 'fluentcrm-webhooks' ),
			__( 'Event', 'fluentcrm-webhooks' ),
			__( 'Contact', 'fluentcrm-webhooks' ),
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
				el( 'td', null, el( 'code', null, delivery.event ), delivery.test ? el( Fragment, null, ' ', el( ui.TestMark ) ) : null ),
				el( 'td', { className: 'column-contact' }, el( Contact, { delivery: delivery, names: names.data } ) ),
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
		const filters = filtersFrom( props.route.query );
		const { status, page } = filters;
		const webhook = ui.useLoader( () => api.getWebhook( id ), [ id ] );
		const log = ui.useLoader( () => api.listDeliveries( id, { status: status, test: filters.test, page: page, perPage: PER_PAGE } ), [ id, status, filters.test, page ] );
		const pagination = log.data && log.data.pagination;
		// A delivery on its way (a retry, a redelivery) changes by itself: follow it. Held ones of
		// a webhook that is off do not move, so they are not waited on.
		const moving = !! ( log.data && webhook.data && webhook.data.status === 'active' &&
			log.data.deliveries.some( ( delivery ) => delivery.status === 'pending' ) );
		ui.usePolling( moving, log.reload, 3000 );
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
			el( RangeHealth, { webhookId: id, filters: filters } ),
			el( StatusFilter, { webhookId: id, current: status, filters: filters } ),
			el( TestFilter, { webhookId: id, filters: filters } ),
			moving && el( 'p', { className: 'description fcwh-following', role: 'status' }, __( 'Some deliveries are on their way: this log refreshes by itself.', 'fluentcrm-webhooks' ) ),
			el( 'div', { className: 'tablenav top' },
				pagination && el( ui.Pagination, {
					page: pagination.current_page,
					lastPage: pagination.last_page,
					total: pagination.total,
					hrefFor: ( target ) => withFilters( id, filters, { page: target } ),
				} ),
				el( 'br', { className: 'clear' } ) ),
			log.error && el( ui.LoadError, { error: log.error, onRetry: log.reload } ),
			! log.data && log.loading && el( ui.Spinner ),
			log.data && ( log.data.deliveries.length
				? el( DeliveryTable, { webhookId: id, deliveries: log.data.deliveries } )
				: el( 'p', { className: 'fcwh-empty' }, status || filters.test
					? ( status ? __( 'No delivery with this status.', 'fluentcrm-webhooks' ) : __( 'No delivery matches this filter.', 'fluentcrm-webhooks' ) )
					: __( 'No deliveries yet. They appear here as soon as a subscribed event happens, or after “Send test”.', 'fluentcrm-webhooks' ) ) ),
			el( RecoverForm, { webhookId: id, webhookStatus: webhook.data && webhook.data.status, onRecovered: reloadAll } )
		);
	}

	fcwh.views = fcwh.views || {};
	fcwh.views.deliveries = DeliveriesView;
}( window.wp, window.fcwhAdmin, window.fcwhAdminConfig ) );
