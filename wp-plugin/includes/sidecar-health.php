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
// The admin notice asks again before it shows a "down" older than this (seconds), briefly.
const FCWH_RECHECK_AFTER_SECONDS = 10;
const FCWH_RECHECK_TIMEOUT       = 3;

/**
 * The recorded state.
 *
 * @since 0.1.0
 *
 * @return array{ok: bool, since: int, checked_at: int, message: string, kind: string, status: int}
 *               `kind`: why it is down, for words without jargon: `unreachable` (no answer),
 *               `token` (401), `error` (5xx), or '' (up, or recorded by an older version).
 */
function fcwh_sidecar_health(): array {
	$health = get_option( FCWH_OPTION_SIDECAR_HEALTH );
	$known  = is_array( $health ) ? $health : array();
	return array(
		'ok'         => isset( $known['ok'] ) ? (bool) $known['ok'] : true,
		'since'      => isset( $known['since'] ) ? (int) $known['since'] : 0,
		'checked_at' => isset( $known['checked_at'] ) ? (int) $known['checked_at'] : 0,
		'message'    => isset( $known['message'] ) ? (string) $known['message'] : '',
		'kind'       => isset( $known['kind'] ) ? (string) $known['kind'] : '',
		'status'     => isset( $known['status'] ) ? (int) $known['status'] : 0,
		'target'     => isset( $known['target'] ) ? (string) $known['target'] : '',
	);
}

/**
 * Which sidecar, with which token, the settings name now (a digest: the token is not stored again).
 *
 * @since 0.2.0
 */
function fcwh_sidecar_health_target(): string {
	$settings = fcwh_settings();
	return substr( hash( 'sha256', $settings['sidecar_url'] . "\n" . $settings['api_token'] ), 0, 16 );
}

/**
 * Why a call failed, in one word (see fcwh_sidecar_health()).
 *
 * @since 0.2.0
 *
 * @param array $result A fcwh_sidecar_request() result.
 */
function fcwh_sidecar_failure_kind( array $result ): string {
	if ( 401 === (int) $result['status'] ) {
		return 'token';
	}
	return (int) $result['status'] >= 500 ? 'error' : 'unreachable';
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
			'kind'       => $ok ? '' : fcwh_sidecar_failure_kind( $result ),
			'status'     => (int) $result['status'],
			'target'     => fcwh_sidecar_health_target(),
		),
		true
	);
}

/**
 * The recorded state, asked again first when it says "down" and is not fresh: a probe made before
 * the sidecar started (the README's own order) must not keep a false alarm on screen.
 *
 * One short authenticated call (so a refused token still counts as down), at most every
 * FCWH_RECHECK_AFTER_SECONDS; the call records its own outcome.
 *
 * @since 0.2.0
 *
 * @return array The same shape as fcwh_sidecar_health().
 */
function fcwh_sidecar_health_rechecked(): array {
	$health = fcwh_sidecar_health();
	// A failure seen under other settings (none yet, another address or token) says nothing now.
	$same_settings = fcwh_sidecar_health_target() === $health['target'];
	if ( $health['ok'] || ( $same_settings && time() - $health['checked_at'] < FCWH_RECHECK_AFTER_SECONDS ) ) {
		return $health;
	}
	fcwh_sidecar_request( 'GET', '/v2/webhooks', null, array(), array( 'timeout' => FCWH_RECHECK_TIMEOUT ) );
	return fcwh_sidecar_health();
}

/**
 * What a site owner reads when the sidecar is down: what is wrong and what to do, no transport
 * codes or constant names (Site Health and WP-CLI keep the technical detail).
 *
 * @since 0.2.0
 *
 * @param array  $health      fcwh_sidecar_health().
 * @param string $sidecar_url Where the plugin looks for the sidecar.
 */
function fcwh_sidecar_plain_problem( array $health, string $sidecar_url ): string {
	switch ( $health['kind'] ) {
		case 'token':
			return __( 'The webhook sidecar refused this site\'s API token. Copy the token the sidecar uses into the plugin\'s settings.', 'fluentcrm-webhooks' );
		case 'error':
			return sprintf(
				/* translators: 1: sidecar address, 2: HTTP status code */
				__( 'The webhook sidecar at %1$s is running but reports an error (HTTP %2$d); its log says why.', 'fluentcrm-webhooks' ),
				$sidecar_url,
				$health['status']
			);
		default:
			return sprintf(
				/* translators: %s: sidecar address */
				__( 'This site cannot reach the webhook sidecar (the service that sends your webhooks) at %s. Check that it is running and that its address in the plugin\'s settings is right.', 'fluentcrm-webhooks' ),
				$sidecar_url
			);
	}
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
 * Whether page requests should skip the network and park events in the outbox right away. Only
 * an outage seen under the current settings counts: right after the address or token is
 * corrected, the next request tries at once.
 *
 * @since 0.1.0
 */
function fcwh_sidecar_backoff_active(): bool {
	$health = fcwh_sidecar_health();
	return ! $health['ok'] && time() - $health['checked_at'] < FCWH_BACKOFF_SECONDS
		&& fcwh_sidecar_health_target() === $health['target'];
}
