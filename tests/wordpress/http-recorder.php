<?php
/**
 * Plugin Name: HTTP call recorder (tests only)
 * Description: While wp-content/http-calls.on exists, appends one JSON line per outgoing HTTP call
 * WordPress makes (method, URL, request body size, answer status) to wp-content/http-calls.log, so
 * tests can see how the webhooks plugin talks to its sidecar. Installed as a must-use plugin by
 * tests/wordpress/conftest.py.
 */

add_action(
	'http_api_debug',
	static function ( $response, $context, $class, $args, $url ) {
		if ( ! file_exists( WP_CONTENT_DIR . '/http-calls.on' ) ) {
			return;
		}
		$line = array(
			'method' => isset( $args['method'] ) ? $args['method'] : 'GET',
			'path'   => (string) wp_parse_url( $url, PHP_URL_PATH ),
			'bytes'  => isset( $args['body'] ) && is_string( $args['body'] ) ? strlen( $args['body'] ) : 0,
			'events' => null,
			'status' => is_wp_error( $response ) ? 0 : (int) wp_remote_retrieve_response_code( $response ),
		);
		if ( isset( $args['body'] ) && is_string( $args['body'] ) ) {
			$body = json_decode( $args['body'], true );
			if ( isset( $body['events'] ) && is_array( $body['events'] ) ) {
				$line['events'] = count( $body['events'] );
			}
		}
		file_put_contents( WP_CONTENT_DIR . '/http-calls.log', wp_json_encode( $line ) . "\n", FILE_APPEND | LOCK_EX );
	},
	10,
	5
);
