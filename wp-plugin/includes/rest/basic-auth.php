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
 * fills PHP_AUTH_USER / PHP_AUTH_PW from an unencoded Basic header. Returns the user unchanged.
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
 * Whether the request targets the webhooks routes (pretty or `?rest_route=` URLs).
 *
 * @since 0.1.0
 */
function fcwh_request_is_for_webhook_routes(): bool {
	$uri = isset( $_SERVER['REQUEST_URI'] ) ? rawurldecode( wp_unslash( $_SERVER['REQUEST_URI'] ) ) : ''; // phpcs:ignore WordPress.Security.ValidatedSanitizedInput.InputNotSanitized -- matched only.
	return (bool) preg_match( '#/fluent-crm/v2/(?:outgoing-)?webhooks(?:[/?&]|$)#', $uri );
}
