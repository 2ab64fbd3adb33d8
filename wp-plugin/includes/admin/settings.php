<?php
/**
 * The two settings the screen edits, the sidecar URL and the API token (options
 * `fcwh_sidecar_url` and `fcwh_api_token`), through WordPress's Settings API. Constants in
 * wp-config.php win over them, and the screen then shows them read-only.
 *
 * @package FluentCRM_Webhooks
 * @since 0.1.0
 */

if ( ! defined( 'ABSPATH' ) ) {
	exit;
}

const FCWH_ADMIN_SETTINGS_GROUP = 'fcwh_settings';

/**
 * Registers the options with their sanitizers. Hooked on `admin_init`.
 *
 * @since 0.1.0
 */
function fcwh_admin_register_settings(): void {
	register_setting(
		FCWH_ADMIN_SETTINGS_GROUP,
		FCWH_OPTION_SIDECAR_URL,
		array(
			'type'              => 'string',
			'sanitize_callback' => 'fcwh_admin_sanitize_sidecar_url',
			'show_in_rest'      => false,
		)
	);
	register_setting(
		FCWH_ADMIN_SETTINGS_GROUP,
		FCWH_OPTION_API_TOKEN,
		array(
			'type'              => 'string',
			'sanitize_callback' => 'fcwh_admin_sanitize_api_token',
			'show_in_rest'      => false,
		)
	);
}

/**
 * Whether this request is the settings form being saved (not some other code updating the option).
 *
 * @since 0.1.0
 */
function fcwh_admin_is_settings_form_post(): bool {
	return isset( $_POST['option_page'] ) && FCWH_ADMIN_SETTINGS_GROUP === $_POST['option_page']; // phpcs:ignore WordPress.Security.NonceVerification -- options.php checked the nonce.
}

/**
 * Keeps only an http(s) URL without a trailing slash; a bad value leaves the old one in place.
 *
 * @since 0.1.0
 *
 * @param mixed $value Submitted value.
 */
function fcwh_admin_sanitize_sidecar_url( $value ): string {
	$value = trim( (string) $value );
	if ( '' === $value ) {
		return '';
	}
	$url    = esc_url_raw( $value, array( 'http', 'https' ) );
	$parsed = wp_parse_url( $url );
	if ( '' === $url || empty( $parsed['host'] ) ) {
		add_settings_error(
			'fcwh_sidecar_url',
			'fcwh_invalid_sidecar_url',
			__( 'The sidecar URL must be an http:// or https:// address, such as http://127.0.0.1:8787. The previous value was kept.', 'fluentcrm-webhooks' )
		);
		return (string) get_option( FCWH_OPTION_SIDECAR_URL, '' );
	}
	return untrailingslashit( $url );
}

/**
 * The token field is never filled in (the token is never sent back to the browser), so a blank
 * submission of the settings form means "keep the saved token".
 *
 * @since 0.1.0
 *
 * @param mixed $value Submitted value.
 */
function fcwh_admin_sanitize_api_token( $value ): string {
	$value = trim( (string) $value );
	if ( '' === $value && fcwh_admin_is_settings_form_post() ) {
		return (string) get_option( FCWH_OPTION_API_TOKEN, '' );
	}
	if ( preg_match( '/[^\x21-\x7e]/', $value ) ) {
		add_settings_error(
			'fcwh_api_token',
			'fcwh_invalid_api_token',
			__( 'The API token may only contain visible ASCII characters (no spaces). The previous token was kept.', 'fluentcrm-webhooks' )
		);
		return (string) get_option( FCWH_OPTION_API_TOKEN, '' );
	}
	return $value;
}

/**
 * The settings as the screen shows them.
 *
 * `sidecar_url` is what the plugin uses (the default when nothing is saved); `saved_sidecar_url`
 * is what the form edits.
 *
 * @since 0.1.0
 *
 * @return array{sidecar_url: string, saved_sidecar_url: string, sidecar_url_constant: bool, api_token: string, api_token_constant: bool}
 */
function fcwh_admin_current_settings(): array {
	$settings = fcwh_settings();
	return array(
		'sidecar_url'          => $settings['sidecar_url'],
		'saved_sidecar_url'    => (string) get_option( FCWH_OPTION_SIDECAR_URL, '' ),
		'sidecar_url_constant' => $settings['sidecar_url_from_constant'],
		'api_token'            => $settings['api_token'],
		'api_token_constant'   => $settings['api_token_from_constant'],
	);
}
