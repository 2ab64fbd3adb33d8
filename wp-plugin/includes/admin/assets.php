<?php
/**
 * Scripts and styles of the screen: plain files (no build step) on top of the `wp-element`,
 * `wp-api-fetch` and `wp-i18n` that WordPress ships, loaded only on our page.
 *
 * @package FluentCRM_Webhooks
 * @since 0.1.0
 */

if ( ! defined( 'ABSPATH' ) ) {
	exit;
}

/**
 * The screen's scripts, in load order: handle => [file below assets/js/admin/, dependencies].
 *
 * @since 0.1.0
 *
 * @return array<string, array{0: string, 1: string[]}>
 */
function fcwh_admin_webhook_scripts(): array {
	return array(
		'fcwh-admin-api'            => array( 'api.js', array( 'fcwh-admin-config', 'wp-api-fetch', 'wp-i18n' ) ),
		'fcwh-admin-router'         => array( 'router.js', array() ),
		'fcwh-admin-ui'             => array( 'ui.js', array( 'wp-element', 'wp-i18n' ) ),
		'fcwh-admin-failed-notice'  => array( 'failed-webhook-notice.js', array( 'fcwh-admin-api', 'fcwh-admin-ui', 'fcwh-admin-router' ) ),
		'fcwh-admin-charts'         => array( 'charts.js', array( 'fcwh-admin-api', 'fcwh-admin-ui' ) ),
		'fcwh-admin-webhook-list'   => array( 'webhook-list.js', array( 'fcwh-admin-failed-notice', 'fcwh-admin-charts' ) ),
		'fcwh-admin-event-picker'   => array( 'event-picker.js', array( 'fcwh-admin-config', 'fcwh-admin-ui' ) ),
		'fcwh-admin-headers'        => array( 'headers-editor.js', array( 'wp-element', 'wp-i18n' ) ),
		'fcwh-admin-conditions'     => array( 'conditions-editor.js', array( 'fcwh-admin-config', 'wp-element', 'wp-i18n' ) ),
		'fcwh-admin-rotate-secret'  => array( 'rotate-secret.js', array( 'fcwh-admin-api', 'fcwh-admin-ui' ) ),
		'fcwh-admin-webhook-form'   => array(
			'webhook-form.js',
			array( 'fcwh-admin-event-picker', 'fcwh-admin-failed-notice', 'fcwh-admin-headers', 'fcwh-admin-conditions', 'fcwh-admin-rotate-secret' ),
		),
		'fcwh-admin-webhook-created' => array( 'webhook-created.js', array( 'fcwh-admin-webhook-form' ) ),
		'fcwh-admin-deliveries'     => array( 'deliveries.js', array( 'fcwh-admin-failed-notice', 'fcwh-admin-charts' ) ),
		'fcwh-admin-delivery'       => array( 'delivery-detail.js', array( 'fcwh-admin-config', 'fcwh-admin-ui', 'fcwh-admin-api', 'fcwh-admin-router' ) ),
		'fcwh-admin-app'            => array(
			'app.js',
			array( 'fcwh-admin-webhook-list', 'fcwh-admin-webhook-created', 'fcwh-admin-deliveries', 'fcwh-admin-delivery' ),
		),
	);
}

/**
 * What the scripts need to know about this site.
 *
 * @since 0.1.0
 *
 * @return array<string, mixed>
 */
function fcwh_admin_script_config(): array {
	$config = array(
		'restBase'         => '/fluent-crm/v2/outgoing-webhooks',
		'connectionPath'   => '/' . FCWH_ADMIN_REST_NAMESPACE . '/connection',
		'contactNamesPath' => '/' . FCWH_ADMIN_REST_NAMESPACE . '/contact-names',
		'fluentcrmActive'  => defined( 'FLUENTCRM' ),
		// FluentCRM's contact profile lives in its own single-page app, addressed by hash.
		'contactUrl'       => defined( 'FLUENTCRM' ) ? admin_url( 'admin.php?page=fluentcrm-admin#/subscribers/' ) : '',
	);
	if ( 'settings' !== fcwh_admin_current_tab() ) {
		$config['eventCatalog'] = fcwh_admin_event_catalog();
		$config['terms']        = fcwh_admin_site_terms();
	}
	return $config;
}

/**
 * Registers one script of ours with its translations.
 *
 * @since 0.1.0
 *
 * @param string   $handle       Script handle.
 * @param string   $file         File below `assets/js/admin/`.
 * @param string[] $dependencies Handles it needs first.
 */
function fcwh_admin_enqueue_script( string $handle, string $file, array $dependencies ): void {
	$path = 'js/admin/' . $file;
	wp_enqueue_script( $handle, fcwh_admin_asset_url( $path ), $dependencies, fcwh_admin_asset_version( $path ), true );
	wp_set_script_translations( $handle, 'fluentcrm-webhooks', FCWH_PLUGIN_DIR . '/languages' );
}

/**
 * Loads the screen's files on our page only. Hooked on `admin_enqueue_scripts`.
 *
 * @since 0.1.0
 */
function fcwh_admin_enqueue_assets(): void {
	if ( ! fcwh_admin_is_our_page() || ! fcwh_current_user_can_manage() ) {
		return;
	}
	wp_enqueue_style( 'fcwh-admin', fcwh_admin_asset_url( 'css/admin.css' ), array(), fcwh_admin_asset_version( 'css/admin.css' ) );

	// WordPress swaps emoji for images where it doubts the fonts; this screen shows payloads and
	// secrets that must read exactly as sent, character for character.
	remove_action( 'admin_print_scripts', 'print_emoji_detection_script' );
	remove_action( 'admin_print_styles', 'print_emoji_styles' );

	// A script without a file: just `window.fcwhAdminConfig`, printed before anything that reads it.
	wp_register_script( 'fcwh-admin-config', false, array(), fcwh_admin_asset_version( 'js/admin/app.js' ), true );
	wp_add_inline_script( 'fcwh-admin-config', 'window.fcwhAdminConfig = ' . wp_json_encode( fcwh_admin_script_config() ) . ';' );

	if ( 'settings' === fcwh_admin_current_tab() ) {
		$scripts = array( 'fcwh-admin-settings' => array( 'settings.js', array( 'fcwh-admin-config', 'wp-api-fetch', 'wp-i18n' ) ) );
	} else {
		$scripts = fcwh_admin_webhook_scripts();
	}
	foreach ( $scripts as $handle => list( $file, $dependencies ) ) {
		fcwh_admin_enqueue_script( $handle, $file, $dependencies );
	}
}
