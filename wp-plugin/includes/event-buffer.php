<?php
/**
 * Events collected during the request, sent together when it ends (transport.php).
 *
 * One change in FluentCRM = one event: FluentCRM often fires two hooks for one change (old and
 * new hook names, two status hooks, a hook fired twice). A fact that happens once (a contact
 * created, an email opened) is named with a dedupe key: a second event with the same type and key
 * in the same request is dropped. Changes that can happen again in one request (a contact's
 * fields, its tags and lists, its status) pass no key: their captures drop a twin by comparing
 * it with the state they last reported (capture/change-memory.php).
 *
 * @package FluentCRM_Webhooks
 * @since 0.1.0
 */

if ( ! defined( 'ABSPATH' ) ) {
	exit;
}

// Past this many buffered events (a big import or campaign batch in one process), park them in
// the outbox: memory stays flat and they go out in chunks at the end of the request or by cron.
const FCWH_BUFFER_SPILL_AT = 500;

/**
 * The request's buffer. A class only to hold the state; the functions below are the interface.
 *
 * @since 0.1.0
 */
final class FCWH_Event_Buffer {
	/** @var array<int, array> Events in the order they happened. */
	public static $events = array();

	/** @var array<string, true> "type|dedupe key" of every event emitted in this request. */
	public static $seen = array();

	/** @var int Events parked in the outbox by this request. */
	public static $spilled = 0;
}

/**
 * Emits an event (if anybody subscribes to its type and it is not a duplicate of this request).
 *
 * @since 0.1.0
 *
 * The two questions that can drop an event (does any webhook want this type? was this very
 * change already reported in this request?) are asked here, once, before the payload is built:
 * capture passes a callable for `$data` when building it costs queries, and it runs only for an
 * event that will be sent.
 *
 * @param string         $type    Event type, e.g. `contact.tag_added`.
 * @param array|callable $data    The payload's `data`, or a callable that returns it (or null:
 *                                nothing to report after all).
 * @param array          $options `dedupe_key` (string): names the change, see above;
 *                        `id` (string): a fixed event id instead of a random UUID;
 *                        `first_for_contact` (int): place the event before events already
 *                        buffered for that contact (a new contact's tag hooks fire before its
 *                        contact_created, but receivers expect "created" first).
 * @return bool Whether the event was buffered.
 */
function fcwh_emit( string $type, $data, array $options = array() ): bool {
	if ( ! fcwh_wants( $type ) ) {
		return false;
	}
	$seen_key = isset( $options['dedupe_key'] ) ? $type . '|' . $options['dedupe_key'] : null;
	if ( null !== $seen_key && isset( FCWH_Event_Buffer::$seen[ $seen_key ] ) ) {
		return false;
	}
	if ( is_callable( $data ) ) {
		$data = $data();
	}
	if ( ! is_array( $data ) ) {
		return false;
	}
	if ( null !== $seen_key ) {
		FCWH_Event_Buffer::$seen[ $seen_key ] = true;
	}

	/**
	 * Filters an event's data before it is sent; return false to drop the event.
	 *
	 * @since 0.1.0
	 *
	 * @param array  $data The payload's `data`.
	 * @param string $type Event type.
	 */
	$data = apply_filters( 'fcwh_event_data', $data, $type );
	if ( ! is_array( $data ) ) {
		return false;
	}

	$event = array(
		'id'        => isset( $options['id'] ) ? (string) $options['id'] : wp_generate_uuid4(),
		'event'     => $type,
		'timestamp' => gmdate( 'Y-m-d\TH:i:s\Z' ),
		'data'      => $data,
	);

	$position = isset( $options['first_for_contact'] ) ? fcwh_buffer_position_of_contact( (int) $options['first_for_contact'] ) : null;
	if ( null === $position ) {
		FCWH_Event_Buffer::$events[] = $event;
	} else {
		array_splice( FCWH_Event_Buffer::$events, $position, 0, array( $event ) );
	}

	if ( count( FCWH_Event_Buffer::$events ) >= FCWH_BUFFER_SPILL_AT ) {
		$parked = fcwh_take_buffered_events();
		fcwh_outbox_store( $parked );
		FCWH_Event_Buffer::$spilled += count( $parked );
	}
	return true;
}

/**
 * Index of the first buffered event about this contact, or null.
 *
 * @since 0.1.0
 *
 * @param int $contact_id Contact id.
 */
function fcwh_buffer_position_of_contact( int $contact_id ): ?int {
	foreach ( FCWH_Event_Buffer::$events as $index => $event ) {
		if ( isset( $event['data']['contact']['id'] ) && $event['data']['contact']['id'] === $contact_id ) {
			return $index;
		}
	}
	return null;
}

/**
 * Removes and returns every buffered event.
 *
 * @since 0.1.0
 *
 * @return array[]
 */
function fcwh_take_buffered_events(): array {
	$events                    = FCWH_Event_Buffer::$events;
	FCWH_Event_Buffer::$events = array();
	return $events;
}

/**
 * Whether this request parked events in the outbox (so the outbox is worth flushing now).
 *
 * @since 0.1.0
 */
function fcwh_buffer_spilled(): bool {
	return FCWH_Event_Buffer::$spilled > 0;
}

/**
 * A UUID derived from a name (version 5 layout), for facts that must produce one event ever
 * even when FluentCRM reports them from two requests (e.g. a campaign finishing): the sidecar
 * drops an event id it has already seen.
 *
 * @since 0.1.0
 *
 * @param string $name What the event is about, unique on this site, e.g. `campaign.sent|12|2024-...`.
 */
function fcwh_stable_event_id( string $name ): string {
	$hash = sha1( home_url( '/' ) . '|' . $name );
	return sprintf(
		'%s-%s-5%s-%x%s-%s',
		substr( $hash, 0, 8 ),
		substr( $hash, 8, 4 ),
		substr( $hash, 13, 3 ),
		( hexdec( substr( $hash, 16, 1 ) ) & 0x3 ) | 0x8,
		substr( $hash, 17, 3 ),
		substr( $hash, 20, 12 )
	);
}
