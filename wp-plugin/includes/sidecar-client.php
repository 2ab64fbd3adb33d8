<?php
/**
 * The one place that talks HTTP to the sidecar (docs/sidecar-api.md).
 *
 * `wp_remote_request`, not `wp_safe_remote_*`: the safe variants refuse loopback and port 8787,
 * where the sidecar lives. Redirects are never followed: the bearer token must not travel on.
 *
 * @package FluentCRM_Webhooks
 * @since 0.1.0
 */

if ( ! defined( 'ABSPATH' ) ) {
	exit;
}

const FCWH_SIDECAR_DEFAULT_TIMEOUT = 15;

/**
 * Calls the sidecar.
 *
 * @since 0.1.0
 *
 * @param string            $method  HTTP method.
 * @param string            $path    Path on the sidecar, e.g. `/v2/webhooks/3/test`.
 * @param array|string|null $body    An array is sent as JSON; a string is sent as it is (already JSON).
 * @param array             $query   Query parameters.
 * @param array             $options `timeout` in seconds (default 15).
 * @return array{status: int, body: array|null, error: WP_Error|null, raw: string}
 *               `status` is 0 and `error` set when no HTTP answer came back (or nothing is configured).
 */
function fcwh_sidecar_request( $method, $path, $body = null, $query = array(), array $options = array() ): array {
	$settings = fcwh_settings();
	if ( ! $settings['configured'] ) {
		$result = fcwh_sidecar_result( 0, '', fcwh_sidecar_not_configured_error() );
		fcwh_record_sidecar_outcome( $result );
		return $result;
	}

	$url = $settings['sidecar_url'] . '/' . ltrim( $path, '/' );
	if ( $query ) {
		$url .= '?' . http_build_query( $query, '', '&', PHP_QUERY_RFC3986 );
	}

	$args = array(
		'method'      => strtoupper( $method ),
		'timeout'     => isset( $options['timeout'] ) ? (float) $options['timeout'] : FCWH_SIDECAR_DEFAULT_TIMEOUT,
		'redirection' => 0,
		'headers'     => array(
			'Authorization' => 'Bearer ' . $settings['api_token'],
			'Accept'        => 'application/json',
			'User-Agent'    => 'FluentCRM-Webhooks-Plugin/' . FCWH_VERSION . '; ' . home_url( '/' ),
		),
	);
	if ( null !== $body ) {
		$args['headers']['Content-Type'] = 'application/json';
		$args['body']                    = is_string( $body ) ? $body : wp_json_encode( $body );
	}

	$response = wp_remote_request( $url, $args );
	if ( is_wp_error( $response ) ) {
		$result = fcwh_sidecar_result( 0, '', fcwh_sidecar_unavailable_error( $settings['sidecar_url'], $response->get_error_message() ) );
	} else {
		$result = fcwh_sidecar_result( (int) wp_remote_retrieve_response_code( $response ), (string) wp_remote_retrieve_body( $response ), null );
	}
	fcwh_record_sidecar_outcome( $result );
	return $result;
}

/**
 * Builds the result array of fcwh_sidecar_request().
 *
 * @since 0.1.0
 *
 * @param int           $status HTTP status, 0 for none.
 * @param string        $raw    Response body as received.
 * @param WP_Error|null $error  Why there is no answer.
 */
function fcwh_sidecar_result( int $status, string $raw, ?WP_Error $error ): array {
	$decoded = '' === $raw ? null : json_decode( $raw, true );
	return array(
		'status' => $status,
		'body'   => is_array( $decoded ) ? $decoded : null,
		'error'  => $error,
		'raw'    => $raw,
	);
}

/**
 * The error for "no token configured", in WordPress's REST shape (503).
 *
 * @since 0.1.0
 */
function fcwh_sidecar_not_configured_error(): WP_Error {
	return new WP_Error(
		'fcwh_sidecar_not_configured',
		__( 'FluentCRM Webhooks has no API token for its sidecar. Add define( \'FCWH_API_TOKEN\', \'...\' ) to wp-config.php (the sidecar prints where its token file is when it starts), or save the token on the plugin\'s settings screen.', 'fluentcrm-webhooks' ),
		array( 'status' => 503 )
	);
}

/**
 * The error for "the sidecar did not answer", in WordPress's REST shape (503).
 *
 * @since 0.1.0
 *
 * @param string $sidecar_url Where the plugin looked for it.
 * @param string $reason      The transport's own message (connection refused, timeout...).
 */
function fcwh_sidecar_unavailable_error( string $sidecar_url, string $reason ): WP_Error {
	return new WP_Error(
		'fcwh_sidecar_unavailable',
		sprintf(
			/* translators: 1: sidecar URL, 2: transport error message */
			__( 'The FluentCRM Webhooks sidecar at %1$s could not be reached (%2$s). Start it with `fluentcrm-webhooks serve`, and check that FCWH_SIDECAR_URL in wp-config.php (or the plugin settings) points at it. Events are kept and will be sent once it answers.', 'fluentcrm-webhooks' ),
			$sidecar_url,
			$reason
		),
		array( 'status' => 503 )
	);
}
