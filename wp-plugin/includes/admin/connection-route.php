<?php
/**
 * `GET /wp-json/fluentcrm-webhooks/v1/connection`: the settings tab's live check. WordPress
 * (not the browser) reaches the sidecar, exactly as event delivery and the REST proxy do, so
 * the check tests the path that matters: is it up, is its database up, is the token accepted.
 *
 * @package FluentCRM_Webhooks
 * @since 0.1.0
 */

if ( ! defined( 'ABSPATH' ) ) {
	exit;
}

const FCWH_ADMIN_REST_NAMESPACE = 'fluentcrm-webhooks/v1';

/**
 * Registers the route. Hooked on `rest_api_init`.
 *
 * @since 0.1.0
 */
function fcwh_admin_register_connection_route(): void {
	register_rest_route(
		FCWH_ADMIN_REST_NAMESPACE,
		'/connection',
		array(
			'methods'             => WP_REST_Server::READABLE,
			'callback'            => 'fcwh_admin_connection_response',
			'permission_callback' => 'fcwh_rest_permission_check',
		)
	);
}

/**
 * The outbox figures with ISO 8601 UTC times, for the browser.
 *
 * @since 0.1.0
 *
 * @return array{count: int, oldest: ?string, last_flush: ?string}
 */
function fcwh_admin_outbox_for_rest(): array {
	$outbox = fcwh_admin_outbox_figures();
	$iso    = static function ( ?int $timestamp ): ?string {
		return null === $timestamp ? null : gmdate( 'Y-m-d\TH:i:s\Z', $timestamp );
	};
	return array(
		'count'      => $outbox['count'],
		'oldest'     => $iso( $outbox['oldest'] ),
		'last_flush' => $iso( $outbox['last_flush'] ),
	);
}

/**
 * Answers the check.
 *
 * @since 0.1.0
 */
function fcwh_admin_connection_response(): WP_REST_Response {
	$answer           = fcwh_admin_check_connection();
	$answer['outbox'] = fcwh_admin_outbox_for_rest();
	return new WP_REST_Response( $answer, 200 );
}

/**
 * Asks the sidecar for its health, then for the webhook list with the token.
 *
 * @since 0.1.0
 *
 * @return array{ok: bool, message: string, sidecar_url: string, version: ?string, database: ?string, authenticated: ?bool}
 */
function fcwh_admin_check_connection(): array {
	$settings = fcwh_admin_current_settings();
	$url      = $settings['sidecar_url'];
	$result   = array(
		'ok'            => false,
		'message'       => '',
		'sidecar_url'   => $url,
		'version'       => null,
		'database'      => null,
		'authenticated' => null,
	);

	if ( '' === $settings['api_token'] ) {
		$result['message'] = __( 'No API token is set: enter the sidecar’s token above, or define FCWH_API_TOKEN in wp-config.php.', 'fluentcrm-webhooks' );
		return $result;
	}

	$health = fcwh_sidecar_request( 'GET', '/healthz' );
	if ( $health['error'] instanceof WP_Error ) {
		/* translators: 1: sidecar URL, 2: error message. */
		$result['message'] = sprintf( __( 'Cannot reach the sidecar at %1$s: %2$s', 'fluentcrm-webhooks' ), $url, $health['error']->get_error_message() );
		return $result;
	}
	$body               = is_array( $health['body'] ) ? $health['body'] : array();
	$result['version']  = isset( $body['version'] ) ? (string) $body['version'] : null;
	$result['database'] = isset( $body['database'] ) ? (string) $body['database'] : null;
	if ( 200 !== $health['status'] ) {
		$result['message'] = 'error' === $result['database']
			/* translators: %s: sidecar URL. */
			? sprintf( __( 'The sidecar at %s is running but cannot reach its database.', 'fluentcrm-webhooks' ), $url )
			/* translators: 1: sidecar URL, 2: HTTP status code. */
			: sprintf( __( 'The sidecar at %1$s answered its health check with HTTP %2$d.', 'fluentcrm-webhooks' ), $url, $health['status'] );
		return $result;
	}

	$authorized              = fcwh_sidecar_request( 'GET', '/v2/webhooks' );
	$result['authenticated'] = 200 === $authorized['status'];
	if ( 401 === $authorized['status'] ) {
		$result['message'] = __( 'The sidecar is up, but it rejected the API token: check that it matches the sidecar’s FCWH_API_TOKEN or fcwh.token file.', 'fluentcrm-webhooks' );
		return $result;
	}
	if ( ! $result['authenticated'] ) {
		/* translators: %d: HTTP status code. */
		$result['message'] = sprintf( __( 'The sidecar is up, but listing webhooks failed with HTTP %d.', 'fluentcrm-webhooks' ), $authorized['status'] );
		return $result;
	}

	$result['ok']      = true;
	$result['message'] = null === $result['version']
		/* translators: %s: sidecar URL. */
		? sprintf( __( 'Connected to the sidecar at %s; the API token is accepted.', 'fluentcrm-webhooks' ), $url )
		/* translators: 1: sidecar URL, 2: sidecar version. */
		: sprintf( __( 'Connected to the sidecar at %1$s (version %2$s); the API token is accepted.', 'fluentcrm-webhooks' ), $url, $result['version'] );
	return $result;
}
