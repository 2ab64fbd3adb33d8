<?php
/**
 * The delivery log's size and the retention in force, from the sidecar's `GET /v2/stats`: read
 * by the settings screen, Site Health and its Info tab. One call per request at most, with a
 * short timeout; a sidecar that is away, rejects the token or is too old to have the route gives
 * a state the callers explain instead of figures.
 *
 * @package FluentCRM_Webhooks
 * @since 0.1.0
 */

if ( ! defined( 'ABSPATH' ) ) {
	exit;
}

// Seconds a screen waits for the figures (they are shown while a page renders).
const FCWH_STATS_TIMEOUT = 5;

/**
 * The log's figures, fetched once per request.
 *
 * @since 0.1.0
 *
 * @param bool $refresh Ask the sidecar again even if this request already did.
 * @return array{state: string, message: string, stats: ?array} `state` is `ok` (then `stats` is
 *         set: see fcwh_normalize_sidecar_stats()), `not_configured`, `unreachable`,
 *         `token_rejected`, `unsupported` (a sidecar without the route: 404) or `error`.
 */
function fcwh_sidecar_stats( bool $refresh = false ): array {
	static $cached = null;
	if ( null === $cached || $refresh ) {
		$cached = fcwh_fetch_sidecar_stats();
	}
	return $cached;
}

/**
 * Asks the sidecar for `GET /v2/stats`.
 *
 * @since 0.1.0
 *
 * @return array{state: string, message: string, stats: ?array}
 */
function fcwh_fetch_sidecar_stats(): array {
	if ( ! fcwh_settings()['configured'] ) {
		return array(
			'state'   => 'not_configured',
			'message' => fcwh_sidecar_not_configured_error()->get_error_message(),
			'stats'   => null,
		);
	}
	$result = fcwh_sidecar_request( 'GET', '/v2/stats', null, array(), array( 'timeout' => FCWH_STATS_TIMEOUT ) );
	if ( $result['error'] instanceof WP_Error ) {
		$state   = 'unreachable';
		$message = $result['error']->get_error_message();
	} elseif ( 401 === $result['status'] ) {
		$state   = 'token_rejected';
		$message = fcwh_describe_sidecar_failure( $result );
	} elseif ( 404 === $result['status'] ) {
		$state   = 'unsupported';
		$message = sprintf(
			/* translators: %s: sidecar URL */
			__( 'The sidecar at %s is older than this plugin: it has no GET /v2/stats, so the delivery log\'s size and the retention cannot be shown. Upgrade the sidecar (the fluentcrm-webhooks package or its Docker image) to the plugin\'s version.', 'fluentcrm-webhooks' ),
			fcwh_settings()['sidecar_url']
		);
	} elseif ( 200 === $result['status'] && is_array( $result['body'] ) && null !== fcwh_normalize_sidecar_stats( $result['body'] ) ) {
		return array(
			'state'   => 'ok',
			'message' => '',
			'stats'   => fcwh_normalize_sidecar_stats( $result['body'] ),
		);
	} else {
		$state   = 'error';
		$message = sprintf(
			/* translators: %d: HTTP status code */
			__( 'The sidecar answered GET /v2/stats with HTTP %d and no figures. Its log says why.', 'fluentcrm-webhooks' ),
			$result['status']
		);
	}
	return array(
		'state'   => $state,
		'message' => $message,
		'stats'   => null,
	);
}

/**
 * The figures with their types fixed, or null when the answer is not the route's shape.
 *
 * @since 0.1.0
 *
 * @param array $body The decoded answer.
 * @return array{pending: int, success: int, failed: int, held: int, total: int, attempts: int, oldest_pending_at: ?int, retention_days: int}|null
 *         `oldest_pending_at` as a unix timestamp.
 */
function fcwh_normalize_sidecar_stats( array $body ): ?array {
	if ( ! isset( $body['deliveries'] ) || ! is_array( $body['deliveries'] ) || ! isset( $body['retention_days'] ) ) {
		return null;
	}
	$deliveries = $body['deliveries'];
	$oldest     = isset( $body['oldest_pending_at'] ) && is_string( $body['oldest_pending_at'] ) ? strtotime( $body['oldest_pending_at'] ) : false;
	return array(
		'pending'           => (int) ( $deliveries[ FCWH_DELIVERY_PENDING ] ?? 0 ),
		'success'           => (int) ( $deliveries[ FCWH_DELIVERY_SUCCESS ] ?? 0 ),
		'failed'            => (int) ( $deliveries[ FCWH_DELIVERY_FAILED ] ?? 0 ),
		'held'              => (int) ( $deliveries[ FCWH_DELIVERIES_HELD ] ?? 0 ),
		'total'             => (int) ( $deliveries['total'] ?? 0 ),
		'attempts'          => (int) ( $body['attempts'] ?? 0 ),
		'oldest_pending_at' => false === $oldest ? null : $oldest,
		'retention_days'    => (int) $body['retention_days'],
	);
}

/**
 * The retention in words: "30 days" or "kept for ever".
 *
 * @since 0.1.0
 *
 * @param int $days FCWH_RETENTION_DAYS (0 keeps them for ever).
 */
function fcwh_retention_label( int $days ): string {
	if ( $days <= 0 ) {
		return __( 'kept for ever', 'fluentcrm-webhooks' );
	}
	/* translators: %s: number of days */
	return sprintf( _n( '%s day', '%s days', $days, 'fluentcrm-webhooks' ), number_format_i18n( $days ) );
}

/**
 * The log's size in one line: "1,234 deliveries (1,000 delivered, 200 failed, 34 pending of which 10 held), 1,500 attempts".
 *
 * @since 0.1.0
 *
 * @param array $stats From fcwh_normalize_sidecar_stats().
 */
function fcwh_log_size_summary( array $stats ): string {
	$deliveries = sprintf(
		/* translators: 1: total deliveries, 2: delivered, 3: failed, 4: pending, 5: held (among the pending) */
		_n( '%1$s delivery (%2$s delivered, %3$s failed, %4$s pending of which %5$s held)', '%1$s deliveries (%2$s delivered, %3$s failed, %4$s pending of which %5$s held)', $stats['total'], 'fluentcrm-webhooks' ),
		number_format_i18n( $stats['total'] ),
		number_format_i18n( $stats['success'] ),
		number_format_i18n( $stats['failed'] ),
		number_format_i18n( $stats['pending'] ),
		number_format_i18n( $stats['held'] )
	);
	/* translators: %s: number of attempts */
	return $deliveries . ', ' . sprintf( _n( '%s attempt', '%s attempts', $stats['attempts'], 'fluentcrm-webhooks' ), number_format_i18n( $stats['attempts'] ) );
}

/**
 * Renders the settings tab's "Delivery log" section: the log's size by status and the retention.
 *
 * @since 0.1.0
 */
function fcwh_admin_render_log_stats(): void {
	$answer = fcwh_sidecar_stats();
	?>
	<h2><?php esc_html_e( 'Delivery log', 'fluentcrm-webhooks' ); ?></h2>
	<p class="description"><?php esc_html_e( 'What the sidecar keeps: every delivery with its exact body (contacts’ data) and its attempts, until the retention deletes the finished ones. Pending deliveries are never deleted.', 'fluentcrm-webhooks' ); ?></p>
	<?php if ( 'ok' !== $answer['state'] ) : ?>
		<div class="notice notice-warning inline" id="fcwh-log-stats-unavailable" data-fcwh-state="<?php echo esc_attr( $answer['state'] ); ?>">
			<p><?php esc_html_e( 'The delivery log’s figures are not available:', 'fluentcrm-webhooks' ); ?> <?php echo esc_html( $answer['message'] ); ?></p>
		</div>
		<?php
		return;
	endif;
	$stats = $answer['stats'];
	$rows  = array(
		'success'  => array( __( 'Delivered', 'fluentcrm-webhooks' ), $stats['success'] ),
		'failed'   => array( __( 'Failed (retries used up)', 'fluentcrm-webhooks' ), $stats['failed'] ),
		'pending'  => array( __( 'Pending (being sent or waiting for a retry)', 'fluentcrm-webhooks' ), $stats['pending'] - $stats['held'] ),
		'held'     => array( __( 'Held (pending for webhooks that are not active)', 'fluentcrm-webhooks' ), $stats['held'] ),
		'total'    => array( __( 'Deliveries in all', 'fluentcrm-webhooks' ), $stats['total'] ),
		'attempts' => array( __( 'Attempts recorded', 'fluentcrm-webhooks' ), $stats['attempts'] ),
	);
	?>
	<table class="form-table fcwh-log-stats" id="fcwh-log-stats" role="presentation">
		<?php foreach ( $rows as $key => list( $label, $value ) ) : ?>
			<tr>
				<th scope="row"><?php echo esc_html( $label ); ?></th>
				<td id="<?php echo esc_attr( 'fcwh-log-' . $key ); ?>" data-value="<?php echo esc_attr( (string) $value ); ?>"><?php echo esc_html( number_format_i18n( $value ) ); ?></td>
			</tr>
		<?php endforeach; ?>
		<tr>
			<th scope="row"><?php esc_html_e( 'Oldest delivery still to send', 'fluentcrm-webhooks' ); ?></th>
			<td id="fcwh-log-oldest-pending">
				<?php
				echo esc_html(
					null === $stats['oldest_pending_at']
						? __( 'none', 'fluentcrm-webhooks' )
						: fcwh_admin_format_time( $stats['oldest_pending_at'] )
				);
				?>
			</td>
		</tr>
		<tr>
			<th scope="row"><?php esc_html_e( 'Retention', 'fluentcrm-webhooks' ); ?></th>
			<td id="fcwh-log-retention" data-value="<?php echo esc_attr( (string) $stats['retention_days'] ); ?>">
				<strong><?php echo esc_html( fcwh_retention_label( $stats['retention_days'] ) ); ?></strong>
				<p class="description">
					<?php
					if ( $stats['retention_days'] > 0 ) {
						echo esc_html(
							sprintf(
								/* translators: %s: e.g. "30 days" */
								__( 'Finished deliveries (delivered or failed) and their attempts are deleted %s after their last attempt (the sidecar’s FCWH_RETENTION_DAYS; a webhook’s own retention_days overrides it).', 'fluentcrm-webhooks' ),
								fcwh_retention_label( $stats['retention_days'] )
							)
						);
					} else {
						esc_html_e( 'FCWH_RETENTION_DAYS is 0: nothing is ever deleted, so the log grows with every delivery and keeps every body it sent. Set FCWH_RETENTION_DAYS on the sidecar (30 is the default) unless you need the whole history.', 'fluentcrm-webhooks' );
					}
					?>
				</p>
			</td>
		</tr>
	</table>
	<?php
}
