<?php
/**
 * The wp-admin screens: loads their parts and registers every admin hook in one place.
 *
 * Required by the plugin's main file. The screens talk to the sidecar only through the plugin's
 * REST proxy (`/wp-json/fluent-crm/v2/outgoing-webhooks...`) from the browser, so everything a
 * site owner does here is exactly what the API does.
 *
 * @package FluentCRM_Webhooks
 * @since 0.1.0
 */

if ( ! defined( 'ABSPATH' ) ) {
	exit;
}

require_once __DIR__ . '/access.php';
require_once __DIR__ . '/event-catalog.php';
require_once __DIR__ . '/site-terms.php';
require_once __DIR__ . '/menu.php';
require_once __DIR__ . '/assets.php';
require_once __DIR__ . '/webhooks-page.php';
require_once __DIR__ . '/settings.php';
require_once __DIR__ . '/settings-page.php';
require_once __DIR__ . '/connection-route.php';
require_once __DIR__ . '/contact-names.php';
require_once __DIR__ . '/contact-profile.php'; // FluentCRM's contact profile section (registers its own hooks).

// After FluentCRM (priority 10) has added its top-level menu, so ours can hang under it.
add_action( 'admin_menu', 'fcwh_admin_register_menu', 20 );
add_action( 'admin_enqueue_scripts', 'fcwh_admin_enqueue_assets' );
add_action( 'admin_init', 'fcwh_admin_register_settings' );
add_action( 'admin_post_' . FCWH_ADMIN_RETRY_SET_ASIDE_ACTION, 'fcwh_admin_handle_retry_set_aside' );
add_action( 'rest_api_init', 'fcwh_admin_register_connection_route' );
add_action( 'rest_api_init', 'fcwh_admin_register_contact_names_route' );
add_filter( 'plugin_action_links_' . plugin_basename( FCWH_PLUGIN_FILE ), 'fcwh_admin_plugin_action_links' );
