<?php
/**
 * Plugin Name: FluentCRM (test stand-in)
 * Description: Plays FluentCRM for the FluentCRM Webhooks tests: its model classes, its hooks with the argument shapes of releases 2.9.84 and 2.9.65 (option fcstandin_release), its incoming-webhooks routes, its contact-profile extension point (FluentCrmApi('extender')->addProfileSection), and WooCommerce / FluentCart order hooks. Test code written for this project; it contains no FluentCRM code.
 * Version: 0.1.0
 * License: GPL-2.0-or-later
 *
 * @package FluentCRM_Standin
 */

if ( ! defined( 'ABSPATH' ) ) {
	exit;
}

require_once __DIR__ . '/src/release.php';

define( 'FLUENTCRM', 'fluentcrm' );
define( 'FLUENTCRM_PLUGIN_VERSION', \FcStandin\release() );

require_once __DIR__ . '/src/orm.php';
require_once __DIR__ . '/src/models.php';
require_once __DIR__ . '/src/permission-manager.php';
require_once __DIR__ . '/src/schema.php';
require_once __DIR__ . '/src/contacts.php';
require_once __DIR__ . '/src/terms.php';
require_once __DIR__ . '/src/campaigns.php';
require_once __DIR__ . '/src/funnels.php';
require_once __DIR__ . '/src/stores.php';
require_once __DIR__ . '/src/woocommerce-api.php';
require_once __DIR__ . '/src/incoming-webhooks.php';
require_once __DIR__ . '/src/routes.php';
require_once __DIR__ . '/src/profile.php';

register_activation_hook( __FILE__, 'FcStandin\install_schema' );

// FluentCRM boots on plugins_loaded (priority 10): the models get their dispatcher, then
// `fluentcrm_loaded` fires. Model listeners registered before this point are dropped.
add_action(
	'plugins_loaded',
	static function () {
		\FcStandin\maybe_install_schema();
		\FluentCrm\App\Models\Model::bootDispatcher();
		// Its cleanup listeners are registered as it boots, after every plugin file has loaded.
		add_action( 'fluentcrm_after_subscribers_deleted', 'FcStandin\delete_contact_assets', 10, 1 );
		\FcStandin\hook_async_runner_dispatch();
		do_action( 'fluentcrm_loaded', null );
	}
);
add_action(
	'init',
	static function () {
		do_action( 'fluent_crm/after_init', null );
	}
);

// FluentCRM's own cleanup when a contact leaves: its active funnel rows are cancelled.
foreach ( \FcStandin\FUNNEL_EXIT_STATUSES as $fcstandin_status ) {
	add_action( "fluentcrm_subscriber_status_to_{$fcstandin_status}", 'FcStandin\cancel_funnels_of_leaving_contact', 10, 1 );
}
unset( $fcstandin_status );

// Contact changes with no hook of their own (src/contacts.php).
add_action( 'wp_ajax_fluentcrm_manage_preferences_ajax', 'FcStandin\handle_manage_preferences' );
add_action( 'wp_ajax_nopriv_fluentcrm_manage_preferences_ajax', 'FcStandin\handle_manage_preferences' );
add_action( 'profile_update', 'FcStandin\sync_user_update', 10, 2 );

add_action( 'rest_api_init', 'FcStandin\register_incoming_webhook_routes' );
add_action( 'rest_api_init', 'FcStandin\register_routes' );

// The contact profile's extension point and a small contact screen (src/profile.php).
add_action( 'rest_api_init', 'FcStandin\register_profile_routes' );
add_action( 'admin_menu', 'FcStandin\register_profile_page' );
add_action( 'admin_enqueue_scripts', 'FcStandin\unload_other_scripts', 1 );
