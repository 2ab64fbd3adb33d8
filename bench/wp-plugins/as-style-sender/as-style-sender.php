<?php
/**
 * Plugin Name: FCWH bench baseline: Action Scheduler-style sender
 * Description: Benchmark baseline only, never for a real site. Webhook delivery the way WooCommerce does it on Action Scheduler: one queued action per delivery in the WordPress database, a queue runner on WP-cron that claims 25 actions at a time and runs one batch at a time, each action a blocking, signed wp_remote_post with its log rows.
 * Version: 0.1.0
 * License: GPL-2.0-or-later
 *
 * Written for the benchmark from Action Scheduler's documented behaviour (claim a batch of 25,
 * log "created / started / complete", keep running batches until the queue is empty or 30 s
 * have passed, one concurrent batch); no Action Scheduler or WooCommerce code is copied.
 * It reads the webhooks from the sidecar's own table, so both senders serve the same subscriptions.
 *
 * @package FCWH_Bench
 */

if ( ! defined( 'ABSPATH' ) ) {
	exit;
}

const FCWH_BENCH_AS_BATCH      = 25;
const FCWH_BENCH_AS_TIME_LIMIT = 30;
const FCWH_BENCH_AS_HOOK       = 'fcwh_bench_deliver_webhook';
const FCWH_BENCH_AS_CRON       = 'fcwh_bench_run_queue';

register_activation_hook( __FILE__, 'fcwh_bench_as_install' );
add_action( FCWH_BENCH_AS_HOOK, 'fcwh_bench_as_deliver', 10, 2 );
add_action( FCWH_BENCH_AS_CRON, 'fcwh_bench_as_run_queue' );
add_action( 'rest_api_init', 'fcwh_bench_as_routes' );

/** The three tables, shaped like Action Scheduler's actions, claims and logs. */
function fcwh_bench_as_install(): void {
	global $wpdb;
	require_once ABSPATH . 'wp-admin/includes/upgrade.php';
	$p       = $wpdb->prefix;
	$charset = $wpdb->get_charset_collate();
	dbDelta(
		"CREATE TABLE {$p}fcwh_bench_actions (
  action_id bigint(20) unsigned NOT NULL AUTO_INCREMENT,
  hook varchar(191) NOT NULL,
  status varchar(20) NOT NULL,
  scheduled_date_gmt datetime NULL,
  args longtext NULL,
  attempts int(11) NOT NULL DEFAULT 0,
  last_attempt_gmt datetime NULL,
  claim_id bigint(20) unsigned NOT NULL DEFAULT 0,
  PRIMARY KEY  (action_id),
  KEY status_claim (status, claim_id, scheduled_date_gmt)
) {$charset};
CREATE TABLE {$p}fcwh_bench_claims (
  claim_id bigint(20) unsigned NOT NULL AUTO_INCREMENT,
  date_created_gmt datetime NULL,
  PRIMARY KEY  (claim_id)
) {$charset};
CREATE TABLE {$p}fcwh_bench_logs (
  log_id bigint(20) unsigned NOT NULL AUTO_INCREMENT,
  action_id bigint(20) unsigned NOT NULL,
  message text NOT NULL,
  log_date_gmt datetime NULL,
  PRIMARY KEY  (log_id),
  KEY action_id (action_id)
) {$charset};"
	);
}

function fcwh_bench_as_routes(): void {
	$admin = static function () {
		return current_user_can( 'manage_options' );
	};
	register_rest_route(
		'fcwh-bench/v1',
		'/actions',
		array(
			'methods'             => 'POST',
			'permission_callback' => $admin,
			'callback'            => static function ( WP_REST_Request $request ) {
				$count = 0;
				foreach ( (array) $request->get_param( 'events' ) as $event ) {
					fcwh_bench_as_enqueue( (int) $request->get_param( 'webhook_id' ), (array) $event );
					++$count;
				}
				return array( 'enqueued' => $count );
			},
		)
	);
	// What WP-cron does when the queue runner's event is due; the benchmark fires it back to back.
	register_rest_route(
		'fcwh-bench/v1',
		'/run-queue',
		array(
			'methods'             => 'POST',
			'permission_callback' => $admin,
			'callback'            => static function () {
				do_action( FCWH_BENCH_AS_CRON );
				return array( 'pending' => fcwh_bench_as_pending_count() );
			},
		)
	);
}

/** One action per delivery, with its "created" log row (as enqueueing an async action does). */
function fcwh_bench_as_enqueue( int $webhook_id, array $event ): void {
	global $wpdb;
	$now = gmdate( 'Y-m-d H:i:s' );
	$wpdb->insert(
		$wpdb->prefix . 'fcwh_bench_actions',
		array(
			'hook'               => FCWH_BENCH_AS_HOOK,
			'status'             => 'pending',
			'scheduled_date_gmt' => $now,
			'args'               => wp_json_encode( array( $webhook_id, $event ) ),
		)
	);
	fcwh_bench_as_log( (int) $wpdb->insert_id, 'action created' );
}

function fcwh_bench_as_log( int $action_id, string $message ): void {
	global $wpdb;
	$wpdb->insert(
		$wpdb->prefix . 'fcwh_bench_logs',
		array(
			'action_id'    => $action_id,
			'message'      => $message,
			'log_date_gmt' => gmdate( 'Y-m-d H:i:s' ),
		)
	);
}

function fcwh_bench_as_pending_count(): int {
	global $wpdb;
	return (int) $wpdb->get_var( "SELECT COUNT(*) FROM {$wpdb->prefix}fcwh_bench_actions WHERE status = 'pending'" ); // phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared
}

/** The queue runner: batches of 25, one after another, until none are due or time is up. */
function fcwh_bench_as_run_queue(): int {
	$started   = microtime( true );
	$processed = 0;
	do {
		$in_batch   = fcwh_bench_as_do_batch();
		$processed += $in_batch;
	} while ( $in_batch > 0 && microtime( true ) - $started < FCWH_BENCH_AS_TIME_LIMIT );
	return $processed;
}

function fcwh_bench_as_do_batch(): int {
	global $wpdb;
	$actions = $wpdb->prefix . 'fcwh_bench_actions';
	$now     = gmdate( 'Y-m-d H:i:s' );
	$wpdb->insert( $wpdb->prefix . 'fcwh_bench_claims', array( 'date_created_gmt' => $now ) );
	$claim_id = (int) $wpdb->insert_id;
	$wpdb->query( $wpdb->prepare( "UPDATE {$actions} SET claim_id = %d, last_attempt_gmt = %s WHERE claim_id = 0 AND status = 'pending' AND scheduled_date_gmt <= %s ORDER BY scheduled_date_gmt, action_id LIMIT %d", $claim_id, $now, $now, FCWH_BENCH_AS_BATCH ) ); // phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared
	$ids = $wpdb->get_col( $wpdb->prepare( "SELECT action_id FROM {$actions} WHERE claim_id = %d ORDER BY action_id", $claim_id ) ); // phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared
	foreach ( $ids as $action_id ) {
		fcwh_bench_as_process( (int) $action_id );
	}
	$wpdb->query( $wpdb->prepare( "UPDATE {$actions} SET claim_id = 0 WHERE claim_id = %d", $claim_id ) ); // phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared
	$wpdb->delete( $wpdb->prefix . 'fcwh_bench_claims', array( 'claim_id' => $claim_id ) );
	return count( $ids );
}

function fcwh_bench_as_process( int $action_id ): void {
	global $wpdb;
	$actions = $wpdb->prefix . 'fcwh_bench_actions';
	$wpdb->query( $wpdb->prepare( "UPDATE {$actions} SET attempts = attempts + 1, status = 'in-progress', last_attempt_gmt = %s WHERE action_id = %d", gmdate( 'Y-m-d H:i:s' ), $action_id ) ); // phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared
	fcwh_bench_as_log( $action_id, 'action started via WP Cron' );
	$action = $wpdb->get_row( $wpdb->prepare( "SELECT hook, args FROM {$actions} WHERE action_id = %d", $action_id ) ); // phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared
	$status = 'complete';
	try {
		do_action_ref_array( $action->hook, (array) json_decode( (string) $action->args, true ) );
	} catch ( \Throwable $error ) {
		$status = 'failed';
	}
	$wpdb->update( $actions, array( 'status' => $status ), array( 'action_id' => $action_id ) );
	fcwh_bench_as_log( $action_id, 'action ' . $status );
}

/**
 * The action: load the webhook, sign the body, POST it and log the answer.
 *
 * @param int   $webhook_id A row of the sidecar's webhooks table.
 * @param array $event      `id`, `event`, `timestamp`, `data`, as the plugin sends them.
 */
function fcwh_bench_as_deliver( int $webhook_id, array $event ): void {
	global $wpdb;
	$webhook = $wpdb->get_row( $wpdb->prepare( "SELECT id, url, secret FROM {$wpdb->prefix}fcwh_webhooks WHERE id = %d", $webhook_id ) ); // phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared
	if ( ! $webhook ) {
		throw new RuntimeException( 'no such webhook' );
	}
	$body     = wp_json_encode(
		array(
			'id'         => $event['id'],
			'event'      => $event['event'],
			'timestamp'  => $event['timestamp'],
			'webhook_id' => (int) $webhook->id,
			'data'       => $event['data'],
		)
	);
	$response = wp_remote_post(
		$webhook->url,
		array(
			'body'            => $body,
			'timeout'         => 30,
			'redirection'     => 0,
			'headers'         => array(
				'Content-Type'           => 'application/json',
				'X-FluentCRM-Event'      => (string) $event['event'],
				'X-FluentCRM-Webhook-ID' => (string) $webhook->id,
				'X-FluentCRM-Delivery'   => (string) $event['id'],
				'X-FluentCRM-Signature'  => 'sha256=' . hash_hmac( 'sha256', $body, (string) $webhook->secret ),
			),
			'sslcertificates' => (string) get_option( 'fcwh_bench_ca_bundle', ABSPATH . WPINC . '/certificates/ca-bundle.crt' ),
		)
	);
	if ( is_wp_error( $response ) ) {
		throw new RuntimeException( $response->get_error_message() );
	}
	$wpdb->insert(
		$wpdb->prefix . 'fcwh_bench_logs',
		array(
			'action_id'    => 0,
			'message'      => 'delivered: HTTP ' . wp_remote_retrieve_response_code( $response ),
			'log_date_gmt' => gmdate( 'Y-m-d H:i:s' ),
		)
	);
}
