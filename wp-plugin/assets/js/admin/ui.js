/**
 * Small pieces shared by the screen's views: notices, badges, times, copy buttons, pagination,
 * and a hook that loads data. Markup uses WordPress's own admin classes so it looks native.
 */
( function ( wp ) {
	'use strict';

	const { createElement: el, Fragment, useState, useEffect, useRef, useCallback } = wp.element;
	const { __, _n, sprintf } = wp.i18n;

	/** A WordPress admin notice; errors are announced at once to screen readers. */
	function Notice( props ) {
		const type = props.type || 'info';
		return el(
			'div',
			{
				className: 'notice inline notice-' + type + ' fcwh-notice',
				role: type === 'error' ? 'alert' : 'status',
			},
			el( 'p', null, props.children ),
			props.after || null,
			props.actions ? el( 'p', { className: 'fcwh-notice-actions' }, props.actions ) : null
		);
	}

	const WEBHOOK_STATUS_LABELS = {
		active: __( 'Active', 'fluentcrm-webhooks' ),
		inactive: __( 'Inactive', 'fluentcrm-webhooks' ),
		failed: __( 'Failed', 'fluentcrm-webhooks' ),
	};
	const DELIVERY_STATUS_LABELS = {
		success: __( 'Succeeded', 'fluentcrm-webhooks' ),
		failed: __( 'Failed', 'fluentcrm-webhooks' ),
		pending: __( 'Pending', 'fluentcrm-webhooks' ),
	};

	function Badge( props ) {
		const label = props.labels[ props.status ] || props.status;
		return el( 'span', { className: 'fcwh-badge fcwh-badge--' + props.status }, label );
	}

	function WebhookStatusBadge( props ) {
		return el( Badge, { status: props.status, labels: WEBHOOK_STATUS_LABELS } );
	}

	function DeliveryStatusBadge( props ) {
		return el( Badge, { status: props.status, labels: DELIVERY_STATUS_LABELS } );
	}

	// The reader's own time zone, always named: a bare "10:05" leaves one guessing whose clock it is.
	const TIME_FORMAT = {
		year: 'numeric', month: 'short', day: 'numeric',
		hour: '2-digit', minute: '2-digit', second: '2-digit', timeZoneName: 'short',
	};

	function formatTime( iso ) {
		return new Date( iso ).toLocaleString( undefined, TIME_FORMAT );
	}

	/** A timestamp in the reader's locale and time zone, the exact ISO value kept in the markup. */
	function Time( props ) {
		if ( ! props.iso ) {
			return el( 'span', { 'aria-label': __( 'none', 'fluentcrm-webhooks' ) }, '—' );
		}
		return el( 'time', { dateTime: props.iso, title: props.iso }, formatTime( props.iso ) );
	}

	/** The mark of a test send (the "Send test" button or a self-healing probe), not a real event. */
	function TestMark() {
		return el( 'span', { className: 'fcwh-badge fcwh-badge--test fcwh-test-mark' }, __( 'Test', 'fluentcrm-webhooks' ) );
	}

	/**
	 * Calls `reload` every `ms` while `active`, so a view whose data is still moving (a pending
	 * delivery) catches up on its own.
	 */
	function usePolling( active, reload, ms ) {
		useEffect( function () {
			if ( ! active ) {
				return undefined;
			}
			const timer = window.setInterval( reload, ms || 3000 );
			return () => window.clearInterval( timer );
		}, [ active, reload, ms ] );
	}

	/** WordPress's own "dismiss this notice" cross. */
	function DismissButton( props ) {
		return el( 'button', { type: 'button', className: 'notice-dismiss fcwh-dismiss', onClick: props.onClick },
			el( 'span', { className: 'screen-reader-text' }, props.label || __( 'Dismiss this notice.', 'fluentcrm-webhooks' ) ) );
	}

	function formatMilliseconds( ms ) {
		if ( ms === null || ms === undefined ) {
			return '—';
		}
		/* translators: %d: a duration in milliseconds. */
		return sprintf( __( '%d ms', 'fluentcrm-webhooks' ), ms );
	}

	function Spinner( props ) {
		return el(
			'p',
			{ className: 'fcwh-loading', role: 'status' },
			el( 'span', { className: 'spinner is-active' } ),
			props.label || __( 'Loading…', 'fluentcrm-webhooks' )
		);
	}

	function copyText( text ) {
		if ( navigator.clipboard && window.isSecureContext ) {
			return navigator.clipboard.writeText( text );
		}
		// Plain-HTTP admin screens have no Clipboard API: fall back to a selected textarea.
		const area = document.createElement( 'textarea' );
		area.value = text;
		area.setAttribute( 'readonly', '' );
		area.style.position = 'fixed';
		area.style.opacity = '0';
		document.body.appendChild( area );
		area.select();
		const ok = document.execCommand( 'copy' );
		document.body.removeChild( area );
		return ok ? Promise.resolve() : Promise.reject( new Error( 'copy failed' ) );
	}

	/** A button that copies `text` and says so in a live region. */
	function CopyButton( props ) {
		const [ state, setState ] = useState( '' );
		const onClick = function () {
			copyText( props.text ).then(
				() => setState( __( 'Copied!', 'fluentcrm-webhooks' ) ),
				() => setState( __( 'Copy failed: select the text and copy it by hand.', 'fluentcrm-webhooks' ) )
			);
		};
		return el(
			Fragment,
			null,
			el( 'button', { type: 'button', className: 'button fcwh-copy', onClick: onClick }, props.label || __( 'Copy', 'fluentcrm-webhooks' ) ),
			el( 'span', { className: 'fcwh-copy-status', role: 'status' }, state )
		);
	}

	/**
	 * Loads data with `load()` whenever `deps` change.
	 *
	 * @return {{loading: boolean, error: Object|null, data: *, reload: Function}}
	 */
	function useLoader( load, deps ) {
		const [ state, setState ] = useState( { loading: true, error: null, data: null } );
		const [ generation, setGeneration ] = useState( 0 );
		useEffect( function () {
			let current = true;
			setState( ( previous ) => ( { loading: true, error: null, data: previous.data } ) );
			load().then(
				( data ) => current && setState( { loading: false, error: null, data: data } ),
				( error ) => current && setState( { loading: false, error: error, data: null } )
			);
			return function () {
				current = false;
			};
		}, deps.concat( [ generation ] ) ); // eslint-disable-line react-hooks/exhaustive-deps
		const reload = useCallback( () => setGeneration( ( n ) => n + 1 ), [] );
		return { loading: state.loading, error: state.error, data: state.data, reload: reload };
	}

	/** The heading of a view; takes focus after in-screen navigation so screen readers follow. */
	function ViewHeading( props ) {
		const ref = useRef( null );
		useEffect( function () {
			if ( props.takeFocus && ref.current ) {
				ref.current.focus();
			}
		}, [] ); // eslint-disable-line react-hooks/exhaustive-deps
		return el(
			'div',
			{ className: 'fcwh-view-heading' },
			el( 'h2', { ref: ref, tabIndex: -1, className: 'fcwh-view-title' }, props.title ),
			props.children
		);
	}

	/** WordPress's list-table pager, made of plain links to hash routes. */
	function Pagination( props ) {
		const { page, lastPage, total, hrefFor } = props;
		const link = function ( target, label, symbol, className ) {
			if ( target < 1 || target > lastPage || target === page ) {
				return el( 'span', { className: 'tablenav-pages-navspan button disabled', 'aria-hidden': 'true' }, symbol );
			}
			return el(
				'a',
				{ className: 'button ' + className, href: hrefFor( target ) },
				el( 'span', { className: 'screen-reader-text' }, label ),
				el( 'span', { 'aria-hidden': 'true' }, symbol )
			);
		};
		return el(
			'div',
			{ className: 'tablenav-pages' },
			el(
				'span',
				{ className: 'displaying-num' },
				/* translators: %s: number of items. */
				sprintf( _n( '%s item', '%s items', total, 'fluentcrm-webhooks' ), total.toLocaleString() )
			),
			lastPage > 1 &&
				el(
					'span',
					{ className: 'pagination-links' },
					link( 1, __( 'First page', 'fluentcrm-webhooks' ), '«', 'first-page' ),
					' ',
					link( page - 1, __( 'Previous page', 'fluentcrm-webhooks' ), '‹', 'prev-page' ),
					' ',
					el(
						'span',
						{ className: 'paging-input' },
						/* translators: 1: current page, 2: total pages. */
						sprintf( __( 'Page %1$d of %2$d', 'fluentcrm-webhooks' ), page, lastPage )
					),
					' ',
					link( page + 1, __( 'Next page', 'fluentcrm-webhooks' ), '›', 'next-page' ),
					' ',
					link( lastPage, __( 'Last page', 'fluentcrm-webhooks' ), '»', 'last-page' )
				)
		);
	}

	/** The result of "Send test", inline: code, time, error, body excerpt. */
	function TestResult( props ) {
		const result = props.result;
		const heading = result.success
			? __( 'Test delivered.', 'fluentcrm-webhooks' )
			: __( 'Test failed.', 'fluentcrm-webhooks' );
		return el(
			'div',
			{
				className: 'notice inline fcwh-test-result ' + ( result.success ? 'notice-success' : 'notice-error' ) +
					( props.onDismiss ? ' is-dismissible' : '' ),
				role: 'status',
			},
			el( 'p', null, el( 'strong', null, heading ), ' ',
				el( 'span', { className: 'description' }, __( 'Test sends are marked “Test” in the delivery log and do not count as the webhook’s last delivery.', 'fluentcrm-webhooks' ) ) ),
			el(
				'dl',
				{ className: 'fcwh-facts' },
				el( 'dt', null, __( 'Response code', 'fluentcrm-webhooks' ) ),
				el( 'dd', { className: 'fcwh-test-code' }, result.response_code === null || result.response_code === undefined ? '—' : String( result.response_code ) ),
				el( 'dt', null, __( 'Response time', 'fluentcrm-webhooks' ) ),
				el( 'dd', null, formatMilliseconds( result.response_time ) ),
				result.error && el( 'dt', null, __( 'Error', 'fluentcrm-webhooks' ) ),
				result.error && el( 'dd', null, result.error )
			),
			result.response_body
				? el(
					Fragment,
					null,
					el( 'p', null, __( 'Response body (excerpt):', 'fluentcrm-webhooks' ) ),
					el( 'pre', { className: 'fcwh-code fcwh-excerpt' }, excerpt( result.response_body, 1000 ) )
				)
				: null,
			props.onDismiss && el( DismissButton, { onClick: props.onDismiss, label: __( 'Dismiss the test result.', 'fluentcrm-webhooks' ) } )
		);
	}

	function excerpt( text, length ) {
		const value = String( text );
		return value.length > length ? value.slice( 0, length ) + '…' : value;
	}

	/** An error notice for a failed load, with a retry. */
	// The REST proxy's words name constants and transport errors (right for WP-CLI and the API);
	// on the screen a site owner reads what is wrong and what to do, the detail one click away.
	const PLAIN_ERRORS = {
		fcwh_sidecar_unavailable: __( 'The webhook sidecar (the service that sends your webhooks) does not answer, so this cannot be shown. Check that it is running and that its address in the Settings tab is right. Nothing is lost: events wait on this site until it answers.', 'fluentcrm-webhooks' ),
		fcwh_sidecar_token_rejected: __( 'The webhook sidecar refused this site\'s API token. Copy the token the sidecar uses into the Settings tab.', 'fluentcrm-webhooks' ),
		fcwh_sidecar_not_configured: __( 'Webhooks are not connected yet: enter the sidecar\'s address and API token in the Settings tab.', 'fluentcrm-webhooks' ),
	};

	function LoadError( props ) {
		const error = props.error || {};
		const plain = PLAIN_ERRORS[ error.code ];
		return el( Notice, {
			type: 'error',
			actions: props.onRetry
				? el( 'button', { type: 'button', className: 'button', onClick: props.onRetry }, __( 'Try again', 'fluentcrm-webhooks' ) )
				: null,
			after: plain && error.message ? el( 'details', { className: 'fcwh-error-detail' },
				el( 'summary', null, __( 'Technical detail', 'fluentcrm-webhooks' ) ), el( 'code', null, error.message ) ) : null,
		}, plain
			? el( 'span', { className: 'fcwh-plain-error' }, plain )
			: error.message || __( 'The request failed.', 'fluentcrm-webhooks' ) );
	}

	window.fcwhAdmin = window.fcwhAdmin || {};
	window.fcwhAdmin.ui = {
		Notice: Notice,
		WebhookStatusBadge: WebhookStatusBadge,
		DeliveryStatusBadge: DeliveryStatusBadge,
		DELIVERY_STATUS_LABELS: DELIVERY_STATUS_LABELS,
		WEBHOOK_STATUS_LABELS: WEBHOOK_STATUS_LABELS,
		Time: Time,
		formatTime: formatTime,
		TestMark: TestMark,
		usePolling: usePolling,
		DismissButton: DismissButton,
		formatMilliseconds: formatMilliseconds,
		Spinner: Spinner,
		CopyButton: CopyButton,
		useLoader: useLoader,
		ViewHeading: ViewHeading,
		Pagination: Pagination,
		TestResult: TestResult,
		LoadError: LoadError,
		excerpt: excerpt,
	};
}( window.wp ) );
