<?php
/**
 * The outbox: events the sidecar did not take, kept in `{prefix}fcwh_outbox` and sent again, oldest
 * first, at the end of a later request and by the every-minute cron job. Each row keeps the
 * event's id, so a re-send the sidecar had in fact received is dropped there as a duplicate.
 *
 * An event the sidecar refuses outright (400/413: e.g. an event type an older sidecar does not
 * know) is isolated by halving its batch and marked `rejected`, so it cannot block the rest.
 *
 * @package FluentCRM_Webhooks
 * @since 0.1.0
 */

if ( ! defined( 'ABSPATH' ) ) {
	exit;
}

const FCWH_DB_VERSION               = '1';
const FCWH_OPTION_DB_VERSION        = 'fcwh_db_version';
const FCWH_OPTION_OUTBOX_WAITING    = 'fcwh_outbox_waiting';
const FCWH_OPTION_OUTBOX_LAST_FLUSH = 'fcwh_outbox_last_flush';
const FCWH_OUTBOX_READ_SIZE         = 500;
const FCWH_OUTBOX_INSERT_SIZE       = 100;

/**
 * The outbox table's full name.
 *
 * @since 0.1.0
 */
function fcwh_outbox_table(): string {
	global $wpdb;
	return $wpdb->prefix . 'fcwh_outbox';
}

/**
 * Creates (or upgrades) the outbox table.
 *
 * @since 0.1.0
 */
function fcwh_install_outbox_table(): void {
	global $wpdb;
	require_once ABSPATH . 'wp-admin/includes/upgrade.php';
	$table   = fcwh_outbox_table();
	$charset = $wpdb->get_charset_collate();
	dbDelta(
		"CREATE TABLE {$table} (
  id bigint(20) unsigned NOT NULL AUTO_INCREMENT,
  event_id varchar(64) NOT NULL,
  event_type varchar(64) NOT NULL,
  payload longtext NOT NULL,
  status varchar(20) NOT NULL DEFAULT 'pending',
  attempts int(10) unsigned NOT NULL DEFAULT 0,
  last_error text NULL,
  created_at datetime NOT NULL,
  last_attempt_at datetime NULL,
  PRIMARY KEY  (id),
  UNIQUE KEY event_id (event_id),
  KEY status_id (status,id)
) {$charset};"
	);
	update_option( FCWH_OPTION_DB_VERSION, FCWH_DB_VERSION, true );
}

/**
 * Keeps events for a later send.
 *
 * @since 0.1.0
 *
 * @param array[] $events Events as built by fcwh_emit().
 * @return bool Whether every event was stored.
 */
function fcwh_outbox_store( array $events ): bool {
	if ( ! $events ) {
		return true;
	}
	$stored = true;
	foreach ( array_chunk( $events, FCWH_OUTBOX_INSERT_SIZE ) as $chunk ) {
		$stored = fcwh_outbox_insert( $chunk ) && $stored;
	}
	if ( get_option( FCWH_OPTION_OUTBOX_WAITING ) !== '1' ) {
		update_option( FCWH_OPTION_OUTBOX_WAITING, '1', true );
	}
	return $stored;
}

/**
 * One multi-row INSERT; creates the table and retries once if it is missing.
 *
 * @since 0.1.0
 *
 * @param array[] $events At most FCWH_OUTBOX_INSERT_SIZE events.
 */
function fcwh_outbox_insert( array $events ): bool {
	global $wpdb;
	$now          = current_time( 'mysql', true );
	$placeholders = array();
	$values       = array();
	foreach ( $events as $event ) {
		$placeholders[] = '(%s, %s, %s, %s)';
		array_push( $values, $event['id'], $event['event'], wp_json_encode( $event ), $now );
	}
	$sql = 'INSERT IGNORE INTO ' . fcwh_outbox_table() . ' (event_id, event_type, payload, created_at) VALUES ' . implode( ', ', $placeholders );
	$sql = $wpdb->prepare( $sql, $values ); // phpcs:ignore WordPress.DB.PreparedSQL.NotPrepared -- placeholders built above.

	$quiet    = $wpdb->suppress_errors( true ); // a missing table is handled below, not printed.
	$inserted = $wpdb->query( $sql ); // phpcs:ignore WordPress.DB.PreparedSQL.NotPrepared
	$wpdb->suppress_errors( $quiet );
	if ( false !== $inserted ) {
		return true;
	}
	fcwh_install_outbox_table();
	if ( false !== $wpdb->query( $sql ) ) { // phpcs:ignore WordPress.DB.PreparedSQL.NotPrepared
		return true;
	}
	fcwh_log( sprintf( 'could not store %d event(s) in the outbox: %s', count( $events ), $wpdb->last_error ) );
	return false;
}

/**
 * Whether events may be waiting (a hint kept in an autoloaded option, so asking costs no query;
 * the cron job flushes whatever the hint says).
 *
 * @since 0.1.0
 */
function fcwh_outbox_may_have_events(): bool {
	return '1' === get_option( FCWH_OPTION_OUTBOX_WAITING );
}

/**
 * Sends waiting events, oldest first, until none is left, the sidecar stops taking them, or the
 * time budget is spent (checked after each read of up to 500 events, so a budget of 0 means one
 * read). One flusher at a time.
 *
 * @since 0.1.0
 *
 * @param float $budget  Seconds to keep going.
 * @param float $timeout Seconds per request to the sidecar.
 * @return array{sent: int, rejected: int, complete: bool} `complete`: nothing is left waiting.
 */
function fcwh_outbox_flush( float $budget, float $timeout ): array {
	global $wpdb;
	$report = array(
		'sent'     => 0,
		'rejected' => 0,
		'complete' => false,
	);
	if ( ! fcwh_acquire_lock( 'outbox' ) ) {
		return $report;
	}
	$deadline = microtime( true ) + $budget;
	$table    = fcwh_outbox_table();

	while ( true ) {
		$rows = $wpdb->get_results( // phpcs:ignore WordPress.DB.DirectDatabaseQuery
			$wpdb->prepare( "SELECT id, payload FROM {$table} WHERE status = 'pending' ORDER BY id LIMIT %d", FCWH_OUTBOX_READ_SIZE ), // phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared
			ARRAY_A
		);
		if ( ! $rows ) {
			$report['complete'] = '' === $wpdb->last_error;
			break;
		}
		$payloads = array_column( $rows, 'payload', 'id' );
		$stopped  = false;
		foreach ( fcwh_batch_encoded_events( $payloads ) as $batch ) {
			if ( ! fcwh_outbox_send( $batch, $timeout, $report ) ) {
				$stopped = true;
				break;
			}
		}
		if ( $stopped || microtime( true ) >= $deadline ) {
			break;
		}
	}

	if ( $report['complete'] ) {
		update_option( FCWH_OPTION_OUTBOX_WAITING, '0', true );
	}
	if ( $report['sent'] > 0 ) {
		update_option( FCWH_OPTION_OUTBOX_LAST_FLUSH, time(), false );
	}
	fcwh_release_lock( 'outbox' );
	return $report;
}

/**
 * Sends one batch of outbox rows; a refused batch is halved until the refused events are alone.
 *
 * @since 0.1.0
 *
 * @param array<int, string> $payloads Row id => the event's JSON.
 * @param float              $timeout  Seconds per request.
 * @param array              $report   Counters, updated.
 * @return bool False when the sidecar did not take events (stop flushing for now).
 */
function fcwh_outbox_send( array $payloads, float $timeout, array &$report ): bool {
	$outcome = fcwh_post_event_batch( array_values( $payloads ), $timeout );
	$ids     = array_keys( $payloads );

	if ( 'accepted' === $outcome['outcome'] ) {
		fcwh_outbox_delete( $ids );
		$report['sent'] += count( $ids );
		return true;
	}
	if ( 'rejected' === $outcome['outcome'] ) {
		if ( count( $payloads ) > 1 ) {
			$half = (int) ceil( count( $payloads ) / 2 );
			return fcwh_outbox_send( array_slice( $payloads, 0, $half, true ), $timeout, $report )
				&& fcwh_outbox_send( array_slice( $payloads, $half, null, true ), $timeout, $report );
		}
		fcwh_outbox_mark( $ids, 'rejected', $outcome['message'] );
		$report['rejected'] += 1;
		return true;
	}
	fcwh_outbox_mark( $ids, 'pending', $outcome['message'] );
	return false;
}

/**
 * Deletes sent rows.
 *
 * @since 0.1.0
 *
 * @param int[] $ids Row ids.
 */
function fcwh_outbox_delete( array $ids ): void {
	global $wpdb;
	$ids = implode( ',', array_map( 'intval', $ids ) );
	$wpdb->query( 'DELETE FROM ' . fcwh_outbox_table() . " WHERE id IN ({$ids})" ); // phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared -- integers only.
}

/**
 * Records a failed attempt on rows.
 *
 * @since 0.1.0
 *
 * @param int[]  $ids    Row ids.
 * @param string $status `pending` (try again) or `rejected` (never again).
 * @param string $error  Why.
 */
function fcwh_outbox_mark( array $ids, string $status, string $error ): void {
	global $wpdb;
	$ids = implode( ',', array_map( 'intval', $ids ) );
	$wpdb->query( // phpcs:ignore WordPress.DB.DirectDatabaseQuery
		$wpdb->prepare(
			'UPDATE ' . fcwh_outbox_table() . " SET status = %s, attempts = attempts + 1, last_error = %s, last_attempt_at = %s WHERE id IN ({$ids})", // phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared -- integers only.
			$status,
			substr( $error, 0, 1000 ),
			current_time( 'mysql', true )
		)
	);
}

/**
 * What the admin screens show about the outbox.
 *
 * @since 0.1.0
 *
 * @return array{count: int, oldest: string|null, last_flush: string|null, rejected: int}
 *               Times in ISO 8601 UTC; `count` and `oldest` are about events still to send.
 */
function fcwh_outbox_stats(): array {
	global $wpdb;
	$table = fcwh_outbox_table();
	$rows  = $wpdb->get_results( "SELECT status, COUNT(*) AS n, MIN(created_at) AS oldest FROM {$table} GROUP BY status", ARRAY_A ); // phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared, WordPress.DB.DirectDatabaseQuery
	$stats = array(
		'count'      => 0,
		'oldest'     => null,
		'last_flush' => null,
		'rejected'   => 0,
	);
	foreach ( (array) $rows as $row ) {
		if ( 'pending' === $row['status'] ) {
			$stats['count']  = (int) $row['n'];
			$stats['oldest'] = $row['oldest'] ? gmdate( 'Y-m-d\TH:i:s\Z', strtotime( $row['oldest'] . ' UTC' ) ) : null;
		} elseif ( 'rejected' === $row['status'] ) {
			$stats['rejected'] = (int) $row['n'];
		}
	}
	$last_flush = (int) get_option( FCWH_OPTION_OUTBOX_LAST_FLUSH, 0 );
	if ( $last_flush ) {
		$stats['last_flush'] = gmdate( 'Y-m-d\TH:i:s\Z', $last_flush );
	}
	return $stats;
}
