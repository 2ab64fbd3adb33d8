<?php
/**
 * Which event types anybody wants: the events of the sidecar's active and failed webhooks (a
 * failed webhook still records its events, to send them when it is re-enabled).
 *
 * Kept in an option, refreshed from `GET /v2/webhooks` right after the proxy changes a webhook
 * and otherwise at most once a minute (at the end of some request, or by cron). While the set
 * is unknown (never fetched, or the sidecar did not answer the last refresh) every event is
 * captured: an event sent in vain costs little, a lost one cannot be recovered.
 *
 * @package FluentCRM_Webhooks
 * @since 0.1.0
 */

if ( ! defined( 'ABSPATH' ) ) {
	exit;
}

const FCWH_OPTION_SUBSCRIBED_EVENTS = 'fcwh_subscribed_events';
const FCWH_SUBSCRIPTIONS_MAX_AGE    = 60;
const FCWH_SUBSCRIPTIONS_TIMEOUT    = 5;

/**
 * The cached knowledge, read once per request.
 *
 * @since 0.1.0
 *
 * @param bool $forget Drop the per-request copy (after a refresh).
 * @return array{known: bool, types: string[], fetched_at: int}
 */
function fcwh_subscribed_events_state( bool $forget = false ): array {
	static $state = null;
	if ( $forget ) {
		$state = null;
		return array(
			'known'      => false,
			'types'      => array(),
			'fetched_at' => 0,
		);
	}
	if ( null === $state ) {
		$stored = get_option( FCWH_OPTION_SUBSCRIBED_EVENTS );
		$state  = array(
			'known'      => is_array( $stored ) && ! empty( $stored['known'] ),
			'types'      => is_array( $stored ) && isset( $stored['types'] ) ? array_fill_keys( (array) $stored['types'], true ) : array(),
			'fetched_at' => is_array( $stored ) && isset( $stored['fetched_at'] ) ? (int) $stored['fetched_at'] : 0,
		);
	}
	return $state;
}

/**
 * Whether an event of this type should be captured at all. Call it before building a payload.
 *
 * @since 0.1.0
 *
 * @param string $type Event type, e.g. `contact.created`.
 */
function fcwh_wants( string $type ): bool {
	$state = fcwh_subscribed_events_state();
	return ! $state['known'] || isset( $state['types'][ $type ] );
}

/**
 * Whether the cached set is due for a refresh.
 *
 * @since 0.1.0
 */
function fcwh_subscriptions_refresh_due(): bool {
	$state = fcwh_subscribed_events_state();
	return time() - $state['fetched_at'] >= FCWH_SUBSCRIPTIONS_MAX_AGE;
}

/**
 * Fetches the subscribed types from the sidecar and stores them.
 *
 * @since 0.1.0
 *
 * @return bool Whether the sidecar answered.
 */
function fcwh_refresh_subscribed_events(): bool {
	$result = fcwh_sidecar_request( 'GET', '/v2/webhooks', null, array(), array( 'timeout' => FCWH_SUBSCRIPTIONS_TIMEOUT ) );
	$known  = 200 === $result['status'] && isset( $result['body']['webhooks'] ) && is_array( $result['body']['webhooks'] );

	update_option(
		FCWH_OPTION_SUBSCRIBED_EVENTS,
		array(
			'known'      => $known,
			'types'      => $known ? fcwh_events_of_listening_webhooks( $result['body']['webhooks'] ) : array(),
			'fetched_at' => time(),
		),
		true
	);
	fcwh_subscribed_events_state( true );
	return $known;
}

/**
 * The union of the events of webhooks that record events (status active or failed).
 *
 * @since 0.1.0
 *
 * @param array $webhooks Webhook objects as the sidecar lists them.
 * @return string[]
 */
function fcwh_events_of_listening_webhooks( array $webhooks ): array {
	$types = array();
	foreach ( $webhooks as $webhook ) {
		$status = isset( $webhook['status'] ) ? $webhook['status'] : '';
		if ( ! in_array( $status, FCWH_WEBHOOK_RECORDING_STATUSES, true ) || empty( $webhook['events'] ) || ! is_array( $webhook['events'] ) ) {
			continue;
		}
		foreach ( $webhook['events'] as $type ) {
			$types[ (string) $type ] = true;
		}
	}
	return array_keys( $types );
}

/**
 * Refreshes the set when it is due, one request at a time.
 *
 * @since 0.1.0
 */
function fcwh_refresh_subscribed_events_if_due(): void {
	// While the sidecar is known to be away, the next attempt waits for the back-off to pass.
	if ( ! fcwh_subscriptions_refresh_due() || fcwh_sidecar_backoff_active() || ! fcwh_acquire_lock( 'subscriptions' ) ) {
		return;
	}
	fcwh_refresh_subscribed_events();
	fcwh_release_lock( 'subscriptions' );
}
