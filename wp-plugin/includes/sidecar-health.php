<?php
/**
 * What the plugin last learnt about the sidecar: up, or down and why. Feeds the admin notice and
 * the short back-off that keeps page requests from waiting on a sidecar known to be away.
 *
 * Written only when the state changes or a call fails, so a healthy site never writes it.
 *
 * @package FluentCRM_Webhooks
 * @since 0.1.0
 */

if ( ! defined( 'ABSPATH' ) ) {
	exit;
}

const FCWH_OPTION_SIDECAR_HEALTH = 'fcwh_sidecar_health';
// While the sidecar is known to be down, page requests park events in the outbox without trying.
const FCWH_BACKOFF_SECONDS = 15;

/**
 * The recorded state.
 *
 * @since 0.1.0
 *
 * @return array{ok: bool, since: int, checked_at: int, message: string}
 */
function fcwh_sidecar_health(): array {
	$health = get_option( FCWH_OPTION_SIDECAR_HEALTH );
	$known  = is_array( $health ) ? $health : array();
	return array(
		'ok'         => isset( $known['ok'] ) ? (bool) $known['ok'] : true,
		'since'      => isset( $known['since'] ) ? (int) $known['since'] : 0,
		'checked_at' => isset( $known['checked_at'] ) ? (int) $known['checked_at'] : 0,
		'message'    => isset( $known['message'] ) ? (string) $known['message'] : '',
	);
}

/**
 * Records the outcome of one call to the sidecar.
 *
 * A 401 (token rejected) and 5xx answers count as down: events cannot get in either way.
 *
 * @since 0.1.0
 *
 * @param array $result A fcwh_sidecar_request() result.
 */
function fcwh_record_sidecar_outcome( array $result ): void {
	$status   = (int) $result['status'];
	$ok       = $status > 0 && 401 !== $status && $status < 500;
	$previous = fcwh_sidecar_health();
	if ( $ok && $previous['ok'] ) {
		return;
	}
	update_option(
		FCWH_OPTION_SIDECAR_HEALTH,
		array(
			'ok'         => $ok,
			'since'      => $ok === $previous['ok'] ? $previous['since'] : time(),
			'checked_at' => time(),
			'message'    => $ok ? '' : fcwh_describe_sidecar_failure( $result ),
		),
		true
	);
}

/**
 * A sentence an admin can act on, for a failed call.
 *
 * @since 0.1.0
 *
 * @param array $result A fcwh_sidecar_request() result.
 */
function fcwh_describe_sidecar_failure( array $result ): string {
	if ( $result['error'] instanceof WP_Error ) {
		return $result['error']->get_error_message();
	}
	if ( 401 === (int) $result['status'] ) {
		return __( 'The sidecar rejected the plugin\'s API token: set FCWH_API_TOKEN in wp-config.php (or the plugin settings) to the token the sidecar uses (its fcwh.token file or its FCWH_API_TOKEN).', 'fluentcrm-webhooks' );
	}
	return sprintf(
		/* translators: %d: HTTP status code */
		__( 'The sidecar answered with HTTP %d. Its log says why.', 'fluentcrm-webhooks' ),
		(int) $result['status']
	);
}

/**
 * Whether page requests should skip the network and park events in the outbox right away.
 *
 * @since 0.1.0
 */
function fcwh_sidecar_backoff_active(): bool {
	$health = fcwh_sidecar_health();
	return ! $health['ok'] && time() - $health['checked_at'] < FCWH_BACKOFF_SECONDS;
}
