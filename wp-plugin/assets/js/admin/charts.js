/**
 * Delivery health at a glance: deliveries per hour (or day) as stacked bars, successes below and
 * failures (then retries) on top, and the success rate; drawn as plain SVG from one sidecar
 * answer (`GET /v2/webhooks/{id}/stats`). No chart library: a few rectangles need none.
 */
( function ( wp, fcwh ) {
	'use strict';

	const { createElement: el } = wp.element;
	const { __, _n, sprintf } = wp.i18n;
	const { api, ui } = fcwh;

	const HOUR = 3600 * 1000;
	const DAY = 24 * HOUR;
	// Bottom to top. `retrying`: pending with at least one failed attempt so far.
	const KINDS = [ 'success', 'failed', 'retrying' ];
	const BAR = 4;
	const GAP = 2;

	/** The ranges the delivery log offers: key => how far back, and the bucket size. */
	const RANGES = {
		'24h': { span: DAY, bucket: 'hour', label: __( 'Last 24 hours', 'fluentcrm-webhooks' ) },
		'7d': { span: 7 * DAY, bucket: 'day', label: __( 'Last 7 days', 'fluentcrm-webhooks' ) },
		'30d': { span: 30 * DAY, bucket: 'day', label: __( 'Last 30 days', 'fluentcrm-webhooks' ) },
	};

	/**
	 * The query for a range ending now. `until` is exclusive and the log keeps whole seconds, so it
	 * is the start of the next second: an attempt made in this very second is counted.
	 */
	function rangeQuery( key, now ) {
		const range = RANGES[ key ] || RANGES[ '24h' ];
		const until = new Date( Math.floor( ( now || new Date() ).getTime() / 1000 ) * 1000 + 1000 );
		return { since: new Date( until.getTime() - range.span ).toISOString(), until: until.toISOString(), bucket: range.bucket };
	}

	/**
	 * Where each bar goes: pure, so the numbers the test checks are the numbers drawn.
	 *
	 * @param {Object[]} buckets The answer's buckets (`start`, `success`, `failed`, `retrying`).
	 * @param {number}   height  Drawing height in pixels.
	 * @return {{width: number, max: number, bars: Object[]}} One bar per non-zero count.
	 */
	function layout( buckets, height ) {
		const max = Math.max( 1, ...buckets.map( ( b ) => KINDS.reduce( ( sum, kind ) => sum + ( b[ kind ] || 0 ), 0 ) ) );
		const bars = [];
		buckets.forEach( function ( bucket, index ) {
			let top = height;
			KINDS.forEach( function ( kind ) {
				const count = bucket[ kind ] || 0;
				if ( ! count ) {
					return;
				}
				// At least one pixel, so a single failure among thousands still shows.
				const size = Math.max( 1, Math.round( ( count / max ) * height ) );
				top -= size;
				bars.push( { kind: kind, count: count, start: bucket.start, x: index * ( BAR + GAP ), y: top, width: BAR, height: size } );
			} );
		} );
		return { width: Math.max( 1, buckets.length * ( BAR + GAP ) - GAP ), max: max, bars: bars };
	}

	function bucketTitle( bucket ) {
		/* translators: 1: start of the hour or day, 2: successes, 3: failures, 4: deliveries being retried. */
		return sprintf( __( '%1$s: %2$d succeeded, %3$d failed, %4$d retrying', 'fluentcrm-webhooks' ),
			ui.formatTime( bucket.start ), bucket.success || 0, bucket.failed || 0, bucket.retrying || 0 );
	}

	/** "97.5% succeeded", or that nothing finished in the range. */
	function rateText( totals ) {
		if ( ! totals || totals.success_rate === null || totals.success_rate === undefined ) {
			return __( 'No finished deliveries', 'fluentcrm-webhooks' );
		}
		const percent = Math.round( totals.success_rate * 1000 ) / 10;
		/* translators: %s: a percentage such as 97.5. */
		return sprintf( __( '%s%% succeeded', 'fluentcrm-webhooks' ), percent.toLocaleString() );
	}

	function summary( stats ) {
		const t = stats.totals || {};
		/* translators: 1: successes, 2: failures, 3: being retried. */
		return sprintf( _n( '%1$d delivery succeeded, %2$d failed, %3$d retrying.', '%1$d deliveries succeeded, %2$d failed, %3$d retrying.', t.success || 0, 'fluentcrm-webhooks' ),
			t.success || 0, t.failed || 0, t.retrying || 0 );
	}

	/**
	 * The stacked bars of one stats answer.
	 *
	 * @param {Object} props
	 * @param {Object} props.stats  The sidecar's answer.
	 * @param {number} props.height Pixels.
	 * @param {string} props.label  What the chart covers, for screen readers ("last 24 hours").
	 */
	function DeliveryChart( props ) {
		const stats = props.stats;
		const height = props.height || 32;
		const drawn = layout( stats.buckets || [], height );
		return el(
			'svg',
			{
				className: 'fcwh-chart',
				role: 'img',
				width: props.stretch ? '100%' : drawn.width,
				height: height,
				viewBox: '0 0 ' + drawn.width + ' ' + height,
				preserveAspectRatio: 'none',
				'aria-label': props.label + ': ' + summary( stats ),
				// The range drawn, as the sidecar answered it: what a check (or a curious admin) asks again.
				'data-max': drawn.max,
				'data-since': stats.since,
				'data-until': stats.until,
				'data-bucket': stats.bucket,
			},
			el( 'rect', { className: 'fcwh-chart-base', x: 0, y: height - 1, width: drawn.width, height: 1 } ),
			( stats.buckets || [] ).map( ( bucket, index ) => el( 'rect', {
				key: 'hit-' + index,
				className: 'fcwh-chart-slot',
				x: index * ( BAR + GAP ),
				y: 0,
				width: BAR + GAP,
				height: height,
			}, el( 'title', null, bucketTitle( bucket ) ) ) ),
			drawn.bars.map( ( bar ) => el( 'rect', {
				key: bar.start + bar.kind,
				className: 'fcwh-bar fcwh-bar--' + bar.kind,
				x: bar.x,
				y: bar.y,
				width: bar.width,
				height: bar.height,
				'data-kind': bar.kind,
				'data-count': bar.count,
				'data-start': bar.start,
			} ) )
		);
	}

	/** Loads one range's stats for a webhook. */
	function useStats( webhookId, query ) {
		return ui.useLoader( () => api.getStats( webhookId, query ), [ webhookId, query.since, query.bucket ] );
	}

	/** The list's cell: the last 24 hours by hour, and the success rate over 7 days. */
	function WebhookHealth( props ) {
		const [ day ] = wp.element.useState( () => rangeQuery( '24h' ) );
		const [ week ] = wp.element.useState( () => rangeQuery( '7d' ) );
		const hourly = useStats( props.webhookId, day );
		const weekly = useStats( props.webhookId, week );
		if ( hourly.error || weekly.error ) {
			return el( 'span', { className: 'description' }, __( 'Figures unavailable', 'fluentcrm-webhooks' ) );
		}
		return el(
			'div',
			{ className: 'fcwh-health' },
			hourly.data ? el( DeliveryChart, { stats: hourly.data, height: 32, label: __( 'Deliveries per hour, last 24 hours', 'fluentcrm-webhooks' ) } ) : el( 'span', { className: 'fcwh-chart-placeholder' } ),
			el( 'div', { className: 'fcwh-rate', 'data-rate': weekly.data && weekly.data.totals ? String( weekly.data.totals.success_rate ) : '' },
				weekly.data ? rateText( weekly.data.totals ) + ' ' + __( '(7 days)', 'fluentcrm-webhooks' ) : '…' )
		);
	}

	fcwh.charts = {
		RANGES: RANGES,
		rangeQuery: rangeQuery,
		layout: layout,
		rateText: rateText,
		summary: summary,
		DeliveryChart: DeliveryChart,
		WebhookHealth: WebhookHealth,
		useStats: useStats,
	};
}( window.wp, window.fcwhAdmin ) );
