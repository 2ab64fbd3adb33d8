<?php
/**
 * The commands' way to the sidecar: fcwh_sidecar_request() (the plugin's one HTTP client), with
 * every failure turned into `WP_CLI::error()` (exit code 1) that names the sidecar's error code
 * and message, so scripts can trust the exit code and people can read the reason.
 *
 * @package FluentCRM_Webhooks
 * @since 0.1.0
 */

if ( ! defined( 'ABSPATH' ) ) {
	exit;
}

const FCWH_CLI_TIMEOUT = 15;
// `POST .../test` waits for the receiver: longer than the sidecar's own per-attempt limit (30 s).
const FCWH_CLI_TEST_TIMEOUT = 45;

/**
 * Calls the sidecar and returns its JSON answer; ends the command with an error otherwise.
 *
 * @since 0.1.0
 *
 * @param string     $method  HTTP method.
 * @param string     $path    Path on the sidecar, e.g. `/v2/webhooks/3`.
 * @param array|null $body    Sent as JSON.
 * @param array      $query   Query parameters.
 * @param float      $timeout Seconds.
 * @return array The decoded 2xx answer.
 */
function fcwh_cli_request( string $method, string $path, ?array $body = null, array $query = array(), float $timeout = FCWH_CLI_TIMEOUT ): array {
	$result = fcwh_sidecar_request( $method, $path, $body, $query, array( 'timeout' => $timeout ) );
	if ( $result['status'] < 200 || $result['status'] >= 300 || ! is_array( $result['body'] ) ) {
		WP_CLI::error( fcwh_cli_failure_message( $result ) );
	}
	return $result['body'];
}

/**
 * The sidecar path of a webhook (and what is below it). The id goes as given: the sidecar
 * decides what an id is and answers 404 `rest_post_invalid_id` for anything else.
 *
 * @since 0.1.0
 *
 * @param string $webhook_id The id from the command line.
 * @param string $rest       What follows, e.g. `/deliveries`.
 */
function fcwh_cli_webhook_path( string $webhook_id, string $rest = '' ): string {
	return '/v2/webhooks/' . rawurlencode( $webhook_id ) . $rest;
}

/**
 * One line saying why a call failed: `[code] message (HTTP status)`, with the invalid
 * parameters and why each is invalid when the sidecar names them.
 *
 * @since 0.1.0
 *
 * @param array $result A fcwh_sidecar_request() result that is not a 2xx JSON answer.
 */
function fcwh_cli_failure_message( array $result ): string {
	if ( $result['error'] instanceof WP_Error ) {
		// Not configured, or no answer at all: the client's own sentence says what to do.
		return sprintf( '[%s] %s', $result['error']->get_error_code(), $result['error']->get_error_message() );
	}
	$status = (int) $result['status'];
	if ( 401 === $status ) {
		return sprintf( '[fcwh_sidecar_token_rejected] %s (HTTP 401)', fcwh_describe_sidecar_failure( $result ) );
	}
	$body = $result['body'];
	if ( is_array( $body ) && isset( $body['code'], $body['message'] ) && is_string( $body['code'] ) ) {
		$message = sprintf( '[%s] %s', $body['code'], (string) $body['message'] );
		$params  = isset( $body['data']['params'] ) && is_array( $body['data']['params'] ) ? fcwh_cli_describe_params( $body['data']['params'] ) : '';
		return $message . ( '' === $params ? '' : ' ' . $params ) . sprintf( ' (HTTP %d)', $status );
	}
	return sprintf(
		'[fcwh_sidecar_bad_response] The FluentCRM Webhooks sidecar answered with HTTP %d and no error in WordPress\'s shape: is FCWH_SIDECAR_URL pointing at the sidecar?',
		$status
	);
}

/**
 * `data.params` of a 400, in words: `{"status": "why"}` -> `status: why`. A plain list of
 * names (missing parameters) is already in the message.
 *
 * @since 0.1.0
 *
 * @param array $params The error's `data.params`.
 */
function fcwh_cli_describe_params( array $params ): string {
	if ( array_values( $params ) === $params ) {
		return '';
	}
	$parts = array();
	foreach ( $params as $name => $why ) {
		$parts[] = $name . ': ' . ( is_scalar( $why ) ? (string) $why : wp_json_encode( $why ) );
	}
	return '(' . implode( '; ', $parts ) . ')';
}
