<?php
/**
 * Cross-request locks, so concurrent requests do not all flush the outbox or refresh the
 * subscriptions at once. Duplicates would still be harmless (event ids make re-sends safe); the
 * lock only saves work.
 *
 * MySQL's GET_LOCK() is used rather than an option row: add_option() is an upsert, so two
 * requests can both "win" it, while GET_LOCK is atomic and dies with the request's connection,
 * so a crashed request can never leave a lock behind.
 *
 * @package FluentCRM_Webhooks
 * @since 0.1.0
 */

if ( ! defined( 'ABSPATH' ) ) {
	exit;
}

/**
 * The server-wide lock name for this site's lock `$name` (at most 64 characters).
 *
 * @since 0.1.0
 *
 * @param string $name Lock name.
 */
function fcwh_lock_key( string $name ): string {
	global $wpdb;
	return 'fcwh_' . md5( DB_NAME . '|' . $wpdb->prefix . '|' . $name );
}

/**
 * Takes the named lock without waiting.
 *
 * @since 0.1.0
 *
 * @param string $name Lock name.
 * @return bool Whether this request now holds it (also true when the database cannot tell).
 */
function fcwh_acquire_lock( string $name ): bool {
	global $wpdb;
	$got = $wpdb->get_var( $wpdb->prepare( 'SELECT GET_LOCK(%s, 0)', fcwh_lock_key( $name ) ) ); // phpcs:ignore WordPress.DB.DirectDatabaseQuery
	return null === $got || '1' === (string) $got;
}

/**
 * Releases the named lock (it is released anyway when the request ends).
 *
 * @since 0.1.0
 *
 * @param string $name Lock name.
 */
function fcwh_release_lock( string $name ): void {
	global $wpdb;
	$wpdb->query( $wpdb->prepare( 'SELECT RELEASE_LOCK(%s)', fcwh_lock_key( $name ) ) ); // phpcs:ignore WordPress.DB.DirectDatabaseQuery
}
