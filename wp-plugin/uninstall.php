<?php
/**
 * Removes what the plugin created: the outbox table, its options (all named `fcwh_*`), its
 * cron job. Uninstalling asks nothing.
 *
 * The sidecar's tables (the webhooks, their secrets, the delivery log with the bodies sent) belong
 * to the sidecar and are left alone by default: the sidecar may still be serving other sites, and
 * its data outlives a plugin reinstall. To drop them too, when the sidecar shares WordPress's
 * database and will not be used again, add to wp-config.php before uninstalling:
 *
 *     define( 'FCWH_UNINSTALL_DROP_SIDECAR_TABLES', true );
 *
 * `true` drops `{prefix}fcwh_webhooks`, `fcwh_deliveries`, `fcwh_attempts`, `fcwh_events` and
 * `fcwh_schema` with WordPress's own table prefix (the main site's on a multisite network), which
 * is the sidecar's too when its FCWH_TABLE_PREFIX matches; a string names the sidecar's
 * FCWH_TABLE_PREFIX when it differs (letters, digits and `_` only). Stop the sidecar first: it
 * recreates its tables when it starts. A sidecar on SQLite or on another database keeps its data
 * wherever it is (delete its files there).
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

/**
 * Per-user data: which failure notices each user dismissed (users are shared by every site of a
 * network, so this runs once).
 *
 * @since 0.1.0
 */
function fcwh_uninstall_user_data(): void {
	delete_metadata( 'user', 0, 'fcwh_dismissed_webhook_notices', '', true );
}

// The sidecar's tables (sidecar/fluentcrm_webhooks/models.py; no foreign keys link them).
const FCWH_UNINSTALL_SIDECAR_TABLES = array( 'fcwh_attempts', 'fcwh_deliveries', 'fcwh_events', 'fcwh_webhooks', 'fcwh_state', 'fcwh_schema' );

/**
 * The sidecar's table prefix to drop with, or null to keep its tables (the default).
 *
 * @since 0.1.0
 */
function fcwh_uninstall_sidecar_table_prefix(): ?string {
	global $wpdb;
	if ( ! defined( 'FCWH_UNINSTALL_DROP_SIDECAR_TABLES' ) ) {
		return null;
	}
	$setting = FCWH_UNINSTALL_DROP_SIDECAR_TABLES;
	if ( true === $setting ) {
		return $wpdb->base_prefix;
	}
	if ( is_string( $setting ) && preg_match( '/^[A-Za-z0-9_]+$/', $setting ) ) {
		return $setting;
	}
	return null; // false, or a value that is no table prefix: keep them.
}

/**
 * Drops the sidecar's tables when FCWH_UNINSTALL_DROP_SIDECAR_TABLES asks for it (once, not per site).
 *
 * @since 0.1.0
 */
function fcwh_uninstall_sidecar_tables(): void {
	global $wpdb;
	$prefix = fcwh_uninstall_sidecar_table_prefix();
	if ( null === $prefix ) {
		return;
	}
	foreach ( FCWH_UNINSTALL_SIDECAR_TABLES as $table ) {
		$wpdb->query( "DROP TABLE IF EXISTS `{$prefix}{$table}`" ); // phpcs:ignore WordPress.DB.DirectDatabaseQuery, WordPress.DB.DirectDatabaseQuery.SchemaChange, WordPress.DB.PreparedSQL.InterpolatedNotPrepared -- prefix checked above.
	}
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
fcwh_uninstall_sidecar_tables();
fcwh_uninstall_user_data();
