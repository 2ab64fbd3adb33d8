<?php
/**
 * Getting events to the sidecar without ever holding up or breaking the site.
 *
 * At the very end of the request (after the visitor has the response when PHP-FPM or LiteSpeed
 * lets us finish it early), buffered events are encoded once and either handed over through the
 * database (handover.php: one INSERT into the outbox, which the sidecar takes from there) or, when
 * the sidecar does not share the database, sent to `POST /v2/events` in batches under the sidecar's
 * 1 MB limit, with a short timeout. Whatever it does not accept goes to the outbox. The same moment
 * is used to send the outbox's backlog (HTTP path only) and refresh the subscribed types.
 *
 * @package FluentCRM_Webhooks
 * @since 0.1.0
 */

if ( ! defined( 'ABSPATH' ) ) {
	exit;
}

const FCWH_BATCH_MAX_BYTES  = 900000; // The sidecar refuses bodies over 1 MB.
const FCWH_BATCH_MAX_EVENTS = 500;
const FCWH_SHUTDOWN_TIMEOUT = 5; // Seconds per batch at the end of a request.
// Seconds a request may spend on the outbox's backlog once the visitor has the response. When
// the server cannot hand the response over early, one read of the backlog (up to 500 events) only.
const FCWH_SHUTDOWN_BACKLOG_BUDGET = 10;

/**
 * Sends what the request produced. A PHP shutdown function: runs after every `shutdown` callback.
 *
 * @since 0.1.0
 */
function fcwh_flush_at_shutdown(): void {
	$events  = fcwh_take_buffered_events();
	$encoded = array();
	try {
		fcwh_outbox_release_held();
		$handover    = fcwh_handover_open();
		$backlog_due = ! $handover && ( fcwh_buffer_spilled() || fcwh_outbox_may_have_events() ) && ! fcwh_sidecar_backoff_active();
		$refresh_due = fcwh_subscriptions_refresh_due() && ! fcwh_sidecar_backoff_active();
		$check_due   = fcwh_handover_check_due();
		if ( ! $events && ! $backlog_due && ! $refresh_due && ! $check_due ) {
			return;
		}
		$encoded = fcwh_encode_events( $events );
		$events  = array();
		if ( $handover && fcwh_hand_over( $encoded ) ) {
			$encoded = array(); // The sidecar takes them from the table: nothing else to do here.
		}
		$visitor_gone = fcwh_finish_response();

		if ( $backlog_due ) {
			// A request that parked a burst of its own (a bulk job, not a page view) sends it all.
			$budget = $visitor_gone || fcwh_buffer_spilled() ? FCWH_SHUTDOWN_BACKLOG_BUDGET : 0;
			fcwh_outbox_flush( $budget, FCWH_SHUTDOWN_TIMEOUT );
		}
		if ( $encoded ) {
			$unsent  = fcwh_sidecar_backoff_active() ? $encoded : fcwh_deliver_encoded( $encoded, FCWH_SHUTDOWN_TIMEOUT );
			$encoded = array();
			fcwh_outbox_keep( $unsent );
		}
		if ( $check_due ) {
			fcwh_check_handover();
		}
		fcwh_refresh_subscribed_events_if_due();
	} catch ( \Throwable $error ) {
		fcwh_log_error( 'transport', $error );
		// Keep them rather than lose them: if they did reach the sidecar, it drops the re-send.
		fcwh_outbox_keep( $events ? fcwh_encode_events( $events ) : $encoded );
	}
}

/**
 * Lets the visitor have the response now, when the server can (PHP-FPM, LiteSpeed).
 *
 * @since 0.1.0
 *
 * @return bool Whether the response is complete (nobody waits for the rest of this request).
 */
function fcwh_finish_response(): bool {
	if ( function_exists( 'fastcgi_finish_request' ) ) {
		return fastcgi_finish_request();
	}
	if ( function_exists( 'litespeed_finish_request' ) ) {
		return (bool) litespeed_finish_request();
	}
	return false;
}

/**
 * Each event's JSON, made once: what is sent, and what the outbox keeps if it is not.
 *
 * @since 0.1.0
 *
 * @param array[] $events Events as built by fcwh_emit().
 * @return array<int, array{id: string, event: string, json: string}>
 */
function fcwh_encode_events( array $events ): array {
	$encoded = array();
	foreach ( $events as $event ) {
		$encoded[] = array(
			'id'    => (string) $event['id'],
			'event' => (string) $event['event'],
			'json'  => (string) wp_json_encode( $event ),
		);
	}
	return $encoded;
}

/**
 * Sends encoded events in batches; stops at the first batch the sidecar does not accept.
 *
 * @since 0.1.0
 *
 * @param array[] $encoded Encoded events (fcwh_encode_events()).
 * @param float   $timeout Seconds per batch.
 * @return array[] The encoded events not accepted (to keep in the outbox).
 */
function fcwh_deliver_encoded( array $encoded, float $timeout ): array {
	$encoded = array_values( $encoded );
	foreach ( fcwh_batch_encoded_events( array_column( $encoded, 'json' ) ) as $batch ) {
		$outcome = fcwh_post_event_batch( array_values( $batch ), $timeout );
		if ( 'accepted' !== $outcome['outcome'] ) {
			// This batch and every later one; the outbox sorts out events refused or failed on.
			return array_slice( $encoded, (int) array_key_first( $batch ) );
		}
	}
	return array();
}

/**
 * Splits JSON-encoded events into batches under the size and count limits, keys kept.
 *
 * @since 0.1.0
 *
 * @param array<int|string, string> $encoded Key => one event's JSON.
 * @return array<int, array<int|string, string>>
 */
function fcwh_batch_encoded_events( array $encoded ): array {
	$batches = array();
	$batch   = array();
	$size    = 0;
	foreach ( $encoded as $key => $json ) {
		$length = strlen( $json ) + 1;
		if ( $batch && ( $size + $length > FCWH_BATCH_MAX_BYTES || count( $batch ) >= FCWH_BATCH_MAX_EVENTS ) ) {
			$batches[] = $batch;
			$batch     = array();
			$size      = 0;
		}
		$batch[ $key ] = $json;
		$size         += $length;
	}
	if ( $batch ) {
		$batches[] = $batch;
	}
	return $batches;
}

/**
 * POSTs one batch to the sidecar.
 *
 * @since 0.1.0
 *
 * @param string[] $encoded_events Each event's JSON.
 * @param float    $timeout        Seconds.
 * @return array{outcome: string, message: string} `accepted`; `rejected` (the sidecar refuses
 *               the content: 400/413); `failed` (it answered with a server error, 5xx: either
 *               something in this batch trips it up, or it is failing everything, e.g. its
 *               database is down; the outbox tells which); or `unavailable` (no answer, a
 *               timeout, the token refused, anything else: try again later).
 */
function fcwh_post_event_batch( array $encoded_events, float $timeout ): array {
	if ( ! fcwh_staging_ready_to_send() ) {
		// A copy of the site sends nothing before the sidecar has paused delivery (staging.php).
		return array(
			'outcome' => 'unavailable',
			'message' => __( 'This looks like a copy of the site: waiting for the sidecar to pause delivery.', 'fluentcrm-webhooks' ),
		);
	}
	$body   = '{"events":[' . implode( ',', $encoded_events ) . ']}';
	$result = fcwh_sidecar_request( 'POST', '/v2/events', $body, array(), array( 'timeout' => $timeout ) );

	if ( 200 === $result['status'] && isset( $result['body']['accepted'] ) ) {
		return array(
			'outcome' => 'accepted',
			'message' => '',
		);
	}
	$message = $result['error'] instanceof WP_Error ? $result['error']->get_error_message()
		: ( isset( $result['body']['message'] ) ? (string) $result['body']['message'] : 'HTTP ' . $result['status'] );
	if ( in_array( $result['status'], array( 400, 413 ), true ) ) {
		$outcome = 'rejected';
	} elseif ( $result['status'] >= 500 ) {
		$outcome = 'failed';
	} else {
		$outcome = 'unavailable';
	}
	return array(
		'outcome' => $outcome,
		'message' => $message,
	);
}
