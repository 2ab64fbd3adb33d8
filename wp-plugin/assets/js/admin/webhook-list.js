/**
 * The list of webhooks: a WordPress list table with status, last delivery and row actions
 * (edit, deliveries, send test, activate/deactivate, delete).
 */
( function ( wp, fcwh ) {
	'use strict';

	const { createElement: el, Fragment, useState } = wp.element;
	const { __, _n, sprintf } = wp.i18n;
	const { api, ui, router } = fcwh;
	const COLUMNS = 6;

	function EventsSummary( props ) {
		const events = props.events || [];
		const shown = events.slice( 0, 3 );
		const more = events.length - shown.length;
		return el(
			'span',
			{ title: events.join( ', ' ) },
			shown.map( ( name, index ) => el( Fragment, { key: name }, index ? ', ' : '', el( 'code', null, name ) ) ),
			more > 0 ? ' ' + sprintf(
				/* translators: %d: how many more events are subscribed. */
				_n( 'and %d more', 'and %d more', more, 'fluentcrm-webhooks' ), more
			) : ''
		);
	}

	function LastDelivery( props ) {
		const last = props.delivery;
		if ( ! last ) {
			return el( 'span', { className: 'description' }, __( 'Nothing sent yet', 'fluentcrm-webhooks' ) );
		}
		return el(
			Fragment,
			null,
			el( ui.DeliveryStatusBadge, { status: last.status } ),
			last.response_code ? ' ' + sprintf(
				/* translators: %d: HTTP status code. */
				__( 'HTTP %d', 'fluentcrm-webhooks' ), last.response_code
			) : '',
			el( 'br' ),
			el( ui.Time, { iso: last.attempted_at } )
		);
	}

	/** A failed webhook's self-healing: when the receiver is tried next, or that it is not. */
	function RecoveryNote( props ) {
		const webhook = props.webhook;
		if ( webhook.status !== 'failed' ) {
			return null;
		}
		if ( webhook.auto_recover === false ) {
			return el( 'p', { className: 'description fcwh-next-probe' }, __( 'Self-healing is off: re-activate it by hand.', 'fluentcrm-webhooks' ) );
		}
		return webhook.next_recovery_probe_at
			? el( 'p', { className: 'description fcwh-next-probe' }, __( 'Next check of the receiver:', 'fluentcrm-webhooks' ), ' ', el( ui.Time, { iso: webhook.next_recovery_probe_at } ) )
			: null;
	}

	/** One row plus, after "Send test", a row with the outcome. */
	function WebhookRow( props ) {
		const webhook = props.webhook;
		const [ busy, setBusy ] = useState( '' );
		const [ testResult, setTestResult ] = useState( null );
		const [ error, setError ] = useState( null );

		const run = function ( kind, action ) {
			setBusy( kind );
			setError( null );
			return action().then(
				( value ) => {
					setBusy( '' );
					return value;
				},
				( failure ) => {
					setBusy( '' );
					setError( failure );
				}
			);
		};

		const sendTest = () => run( 'test', () => api.sendTest( webhook.id ).then( ( result ) => {
			setTestResult( result );
			props.onChanged();
		} ) );
		const setStatus = ( status ) => run( 'status', () => api.updateWebhook( webhook.id, { status: status } ).then( props.onChanged ) );
		const deactivate = function () {
			// Inactive webhooks record nothing (the sidecar's intake skips them); say so before, not after.
			/* translators: %s: webhook name. */
			const question = sprintf( __( 'Deactivate “%s”? While it is inactive its events are dropped, not kept: nothing that happens meanwhile is sent later, even after you activate it again. (There is no pause that keeps events.)', 'fluentcrm-webhooks' ), webhook.name );
			if ( window.confirm( question ) ) {
				setStatus( 'inactive' );
			}
		};
		const remove = function () {
			/* translators: %s: webhook name. */
			const question = sprintf( __( 'Delete the webhook “%s” and its delivery log? This cannot be undone.', 'fluentcrm-webhooks' ), webhook.name );
			if ( window.confirm( question ) ) {
				run( 'delete', () => api.deleteWebhook( webhook.id ).then( () => props.onDeleted( webhook ) ) );
			}
		};

		const actions = [
			el( 'a', { key: 'edit', href: router.href.edit( webhook.id ) }, __( 'Edit', 'fluentcrm-webhooks' ) ),
			el( 'a', { key: 'log', href: router.href.deliveries( webhook.id ) }, __( 'Deliveries', 'fluentcrm-webhooks' ) ),
			el( 'button', { key: 'test', type: 'button', className: 'button-link fcwh-send-test', disabled: !! busy, onClick: sendTest },
				busy === 'test' ? __( 'Sending test…', 'fluentcrm-webhooks' ) : __( 'Send test', 'fluentcrm-webhooks' ) ),
			webhook.status === 'inactive'
				? el( 'button', { key: 'on', type: 'button', className: 'button-link fcwh-activate', disabled: !! busy, onClick: () => setStatus( 'active' ) }, __( 'Activate', 'fluentcrm-webhooks' ) )
				: el( 'button', { key: 'off', type: 'button', className: 'button-link fcwh-deactivate', disabled: !! busy, onClick: deactivate,
					title: __( 'Stops sending; events that happen while inactive are dropped, not kept.', 'fluentcrm-webhooks' ) }, __( 'Deactivate…', 'fluentcrm-webhooks' ) ),
			el( 'button', { key: 'delete', type: 'button', className: 'button-link button-link-delete fcwh-delete', disabled: !! busy, onClick: remove }, __( 'Delete', 'fluentcrm-webhooks' ) ),
		];

		return el(
			Fragment,
			null,
			el(
				'tr',
				{ className: 'fcwh-webhook-row', 'data-webhook-id': webhook.id },
				el(
					'td',
					{ className: 'column-primary' },
					el( 'strong', null, el( 'a', { className: 'row-title', href: router.href.edit( webhook.id ) }, webhook.name ) ),
					el( 'div', { className: 'row-actions visible' }, actions.map( ( action, index ) =>
						el( 'span', { key: index }, index ? ' | ' : '', action ) ) )
				),
				el( 'td', null, el( 'code', { className: 'fcwh-url' }, webhook.url ) ),
				el( 'td', null, el( EventsSummary, { events: webhook.events } ) ),
				el( 'td', { className: 'column-status' }, el( ui.WebhookStatusBadge, { status: webhook.status } ),
					webhook.status === 'inactive' && el( 'p', { className: 'description fcwh-dropped-note' }, __( 'Events are dropped, not kept, while inactive.', 'fluentcrm-webhooks' ) ),
					el( RecoveryNote, { webhook: webhook } ) ),
				el( 'td', { className: 'column-last-delivery' }, el( LastDelivery, { delivery: webhook.last_delivery } ) ),
				el( 'td', { className: 'column-health' }, el( fcwh.charts.WebhookHealth, { webhookId: webhook.id } ) )
			),
			( testResult || error ) && el(
				'tr',
				{ className: 'fcwh-inline-row' },
				el( 'td', { colSpan: COLUMNS },
					testResult && el( ui.TestResult, { result: testResult, onDismiss: () => setTestResult( null ) } ),
					error && el( ui.Notice, { type: 'error' }, error.message )
				)
			)
		);
	}

	function WebhookTable( props ) {
		const headers = [
			__( 'Name', 'fluentcrm-webhooks' ),
			__( 'URL', 'fluentcrm-webhooks' ),
			__( 'Events', 'fluentcrm-webhooks' ),
			__( 'Status', 'fluentcrm-webhooks' ),
			__( 'Last delivery', 'fluentcrm-webhooks' ),
			__( 'Last 24 hours', 'fluentcrm-webhooks' ),
		];
		return el(
			'table',
			{ className: 'wp-list-table widefat fixed striped table-view-list fcwh-webhooks' },
			el( 'caption', { className: 'screen-reader-text' }, __( 'Outgoing webhooks', 'fluentcrm-webhooks' ) ),
			el( 'thead', null, el( 'tr', null, headers.map( ( label, index ) =>
				el( 'th', { key: label, scope: 'col', className: 'manage-column' + ( index ? '' : ' column-primary' ) }, label ) ) ) ),
			el( 'tbody', null, props.webhooks.map( ( webhook ) => el( WebhookRow, {
				key: webhook.id,
				webhook: webhook,
				onChanged: props.onChanged,
				onDeleted: props.onDeleted,
			} ) ) )
		);
	}

	function WebhookListView( props ) {
		const loader = ui.useLoader( () => api.listWebhooks(), [] );
		const [ flash, setFlash ] = useState( props.flash );
		const webhooks = loader.data || [];

		const onDeleted = function ( webhook ) {
			/* translators: %s: webhook name. */
			setFlash( { type: 'success', message: sprintf( __( 'Webhook “%s” deleted.', 'fluentcrm-webhooks' ), webhook.name ) } );
			loader.reload();
		};

		return el(
			Fragment,
			null,
			el( ui.ViewHeading, { title: __( 'Webhooks', 'fluentcrm-webhooks' ), takeFocus: props.takeFocus },
				el( 'a', { className: 'page-title-action fcwh-add-new', href: router.href.create() }, __( 'Add New', 'fluentcrm-webhooks' ) ) ),
			flash && el( ui.Notice, { type: flash.type }, flash.message ),
			webhooks.filter( ( webhook ) => webhook.status === 'failed' ).map( ( webhook ) =>
				el( fcwh.FailedWebhookNotice, { key: webhook.id, webhook: webhook, onChanged: loader.reload } ) ),
			loader.error && el( ui.LoadError, { error: loader.error, onRetry: loader.reload } ),
			loader.loading && ! loader.data && el( ui.Spinner ),
			loader.data && ( webhooks.length
				? el( WebhookTable, { webhooks: webhooks, onChanged: loader.reload, onDeleted: onDeleted } )
				: el( 'p', { className: 'fcwh-empty' }, __( 'No webhooks yet. Add one to send FluentCRM events to another application as they happen.', 'fluentcrm-webhooks' ) ) )
		);
	}

	fcwh.views = fcwh.views || {};
	fcwh.views.list = WebhookListView;
}( window.wp, window.fcwhAdmin ) );
