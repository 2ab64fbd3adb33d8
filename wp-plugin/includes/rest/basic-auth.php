<?php
/**
 * Every seed example sends `Authorization: Basic API_USERNAME:API_PASSWORD` with the credentials
 * NOT base64-encoded, which PHP cannot decode, so WordPress would see no credentials. Such a
 * header is unambiguous (base64 never contains ':'), so for requests to the webhooks routes the
 * plain `user:application-password` pair is handed to WordPress's own Application Password
 * check, exactly as if it had been encoded. Nothing else changes: same passwords, same check.
 *
 * @package FluentCRM_Webhooks
 * @since 0.1.0
 */

if ( ! defined( 'ABSPATH' ) ) {
	exit;
}

/**
 * `determine_current_user`, just before WordPress checks Application Passwords (priority 20):
 * fills PHP_AUTH_USER / PHP_AUTH_PW from an unencoded Basic header when the REST route being
 * served is one of ours (see fcwh_request_is_for_webhook_routes()). Returns the user unchanged.
 *
 * @since 0.1.0
 *
 * @param int|false $user_id The user found so far.
 * @return int|false
 */
function fcwh_accept_unencoded_basic_auth( $user_id ) {
	if ( ! empty( $user_id ) ) {
		return $user_id;
	}
	$header = fcwh_raw_authorization_header();
	if ( 0 !== stripos( $header, 'basic ' ) || ! fcwh_request_is_for_webhook_routes() ) {
		return $user_id;
	}
	$credentials = trim( substr( $header, 6 ) );
	if ( false === strpos( $credentials, ':' ) ) {
		return $user_id; // Properly encoded: PHP has decoded it already.
	}
	list( $username, $password ) = explode( ':', $credentials, 2 );
	$_SERVER['PHP_AUTH_USER']   = $username;
	$_SERVER['PHP_AUTH_PW']     = $password;
	return $user_id;
}

/**
 * The Authorization header as the client sent it.
 *
 * @since 0.1.0
 */
function fcwh_raw_authorization_header(): string {
	foreach ( array( 'HTTP_AUTHORIZATION', 'REDIRECT_HTTP_AUTHORIZATION' ) as $key ) {
		if ( ! empty( $_SERVER[ $key ] ) ) {
			return trim( wp_unslash( $_SERVER[ $key ] ) ); // phpcs:ignore WordPress.Security.ValidatedSanitizedInput.InputNotSanitized -- credentials, compared not output.
		}
	}
	return '';
}

/**
 * Whether the request is for the webhooks routes, judged on the route WordPress is serving and
 * never on the URL. WordPress takes that route from a `rest_route` parameter (query string or
 * form body) before the pretty path, and from PATH_INFO (decoded, `..` resolved, on servers that
 * set it) before REQUEST_URI; matching the URL instead hands unencoded credentials to routes
 * whose URL merely mentions ours: `/wp-json/wp/v2/users/me?x=/fluent-crm/v2/webhooks`,
 * `/wp-json/fluent-crm/v2/webhooks?rest_route=/wp/v2/users/me`,
 * `/wp-json/fluent-crm/v2/webhooks/../../../wp/v2/users/me`.
 *
 * The route is known once WordPress has parsed the request. The user is first determined
 * earlier (WP::init()), when this says no; that costs nothing, because Application Passwords
 * are only checked for REST requests, and the REST server forgets the "nobody" found then and
 * determines the user again just before dispatching (WP_REST_Server::serve_request()), with
 * REST_REQUEST defined and the route parsed. The credentials are filled in then, and only then.
 *
 * @since 0.1.0
 */
function fcwh_request_is_for_webhook_routes(): bool {
	if ( ! defined( 'REST_REQUEST' ) || ! REST_REQUEST || ! isset( $GLOBALS['wp'] ) || ! $GLOBALS['wp'] instanceof WP ) {
		return false;
	}
	$route = $GLOBALS['wp']->query_vars['rest_route'] ?? null;
	return is_string( $route ) && fcwh_is_webhook_route( untrailingslashit( $route ) );
}

/**
 * Whether a REST route is one of ours: `/fluent-crm/v2/webhooks` (the seed's paths) or
 * `/fluent-crm/v2/outgoing-webhooks` (the canonical ones), alone or followed by `/` and what lies
 * below. `/fluent-crm/v2/webhooks-archive` is not ours. The settings screen's
 * `fluentcrm-webhooks/v1/connection` is left out: the browser calls it with its cookie, never
 * with seed-style credentials.
 *
 * @since 0.1.0
 *
 * @param string $route A route such as `/fluent-crm/v2/webhooks/3/test`.
 */
function fcwh_is_webhook_route( string $route ): bool {
	foreach ( array( FCWH_REST_BASE, FCWH_SEED_REST_BASE ) as $base ) {
		$base = '/' . FCWH_REST_NAMESPACE . '/' . $base;
		if ( $route === $base || 0 === strpos( $route, $base . '/' ) ) {
			return true;
		}
	}
	return false;
}
