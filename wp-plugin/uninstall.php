<?php
/**
 * Removes what the plugin created: the outbox table, its options (all named `fcwh_*`), its
 * cron job. The sidecar's tables belong to the sidecar and are left alone.
 *
 * @package FluentCRM_Webhooks
 * @since 0.1.0
 */

if ( ! defined( 'WP_UNINSTALL_PLUGIN' ) ) {
	exit;
}

/**
 * Cleans one site.
 *
 * @since 0.1.0
 */
function fcwh_uninstall_site(): void {
	global $wpdb;
	wp_clear_scheduled_hook( 'fcwh_flush_outbox' );
	$wpdb->query( "DROP TABLE IF EXISTS {$wpdb->prefix}fcwh_outbox" ); // phpcs:ignore WordPress.DB.DirectDatabaseQuery, WordPress.DB.DirectDatabaseQuery.SchemaChange
	$wpdb->query( // phpcs:ignore WordPress.DB.DirectDatabaseQuery
		"DELETE FROM {$wpdb->options} WHERE option_name LIKE 'fcwh\\_%' OR option_name LIKE '\\_transient\\_fcwh\\_%' OR option_name LIKE '\\_transient\\_timeout\\_fcwh\\_%'"
	);
	wp_cache_flush();
}

if ( is_multisite() ) {
	foreach ( get_sites( array( 'fields' => 'ids' ) ) as $fcwh_site_id ) {
		switch_to_blog( $fcwh_site_id );
		fcwh_uninstall_site();
		restore_current_blog();
	}
} else {
	fcwh_uninstall_site();
}
