<?php
/**
 * The REST proxy: `/wp-json/fluent-crm/v2/outgoing-webhooks<rest>` -> sidecar `/v2/webhooks<rest>`,
 * query string, JSON body, status code and JSON answer passed through unchanged.
 *
 * @package FluentCRM_Webhooks
 * @since 0.1.0
 */

if ( ! defined( 'ABSPATH' ) ) {
	exit;
}

const FCWH_PROXY_TIMEOUT = 15;
// `POST .../test` waits for the receiver: longer than the sidecar's own per-attempt limit (30 s).
const FCWH_PROXY_TEST_TIMEOUT = 45;

// Query parameters that steer WordPress or this plugin, not the sidecar.
const FCWH_PROXY_LOCAL_PARAMS = array( 'rest_route', 'type' );

/**
 * The proxy's callback for every route.
 *
 * @since 0.1.0
 *
 * @param WP_REST_Request $request The request.
 * @return WP_REST_Response|WP_Error
 */
function fcwh_rest_proxy( WP_REST_Request $request ) {
	$method = 'HEAD' === $request->get_method() ? 'GET' : $request->get_method();
	$result = fcwh_sidecar_request(
		$method,
		fcwh_sidecar_path_for_route( $request->get_route() ),
		in_array( $method, array( 'POST', 'PUT', 'PATCH' ), true ) ? fcwh_proxy_body( $request ) : null,
		fcwh_proxy_query( $request ),
		array( 'timeout' => '/test' === substr( $request->get_route(), -5 ) ? FCWH_PROXY_TEST_TIMEOUT : FCWH_PROXY_TIMEOUT )
	);

	if ( $result['error'] instanceof WP_Error ) {
		return $result['error'];
	}
	if ( 401 === $result['status'] ) {
		// The caller is authenticated to WordPress; it is the plugin's token the sidecar refused.
		return new WP_Error( 'fcwh_sidecar_token_rejected', fcwh_describe_sidecar_failure( $result ), array( 'status' => 502 ) );
	}
	// Objects keep `{}` as `{}`; WordPress's own _fields / _embed handling needs arrays.
	$as_arrays = null !== $request->get_param( '_fields' ) || null !== $request->get_param( '_embed' );
	$answer    = '' === $result['raw'] ? null : json_decode( $result['raw'], $as_arrays );
	if ( null === $answer && '' !== $result['raw'] && 'null' !== trim( $result['raw'] ) ) {
		return new WP_Error(
			'fcwh_sidecar_bad_response',
			/* translators: %d: HTTP status code */
			sprintf( __( 'The FluentCRM Webhooks sidecar answered with HTTP %d and a body that is not JSON: is FCWH_SIDECAR_URL pointing at the sidecar?', 'fluentcrm-webhooks' ), $result['status'] ),
			array( 'status' => 502 )
		);
	}

	if ( fcwh_proxy_changed_a_webhook( $method, $request->get_route(), $result['status'] ) ) {
		// Capture exactly what is subscribed now, from this very request on.
		fcwh_refresh_subscribed_events();
	}
	return new WP_REST_Response( $answer, $result['status'] );
}

/**
 * Whether a proxied call created, changed or deleted a webhook (which may change what to capture).
 *
 * @since 0.1.0
 *
 * @param string $method HTTP method.
 * @param string $route  The request's route.
 * @param int    $status The sidecar's answer.
 */
function fcwh_proxy_changed_a_webhook( string $method, string $route, int $status ): bool {
	$base = '/' . FCWH_REST_NAMESPACE . '/' . FCWH_REST_BASE;
	return 'GET' !== $method && $status >= 200 && $status < 300 && $base . FCWH_REST_DELIVERY_ROUTE !== $route
		&& (bool) preg_match( '#^' . preg_quote( $base, '#' ) . '(/[^/]+)?$#', $route );
}

/**
 * The sidecar path for a route of ours: `/fluent-crm/v2/outgoing-webhooks/3/test` -> `/v2/webhooks/3/test`;
 * `/fluent-crm/v2/outgoing-webhooks/delivery` -> `/v2/delivery`.
 *
 * @since 0.1.0
 *
 * @param string $route The request's route.
 */
function fcwh_sidecar_path_for_route( string $route ): string {
	$base = '/' . FCWH_REST_NAMESPACE . '/' . FCWH_REST_BASE;
	$rest = (string) substr( $route, strlen( $base ) );
	if ( FCWH_REST_DELIVERY_ROUTE === $rest ) {
		return '/v2' . FCWH_REST_DELIVERY_ROUTE;
	}
	return '/v2/webhooks' . implode( '/', array_map( 'rawurlencode', explode( '/', $rest ) ) );
}

/**
 * The query parameters meant for the sidecar (WordPress's own `_envelope`, `_fields`... and the
 * routing hints stay here).
 *
 * @since 0.1.0
 *
 * @param WP_REST_Request $request The request.
 */
function fcwh_proxy_query( WP_REST_Request $request ): array {
	$query = array();
	foreach ( (array) $request->get_query_params() as $name => $value ) {
		if ( 0 !== strpos( (string) $name, '_' ) && ! in_array( $name, FCWH_PROXY_LOCAL_PARAMS, true ) ) {
			$query[ $name ] = $value;
		}
	}
	return $query;
}

/**
 * The body for the sidecar: the raw JSON as the client sent it; a form-encoded body as JSON.
 *
 * @since 0.1.0
 *
 * @param WP_REST_Request $request The request.
 * @return string|null Null when there is no body.
 */
function fcwh_proxy_body( WP_REST_Request $request ): ?string {
	$content_type = $request->get_content_type();
	$is_form      = $content_type && in_array( $content_type['value'], array( 'application/x-www-form-urlencoded', 'multipart/form-data' ), true );
	if ( $is_form ) {
		$params = $request->get_body_params();
		return $params ? wp_json_encode( $params ) : null;
	}
	$body = (string) $request->get_body();
	return '' === $body ? null : $body;
}
