<?php
/**
 * Installation, activation and deactivation. (Removal is uninstall.php.)
 *
 * @package FluentCRM_Webhooks
 * @since 0.1.0
 */

if ( ! defined( 'ABSPATH' ) ) {
	exit;
}

/**
 * Creates the outbox and starts the cron job.
 *
 * @since 0.1.0
 */
function fcwh_activate(): void {
	fcwh_install();
	fcwh_ensure_cron_scheduled();
}

/**
 * Stops the cron job. The outbox stays: its events are sent again once the plugin is back.
 *
 * @since 0.1.0
 */
function fcwh_deactivate(): void {
	wp_clear_scheduled_hook( FCWH_CRON_HOOK );
}

/**
 * Installs what this version needs when it has not been yet (plugin files updated without a
 * re-activation). Costs one autoloaded option read per request.
 *
 * @since 0.1.0
 */
function fcwh_maybe_install(): void {
	if ( FCWH_DB_VERSION !== get_option( FCWH_OPTION_DB_VERSION ) ) {
		fcwh_install();
	}
}

/**
 * The outbox table, and the options read on every request created up front: an option that
 * does not exist costs a database query each time it is asked for.
 *
 * @since 0.1.0
 */
function fcwh_install(): void {
	fcwh_install_outbox_table();
	add_option( FCWH_OPTION_OUTBOX_WAITING, '0', '', 'yes' );
	add_option( FCWH_OPTION_SIDECAR_HEALTH, array( 'ok' => true, 'since' => 0, 'checked_at' => 0, 'message' => '' ), '', 'yes' );
	add_option( FCWH_OPTION_SUBSCRIBED_EVENTS, array( 'known' => false, 'types' => array(), 'fetched_at' => 0 ), '', 'yes' );
}

/**
 * Loads translations shipped in the plugin's languages/ folder (those of translate.wordpress.org
 * load on their own). Hooked on `init`, the earliest WordPress supports for it.
 *
 * @since 0.1.0
 */
function fcwh_load_textdomain(): void {
	load_plugin_textdomain( 'fluentcrm-webhooks', false, dirname( plugin_basename( FCWH_PLUGIN_FILE ) ) . '/languages' );
}
