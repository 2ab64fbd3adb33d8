<?php
/**
 * Where the sidecar is and the token to reach it: wp-config.php constants win over saved options.
 *
 * The settings form belongs to the admin screens; these are the option names it saves to.
 *
 * @package FluentCRM_Webhooks
 * @since 0.1.0
 */

if ( ! defined( 'ABSPATH' ) ) {
	exit;
}

const FCWH_OPTION_SIDECAR_URL     = 'fcwh_sidecar_url';
const FCWH_OPTION_API_TOKEN       = 'fcwh_api_token';
const FCWH_DEFAULT_SIDECAR_URL    = 'http://127.0.0.1:8787';

/**
 * The plugin's connection settings.
 *
 * @since 0.1.0
 *
 * @return array{sidecar_url: string, api_token: string, sidecar_url_from_constant: bool, api_token_from_constant: bool, configured: bool}
 */
function fcwh_settings(): array {
	$url_from_constant   = defined( 'FCWH_SIDECAR_URL' ) && '' !== trim( (string) FCWH_SIDECAR_URL );
	$token_from_constant = defined( 'FCWH_API_TOKEN' ) && '' !== trim( (string) FCWH_API_TOKEN );

	$url   = $url_from_constant ? (string) FCWH_SIDECAR_URL : (string) get_option( FCWH_OPTION_SIDECAR_URL, '' );
	$token = $token_from_constant ? (string) FCWH_API_TOKEN : (string) get_option( FCWH_OPTION_API_TOKEN, '' );

	$url   = '' === trim( $url ) ? FCWH_DEFAULT_SIDECAR_URL : untrailingslashit( trim( $url ) );
	$token = trim( $token );

	return array(
		'sidecar_url'               => $url,
		'api_token'                 => $token,
		'sidecar_url_from_constant' => $url_from_constant,
		'api_token_from_constant'   => $token_from_constant,
		'configured'                => '' !== $token,
	);
}

/**
 * The token as a screen may show it: never in full, only enough to tell two tokens apart.
 *
 * @since 0.1.0
 *
 * @param string|null $token A token, or null for the configured one.
 * @return string E.g. `••••••••3xQz`, or an empty string when there is no token.
 */
function fcwh_masked_token( ?string $token = null ): string {
	$token = null === $token ? fcwh_settings()['api_token'] : $token;
	if ( '' === $token ) {
		return '';
	}
	$visible = strlen( $token ) >= 16 ? 4 : 0;
	return str_repeat( '•', 8 ) . ( $visible ? substr( $token, -$visible ) : '' );
}
