<?php
/**
 * The outbox: events the sidecar did not take, kept in `{prefix}fcwh_outbox` and sent again, oldest
 * first, at the end of a later request and by the every-minute cron job. Each row keeps the
 * event's id, so a re-send the sidecar had in fact received is dropped there as a duplicate.
 * When the sidecar shares this database, the table is also the hand-over (handover.php): every
 * event goes in, and the sidecar takes the `pending` rows itself, with the rules below.
 *
 * On a copy of the site (staging.php) whose sidecar has not confirmed that delivery is paused,
 * new rows are written `held`: neither the sidecar's hand-over nor the plugin's flush takes them,
 * so nothing reaches the live site's receivers; once the pause is confirmed they are put back in
 * line (fcwh_outbox_release_held()).
 *
 * An event the sidecar refuses outright (400/413: e.g. an event type an older sidecar does not
 * know) is isolated by halving its batch and marked `rejected`, so it cannot block the rest.
 *
 * An event the sidecar fails on (a 5xx, e.g. data its database cannot store) would otherwise be
 * retried at the head of the line forever. A 5xx alone cannot say whether the event or the
 * sidecar is at fault (the sidecar also answers 500 while its database is down), so the batch is
 * halved as a refused one is, and an event that fails on its own counts against it only when
 * the sidecar's health check (`/healthz`: up and ready) passes right after. After
 * FCWH_OUTBOX_MAX_TRIES such failures, at least FCWH_OUTBOX_RETRY_PAUSE seconds apart, the row
 * is `set_aside`: kept, never deleted, shown on the settings screen, sent again from there. The
 * events behind it go on meanwhile. A sidecar that does not answer, times out, refuses the token
 * or fails its health check sets nothing aside, however long that lasts: all stays `pending`.
 *
 * @package FluentCRM_Webhooks
 * @since 0.1.0
 */

if ( ! defined( 'ABSPATH' ) ) {
	exit;
}

const FCWH_DB_VERSION               = '2';
const FCWH_OPTION_DB_VERSION        = 'fcwh_db_version';
const FCWH_OPTION_OUTBOX_WAITING    = 'fcwh_outbox_waiting';
const FCWH_OPTION_OUTBOX_LAST_FLUSH = 'fcwh_outbox_last_flush';
const FCWH_OPTION_OUTBOX_HELD       = 'fcwh_outbox_held'; // '1': rows are `held` (a copy of the site).
const FCWH_OUTBOX_READ_SIZE         = 500;
const FCWH_OUTBOX_INSERT_SIZE       = 100;
// Failures of one event sent alone, with the sidecar otherwise healthy, before it is set aside:
// enough that a passing hiccup (a deadlock, a restart between the answer and the health check)
// does not set an event aside, few enough that an event the sidecar cannot take is not retried
// for long. The events behind it are not held up meanwhile.
const FCWH_OUTBOX_MAX_TRIES = 5;
// Seconds such an event waits before its next try. Flushes run at the end of every request while
// events wait: without a pause, a busy site would spend its five tries in a second, each one a
// request to the sidecar that a visitor may wait for. With it, the tries span minutes (two to
// five, depending on traffic and the every-minute cron job), long enough for a hiccup to pass.
const FCWH_OUTBOX_RETRY_PAUSE = 30;

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
  strikes int(10) unsigned NOT NULL DEFAULT 0,
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
	return fcwh_outbox_keep( fcwh_encode_events( $events ) );
}

/**
 * Keeps encoded events as they are (each one's JSON is stored as given: never decoded and encoded
 * again, so what the sidecar gets is byte for byte what the request made).
 *
 * @since 0.1.0
 *
 * @param array[] $encoded      Encoded events (fcwh_encode_events()).
 * @param bool    $flag_waiting Mark the outbox as waiting for the plugin's flush (not when the
 *                              sidecar takes the table itself: handover.php).
 * @return bool Whether every event was stored.
 */
function fcwh_outbox_keep( array $encoded, bool $flag_waiting = true ): bool {
	if ( ! $encoded ) {
		return true;
	}
	$stored = true;
	foreach ( array_chunk( $encoded, FCWH_OUTBOX_INSERT_SIZE ) as $chunk ) {
		$stored = fcwh_outbox_insert( $chunk ) && $stored;
	}
	if ( $flag_waiting && get_option( FCWH_OPTION_OUTBOX_WAITING ) !== '1' ) {
		update_option( FCWH_OPTION_OUTBOX_WAITING, '1', true );
	}
	return $stored;
}

/**
 * One multi-row INSERT; creates the table and retries once if it is missing.
 *
 * @since 0.1.0
 *
 * @param array[] $encoded At most FCWH_OUTBOX_INSERT_SIZE encoded events.
 */
function fcwh_outbox_insert( array $encoded ): bool {
	global $wpdb;
	$now          = current_time( 'mysql', true );
	$placeholders = array();
	$values       = array();
	$status       = fcwh_outbox_new_row_status();
	foreach ( $encoded as $event ) {
		$placeholders[] = '(%s, %s, %s, %s, %s)';
		array_push( $values, $event['id'], $event['event'], $event['json'], $status, $now );
	}
	if ( FCWH_OUTBOX_HELD === $status && ! fcwh_outbox_has_held_rows() ) {
		update_option( FCWH_OPTION_OUTBOX_HELD, '1', true );
	}
	$sql = 'INSERT IGNORE INTO ' . fcwh_outbox_table() . ' (event_id, event_type, payload, status, created_at) VALUES ' . implode( ', ', $placeholders );
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
	fcwh_log( sprintf( 'could not store %d event(s) in the outbox: %s', count( $encoded ), $wpdb->last_error ) );
	return false;
}

/**
 * `held` on a copy of the site whose sidecar has not confirmed the pause (staging.php), else
 * `pending`. Two autoloaded options compared: no query.
 *
 * @since 0.1.0
 */
function fcwh_outbox_new_row_status(): string {
	$copy = fcwh_site_copy();
	return null === $copy || ! empty( $copy['paused'] ) ? FCWH_OUTBOX_PENDING : FCWH_OUTBOX_HELD;
}

/**
 * Whether rows are `held`. Read from the autoloaded options themselves: get_option() of an option
 * that was never written asks the database, on every request of a site that is not a copy.
 *
 * @since 0.1.0
 */
function fcwh_outbox_has_held_rows(): bool {
	$options = wp_load_alloptions();
	return isset( $options[ FCWH_OPTION_OUTBOX_HELD ] ) && '1' === $options[ FCWH_OPTION_OUTBOX_HELD ];
}

/**
 * Puts `held` rows back in line once this copy's sidecar has confirmed the pause (or the site is
 * the real one again); they are then recorded there as held deliveries, or sent, as any other.
 * Costs no query while nothing is held.
 *
 * @since 0.1.0
 *
 * @return int How many rows were put back.
 */
function fcwh_outbox_release_held(): int {
	global $wpdb;
	if ( ! fcwh_outbox_has_held_rows() || FCWH_OUTBOX_HELD === fcwh_outbox_new_row_status() ) {
		return 0;
	}
	$released = $wpdb->query( // phpcs:ignore WordPress.DB.DirectDatabaseQuery
		$wpdb->prepare( 'UPDATE ' . fcwh_outbox_table() . ' SET status = %s WHERE status = %s', FCWH_OUTBOX_PENDING, FCWH_OUTBOX_HELD ) // phpcs:ignore WordPress.DB.PreparedSQL.NotPrepared, WordPress.DB.PreparedSQL.InterpolatedNotPrepared
	);
	if ( false === $released ) {
		return 0; // Tried again at the next request.
	}
	update_option( FCWH_OPTION_OUTBOX_WAITING, '1', true );
	update_option( FCWH_OPTION_OUTBOX_HELD, '0', true );
	return (int) $released;
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
 * read). An event the sidecar failed on waits FCWH_OUTBOX_RETRY_PAUSE seconds, and at least
 * until the next flush, before it is tried again. One flusher at a time.
 *
 * @since 0.1.0
 *
 * @param float $budget  Seconds to keep going.
 * @param float $timeout Seconds per request to the sidecar.
 * @return array{sent: int, rejected: int, set_aside: int, complete: bool} `complete`: nothing is
 *               left waiting.
 */
function fcwh_outbox_flush( float $budget, float $timeout ): array {
	global $wpdb;
	$report = array(
		'sent'      => 0,
		'rejected'  => 0,
		'set_aside' => 0,
		'complete'  => false,
	);
	if ( ! fcwh_acquire_lock( 'outbox' ) ) {
		return $report;
	}
	$deadline = microtime( true ) + $budget;
	$table    = fcwh_outbox_table();
	// The sidecar's health check in this flush (null: not asked yet).
	$run = array( 'healthy' => null );
	// Rows are read past a cursor, so an event the sidecar failed on (still pending) is not read
	// again in this flush; one it failed on in an earlier flush waits out its pause.
	$after  = 0;
	$paused = gmdate( 'Y-m-d H:i:s', time() - FCWH_OUTBOX_RETRY_PAUSE );

	while ( true ) {
		$rows = $wpdb->get_results( // phpcs:ignore WordPress.DB.DirectDatabaseQuery
			$wpdb->prepare(
				"SELECT id, payload FROM {$table} WHERE status = %s AND id > %d AND ( strikes = 0 OR last_attempt_at <= %s ) ORDER BY id LIMIT %d", // phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared
				FCWH_OUTBOX_PENDING,
				$after,
				$paused,
				FCWH_OUTBOX_READ_SIZE
			),
			ARRAY_A
		);
		if ( ! $rows ) {
			// Complete only if nothing is left at all, events waiting out their pause included.
			$report['complete'] = '' === $wpdb->last_error
				&& null === $wpdb->get_var( $wpdb->prepare( "SELECT id FROM {$table} WHERE status = %s LIMIT 1", FCWH_OUTBOX_PENDING ) ) // phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared, WordPress.DB.DirectDatabaseQuery
				&& '' === $wpdb->last_error;
			break;
		}
		$payloads = array_column( $rows, 'payload', 'id' );
		$after    = (int) max( array_keys( $payloads ) );
		$stopped  = false;
		foreach ( fcwh_batch_encoded_events( $payloads ) as $batch ) {
			if ( ! fcwh_outbox_send( $batch, $timeout, $report, $run ) ) {
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
 * Sends one batch of outbox rows. A batch refused (400/413) or failed on (5xx) is halved until
 * the events at fault are alone; those are marked `rejected`, or counted towards `set_aside`.
 *
 * @since 0.1.0
 *
 * @param array<int, string> $payloads Row id => the event's JSON.
 * @param float              $timeout  Seconds per request.
 * @param array              $report   Counters, updated.
 * @param array              $run      The flush's state (see fcwh_outbox_flush()), updated.
 * @return bool False when the sidecar did not take events (stop flushing for now).
 */
function fcwh_outbox_send( array $payloads, float $timeout, array &$report, array &$run ): bool {
	$outcome = fcwh_post_event_batch( array_values( $payloads ), $timeout );
	$ids     = array_keys( $payloads );

	if ( 'accepted' === $outcome['outcome'] ) {
		fcwh_outbox_delete( $ids );
		$report['sent'] += count( $ids );
		return true;
	}
	$refused = 'rejected' === $outcome['outcome'];
	$failed  = 'failed' === $outcome['outcome'];
	if ( $failed && ! fcwh_outbox_sidecar_is_healthy( $timeout, $run, 1 === count( $ids ) ) ) {
		// Failing everything (its database is down...), not this batch: nobody's fault, keep all.
		$failed = false;
	}
	if ( ( $refused || $failed ) && count( $payloads ) > 1 ) {
		$half = (int) ceil( count( $payloads ) / 2 );
		return fcwh_outbox_send( array_slice( $payloads, 0, $half, true ), $timeout, $report, $run )
			&& fcwh_outbox_send( array_slice( $payloads, $half, null, true ), $timeout, $report, $run );
	}
	if ( $refused ) {
		fcwh_outbox_mark( $ids, FCWH_OUTBOX_REJECTED, $outcome['message'] );
		$report['rejected'] += 1;
		return true;
	}
	if ( $failed ) {
		if ( fcwh_outbox_strike( $ids[0], $outcome['message'] ) ) {
			$report['set_aside'] += 1;
		}
		return true; // The events behind it go on.
	}
	fcwh_outbox_mark( $ids, FCWH_OUTBOX_PENDING, $outcome['message'] );
	return false;
}

/**
 * Whether the sidecar is healthy apart from the batch it just failed on: its health check
 * answers 200 (it is up and ready, its database reachable). Asked once per flush before halving,
 * and again before an event is held to account, so an outage that starts mid-flush is noticed
 * before it costs any event a strike.
 *
 * @since 0.1.0
 *
 * @param float $timeout Seconds.
 * @param array $run     The flush's state (see fcwh_outbox_flush()), updated.
 * @param bool  $fresh   Ask again even if this flush already asked.
 */
function fcwh_outbox_sidecar_is_healthy( float $timeout, array &$run, bool $fresh ): bool {
	if ( $fresh || null === $run['healthy'] ) {
		$health         = fcwh_sidecar_request( 'GET', '/healthz', null, array(), array( 'timeout' => $timeout ) );
		$run['healthy'] = 200 === $health['status'];
	}
	return $run['healthy'];
}

/**
 * Counts a failure against one row the sidecar failed on by itself while otherwise healthy, and
 * sets it aside at the FCWH_OUTBOX_MAX_TRIES-th.
 *
 * @since 0.1.0
 *
 * @param int    $id    Row id.
 * @param string $error The sidecar's message.
 * @return bool Whether the row is now set aside.
 */
function fcwh_outbox_strike( int $id, string $error ): bool {
	global $wpdb;
	$table = fcwh_outbox_table();
	$wpdb->query( // phpcs:ignore WordPress.DB.DirectDatabaseQuery
		$wpdb->prepare(
			"UPDATE {$table} SET strikes = strikes + 1, attempts = attempts + 1, last_error = %s, last_attempt_at = %s WHERE id = %d", // phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared
			substr( $error, 0, 1000 ),
			current_time( 'mysql', true ),
			$id
		)
	);
	return (bool) $wpdb->query( // phpcs:ignore WordPress.DB.DirectDatabaseQuery
		$wpdb->prepare( "UPDATE {$table} SET status = %s WHERE id = %d AND strikes >= %d", FCWH_OUTBOX_SET_ASIDE, $id, FCWH_OUTBOX_MAX_TRIES ) // phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared
	);
}

/**
 * Puts every set-aside row back in line, with a clean slate (the settings screen's "Retry
 * set-aside events", once whatever made the sidecar fail on them is fixed). Their attempts and
 * last error stay, as a record.
 *
 * @since 0.1.0
 *
 * @return int How many rows were put back.
 */
function fcwh_outbox_retry_set_aside(): int {
	global $wpdb;
	$retried = (int) $wpdb->query( $wpdb->prepare( 'UPDATE ' . fcwh_outbox_table() . ' SET status = %s, strikes = 0 WHERE status = %s', FCWH_OUTBOX_PENDING, FCWH_OUTBOX_SET_ASIDE ) ); // phpcs:ignore WordPress.DB.DirectDatabaseQuery, WordPress.DB.PreparedSQL.NotPrepared
	if ( $retried > 0 ) {
		update_option( FCWH_OPTION_OUTBOX_WAITING, '1', true );
	}
	return $retried;
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
 * @return array{count: int, oldest: string|null, last_flush: string|null, rejected: int, set_aside: int, set_aside_error: string|null}
 *               Times in ISO 8601 UTC; `count` and `oldest` are about events still to send;
 *               `set_aside_error` is the sidecar's message for the latest event set aside
 *               (null when none is).
 */
function fcwh_outbox_stats(): array {
	global $wpdb;
	$table = fcwh_outbox_table();
	$rows  = $wpdb->get_results( "SELECT status, COUNT(*) AS n, MIN(created_at) AS oldest FROM {$table} GROUP BY status", ARRAY_A ); // phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared, WordPress.DB.DirectDatabaseQuery
	$stats = array(
		'count'           => 0,
		'oldest'          => null,
		'last_flush'      => null,
		'rejected'        => 0,
		'set_aside'       => 0,
		'set_aside_error' => null,
	);
	foreach ( (array) $rows as $row ) {
		if ( FCWH_OUTBOX_PENDING === $row['status'] || FCWH_OUTBOX_HELD === $row['status'] ) {
			$stats['count'] += (int) $row['n'];
			$oldest          = $row['oldest'] ? gmdate( 'Y-m-d\TH:i:s\Z', strtotime( $row['oldest'] . ' UTC' ) ) : null;
			$stats['oldest'] = null === $stats['oldest'] || ( null !== $oldest && $oldest < $stats['oldest'] ) ? $oldest : $stats['oldest'];
		} elseif ( FCWH_OUTBOX_REJECTED === $row['status'] ) {
			$stats['rejected'] = (int) $row['n'];
		} elseif ( FCWH_OUTBOX_SET_ASIDE === $row['status'] ) {
			$stats['set_aside'] = (int) $row['n'];
		}
	}
	if ( $stats['set_aside'] > 0 ) {
		$stats['set_aside_error'] = (string) $wpdb->get_var( $wpdb->prepare( "SELECT last_error FROM {$table} WHERE status = %s ORDER BY last_attempt_at DESC, id DESC LIMIT 1", FCWH_OUTBOX_SET_ASIDE ) ); // phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared, WordPress.DB.DirectDatabaseQuery
	}
	$last_flush = (int) get_option( FCWH_OPTION_OUTBOX_LAST_FLUSH, 0 );
	if ( $last_flush ) {
		$stats['last_flush'] = gmdate( 'Y-m-d\TH:i:s\Z', $last_flush );
	}
	return $stats;
}
