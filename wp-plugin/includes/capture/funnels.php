<?php
/**
 * Funnel (automation) events.
 *
 * - added: `fluent_crm/automation_funnel_start`, plus the FunnelSubscriber model's `created`
 *   event for contacts entering through a goal step (the start hook misses those; such a row
 *   names its `starting_sequence_id`). A row created by the trigger is not an entry yet: FluentCRM
 *   deletes it at once when the automation has no step to run, and fires the start hook otherwise.
 * - completed: `fluent_crm/automation_funnel_completed` (can fire twice for one completion).
 * - exited: no hook. An admin cancelling one row saves the model: the FunnelSubscriber `updated`
 *   event here. Every other exit is a bulk query: funnel-exits.php.
 * - sequence_completed: FluentCRM Pro's `fluentcrm_email_sequence_completed`.
 *
 * @package FluentCRM_Webhooks
 * @since 0.1.0
 */

if ( ! defined( 'ABSPATH' ) ) {
	exit;
}

/**
 * `fluent_crm/automation_funnel_start` `(Funnel, Subscriber)`.
 *
 * @since 0.1.0
 *
 * @param object $funnel  Funnel.
 * @param object $contact Subscriber.
 */
function fcwh_capture_funnel_start( $funnel, $contact = null ): void {
	fcwh_emit_funnel_event( 'funnel.subscriber_added', $funnel, $contact );
}

/**
 * FunnelSubscriber model `created` listener: a contact entered a funnel, by any step.
 *
 * @since 0.1.0
 *
 * @param object $row FunnelSubscriber.
 */
function fcwh_capture_funnel_row_created( $row ): void {
	if ( null === fcwh_int_or_null( $row->starting_sequence_id ?? null ) ) {
		return; // Entered by the trigger: the start hook reports it, if FluentCRM keeps the row.
	}
	fcwh_emit_funnel_event( 'funnel.subscriber_added', $row->funnel_id ?? null, $row->subscriber_id ?? null );
}

/**
 * `fluent_crm/automation_funnel_completed` `(Funnel, Subscriber)`.
 *
 * @since 0.1.0
 *
 * @param object $funnel  Funnel.
 * @param object $contact Subscriber.
 */
function fcwh_capture_funnel_completed( $funnel, $contact = null ): void {
	fcwh_emit_funnel_event( 'funnel.subscriber_completed', $funnel, $contact );
}

/**
 * FunnelSubscriber model `updated` listener: a row saved as `cancelled` is an exit.
 *
 * @since 0.1.0
 *
 * @param object $row FunnelSubscriber just saved.
 */
function fcwh_capture_funnel_row_saved( $row ): void {
	if ( ! method_exists( $row, 'getDirty' ) || ! array_key_exists( 'status', (array) $row->getDirty() ) ) {
		return;
	}
	if ( 'cancelled' === (string) $row->status && 'cancelled' !== (string) $row->getOriginal( 'status' ) ) {
		fcwh_emit_funnel_event( 'funnel.subscriber_exited', $row->funnel_id ?? null, $row->subscriber_id ?? null, array( 'reason' => 'cancelled' ) );
	}
}

/**
 * Emits a funnel event once per (funnel, contact) in the request.
 *
 * @since 0.1.0
 *
 * @param string     $type    Event type.
 * @param mixed      $funnel  Funnel model, or its id.
 * @param mixed      $contact Subscriber model, or its id.
 * @param array      $extra   More `data` (an exit's `reason`).
 * @param array|null $known   Funnel and contact data read earlier (for rows deleted since).
 */
function fcwh_emit_funnel_event( string $type, $funnel, $contact, array $extra = array(), ?array $known = null ): void {
	$funnel_id  = fcwh_int_or_null( is_object( $funnel ) ? ( $funnel->id ?? null ) : $funnel );
	$contact_id = fcwh_int_or_null( is_object( $contact ) ? ( $contact->id ?? null ) : $contact );
	$dedupe_key = $funnel_id . ':' . $contact_id;
	if ( null === $funnel_id || null === $contact_id ) {
		return;
	}
	fcwh_emit(
		$type,
		static function () use ( $funnel, $funnel_id, $contact, $contact_id, $extra, $known ) {
			if ( null === $known ) {
				$known = fcwh_funnel_event_parties(
					is_object( $funnel ) ? $funnel : fcwh_find_model( 'Funnel', $funnel_id ),
					$funnel_id,
					is_object( $contact ) ? $contact : fcwh_find_model( 'Subscriber', $contact_id )
				);
			}
			return $known + $extra;
		},
		array( 'dedupe_key' => $dedupe_key )
	);
}

/**
 * `funnel` and `contact` of a funnel event.
 *
 * @since 0.1.0
 *
 * @param object|null $funnel    Funnel.
 * @param int         $funnel_id Its id (kept when the funnel is gone).
 * @param object|null $contact   Subscriber.
 * @return array{funnel: array, contact: array|null}
 */
function fcwh_funnel_event_parties( $funnel, int $funnel_id, $contact ): array {
	return array(
		'funnel'  => $funnel ? fcwh_funnel_data( $funnel ) : array(
			'id'    => $funnel_id,
			'title' => null,
		),
		'contact' => fcwh_contact_data( $contact ),
	);
}

/**
 * `fluentcrm_email_sequence_completed` `(contact id, sequence id)` (FluentCRM Pro).
 *
 * @since 0.1.0
 *
 * @param int $contact_id  Contact id.
 * @param int $sequence_id Sequence id.
 */
function fcwh_capture_sequence_completed( $contact_id, $sequence_id = 0 ): void {
	$contact_id  = fcwh_int_or_null( $contact_id );
	$sequence_id = fcwh_int_or_null( $sequence_id );
	$dedupe_key  = $sequence_id . ':' . $contact_id;
	if ( null === $contact_id || null === $sequence_id ) {
		return;
	}
	fcwh_emit(
		'funnel.sequence_completed',
		static function () use ( $sequence_id, $contact_id ) {
			return array(
				'sequence' => fcwh_sequence_data( $sequence_id ),
				'contact'  => fcwh_contact_data( fcwh_find_model( 'Subscriber', $contact_id ) ),
			);
		},
		array( 'dedupe_key' => $dedupe_key )
	);
}

/**
 * An email sequence as `{id, title}`. Sequences are rows of fc_campaigns (type
 * `email_sequence`), which the Campaign model's type scope hides, hence the direct read.
 *
 * @since 0.1.0
 *
 * @param int $sequence_id Sequence id.
 */
function fcwh_sequence_data( int $sequence_id ): array {
	global $wpdb;
	$quiet = $wpdb->suppress_errors( true );
	$title = $wpdb->get_var( $wpdb->prepare( "SELECT title FROM {$wpdb->prefix}fc_campaigns WHERE id = %d", $sequence_id ) ); // phpcs:ignore WordPress.DB.DirectDatabaseQuery
	$wpdb->suppress_errors( $quiet );
	return array(
		'id'    => $sequence_id,
		'title' => fcwh_string_or_null( $title ),
	);
}
