<?php
/**
 * The hand-over: when the sidecar keeps its tables in this WordPress database, a request's events
 * are written into the outbox table in one INSERT at the end of the request, and the sidecar takes
 * them from there (sidecar/fluentcrm_webhooks/handover.py), recording their deliveries in the same
 * transaction that deletes the rows. No call to the sidecar: the site's cost is that one INSERT.
 *
 * How the plugin chooses (auto-detect, docs/outbox.md): the sidecar writes a `handover` row in its
 * `{prefix}fcwh_state` table every 30 s while it takes this table. Once a minute (at the end of a
 * request, or by the cron job) the plugin reads that row from its own database; a row naming this
 * outbox table, refreshed in the last FCWH_HANDOVER_MAX_SILENCE seconds, opens the path, anything
 * else (no such table: a sidecar on SQLite or another database; an old row: a sidecar that stopped)
 * closes it, and the events go over `POST /v2/events` as before. `define( 'FCWH_TRANSPORT', 'http' )`
 * in wp-config.php never uses the hand-over.
 *
 * Either way an event that is not taken waits in the same table, so every guarantee of the outbox
 * holds on both paths; when the path closes, the outbox is flagged as waiting so that the plugin's
 * own flush sends whatever the sidecar had not taken yet.
 *
 * @package FluentCRM_Webhooks
 * @since 0.1.0
 */

if ( ! defined( 'ABSPATH' ) ) {
	exit;
}

const FCWH_OPTION_HANDOVER        = 'fcwh_handover';
const FCWH_HANDOVER_CHECK_EVERY   = 60; // Seconds between reads of the sidecar's `handover` row.
const FCWH_HANDOVER_MAX_SILENCE   = 120; // The sidecar refreshes it every 30 s.
const FCWH_HANDOVER_STATE_KEY     = 'handover';
const FCWH_TRANSPORT_AUTO         = 'auto';
const FCWH_TRANSPORT_HTTP         = 'http';

/**
 * The FCWH_TRANSPORT constant: `auto` (the default: the hand-over when the sidecar takes it) or
 * `http` (always `POST /v2/events`).
 *
 * @since 0.1.0
 */
function fcwh_transport_setting(): string {
	return defined( 'FCWH_TRANSPORT' ) && FCWH_TRANSPORT_HTTP === FCWH_TRANSPORT ? FCWH_TRANSPORT_HTTP : FCWH_TRANSPORT_AUTO;
}

/**
 * What the last check found (an autoloaded option: reading it costs no query).
 *
 * @since 0.1.0
 *
 * @return array{open: bool, checked_at: int}
 */
function fcwh_handover_state(): array {
	$stored = get_option( FCWH_OPTION_HANDOVER );
	return array(
		'open'       => is_array( $stored ) && ! empty( $stored['open'] ),
		'checked_at' => is_array( $stored ) && isset( $stored['checked_at'] ) ? (int) $stored['checked_at'] : 0,
	);
}

/**
 * Whether this request hands its events over through the database.
 *
 * @since 0.1.0
 */
function fcwh_handover_open(): bool {
	return FCWH_TRANSPORT_AUTO === fcwh_transport_setting() && fcwh_handover_state()['open'];
}

/**
 * Whether the sidecar's `handover` row is due to be read again.
 *
 * @since 0.1.0
 */
function fcwh_handover_check_due(): bool {
	return FCWH_TRANSPORT_AUTO === fcwh_transport_setting()
		&& time() - fcwh_handover_state()['checked_at'] >= FCWH_HANDOVER_CHECK_EVERY;
}

/**
 * Whether a `handover` row opens the path for this outbox table. Pure.
 *
 * @since 0.1.0
 *
 * @param array|null $row   `value` (JSON) and `updated_at` (UTC, `Y-m-d H:i:s`), or null for none.
 * @param string     $table This site's outbox table.
 * @param int        $now   Unix time.
 */
function fcwh_handover_row_opens( ?array $row, string $table, int $now ): bool {
	if ( null === $row || ! isset( $row['value'], $row['updated_at'] ) ) {
		return false;
	}
	$value   = json_decode( (string) $row['value'], true );
	$updated = strtotime( $row['updated_at'] . ' UTC' );
	return is_array( $value ) && isset( $value['table'] ) && $value['table'] === $table
		&& false !== $updated && $now - $updated <= FCWH_HANDOVER_MAX_SILENCE;
}

/**
 * Reads the sidecar's `handover` row and records whether the path is open. A path that closes
 * flags the outbox as waiting, so the plugin's flush sends what the sidecar had not taken.
 *
 * @since 0.1.0
 *
 * @return bool Whether it is open.
 */
function fcwh_check_handover(): bool {
	global $wpdb;
	$open = false;
	if ( FCWH_TRANSPORT_AUTO === fcwh_transport_setting() ) {
		$quiet = $wpdb->suppress_errors( true ); // no such table: the sidecar is elsewhere.
		$row   = $wpdb->get_row( // phpcs:ignore WordPress.DB.DirectDatabaseQuery
			$wpdb->prepare( 'SELECT value, updated_at FROM ' . $wpdb->prefix . 'fcwh_state WHERE `key` = %s', FCWH_HANDOVER_STATE_KEY ), // phpcs:ignore WordPress.DB.PreparedSQL.NotPrepared
			ARRAY_A
		);
		$wpdb->suppress_errors( $quiet );
		$open = fcwh_handover_row_opens( is_array( $row ) ? $row : null, fcwh_outbox_table(), time() );
	}
	if ( ! $open && fcwh_handover_state()['open'] ) {
		update_option( FCWH_OPTION_OUTBOX_WAITING, '1', true );
	}
	update_option(
		FCWH_OPTION_HANDOVER,
		array(
			'open'       => $open,
			'checked_at' => time(),
		),
		true
	);
	return $open;
}

/**
 * Hands events over: one multi-row INSERT (per 100 events) into the outbox, nothing else.
 *
 * @since 0.1.0
 *
 * @param array[] $encoded Encoded events (fcwh_encode_events()).
 * @return bool Whether every event is in the table.
 */
function fcwh_hand_over( array $encoded ): bool {
	return fcwh_outbox_keep( $encoded, false );
}
