<?php
/**
 * Funnel (automation) events.
 *
 * - added: `fluent_crm/automation_funnel_start`, plus the FunnelSubscriber model's `created`
 *   event for contacts entering through a goal step (the start hook misses those).
 * - completed: `fluent_crm/automation_funnel_completed` (can fire twice for one completion).
 * - exited: no hook. FluentCRM ends funnel rows in bulk, without model events: it cancels a
 *   contact's `active` rows when the contact unsubscribes/bounces/complains (on the status_to
 *   hook, priority 10), and deletes rows when an admin removes contacts, deletes a funnel or
 *   deletes contacts. So the rows that may end are read before, read again after, and each row
 *   that is gone or cancelled is an exit. An admin cancelling one row saves the model: the
 *   FunnelSubscriber `updated` event.
 * - sequence_completed: FluentCRM Pro's `fluentcrm_email_sequence_completed`.
 *
 * @package FluentCRM_Webhooks
 * @since 0.1.0
 */

if ( ! defined( 'ABSPATH' ) ) {
	exit;
}

// Funnel rows whose removal is an exit: the contact is still on the way through the funnel.
const FCWH_FUNNEL_ROWS_IN_PROGRESS = array( 'active', 'waiting' );
const FCWH_FUNNEL_ADMIN_ROUTE      = '#^/fluent-crm/v2/funnels/(\d+)(?:/|$)#';

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
	if ( null === $funnel_id || null === $contact_id || ! fcwh_wants( $type ) || fcwh_emitted( $type, $dedupe_key ) ) {
		return;
	}
	if ( null === $known ) {
		$known = fcwh_funnel_event_parties(
			is_object( $funnel ) ? $funnel : fcwh_find_model( 'Funnel', $funnel_id ),
			$funnel_id,
			is_object( $contact ) ? $contact : fcwh_find_model( 'Subscriber', $contact_id )
		);
	}
	fcwh_emit( $type, $known + $extra, array( 'dedupe_key' => $dedupe_key ) );
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
 * Before FluentCRM cancels a leaving contact's funnel rows (status_to_{status}, priority 5).
 *
 * @since 0.1.0
 *
 * @param object $contact Subscriber.
 */
function fcwh_watch_funnel_rows_of_leaving_contact( $contact ): void {
	$contact_id = is_object( $contact ) ? fcwh_int_or_null( $contact->id ?? null ) : null;
	if ( null === $contact_id || ! fcwh_wants( 'funnel.subscriber_exited' ) ) {
		return;
	}
	$new_status = substr( (string) current_action(), strlen( FCWH_STATUS_HOOK_PREFIX ) );
	// Only `active` rows are cancelled on this path (not those waiting at a goal).
	$rows = fcwh_find_funnel_rows( 'subscriber_id', array( $contact_id ), array( 'active' ) );
	fcwh_watch_funnel_rows( 'status:' . $contact_id, $rows, 'contact_' . $new_status );
}

/**
 * After FluentCRM cancelled them (status_to_{status}, priority 20).
 *
 * @since 0.1.0
 *
 * @param object $contact Subscriber.
 */
function fcwh_report_funnel_rows_of_leaving_contact( $contact ): void {
	$contact_id = is_object( $contact ) ? fcwh_int_or_null( $contact->id ?? null ) : null;
	if ( null !== $contact_id ) {
		fcwh_report_ended_funnel_rows( 'status:' . $contact_id );
	}
}

/**
 * `fluentcrm_before_subscribers_deleted`: deleting contacts deletes their funnel rows.
 *
 * @since 0.1.0
 *
 * @param array $ids Contact ids.
 */
function fcwh_watch_funnel_rows_of_deleted_contacts( $ids ): void {
	if ( fcwh_wants( 'funnel.subscriber_exited' ) ) {
		fcwh_watch_funnel_rows( 'contacts_deleted', fcwh_find_funnel_rows( 'subscriber_id', fcwh_normalize_ids( $ids ), FCWH_FUNNEL_ROWS_IN_PROGRESS ), 'contact_deleted' );
	}
}

/**
 * `fluentcrm_after_subscribers_deleted` (priority 20, after FluentCRM deleted the rows at 10).
 *
 * @since 0.1.0
 */
function fcwh_report_funnel_rows_of_deleted_contacts(): void {
	fcwh_report_ended_funnel_rows( 'contacts_deleted' );
}

/**
 * `rest_request_before_callbacks` on FluentCRM's funnel admin routes (removing contacts from a
 * funnel, deleting a funnel): the funnel's rows in progress, before the request changes them.
 *
 * @since 0.1.0
 *
 * @param mixed           $response Unused (observing filter).
 * @param array           $handler  Unused.
 * @param WP_REST_Request $request  The request.
 */
function fcwh_watch_funnel_admin_request( $response, $handler, $request ): void {
	if ( ! $request instanceof WP_REST_Request || 'GET' === $request->get_method() || ! fcwh_wants( 'funnel.subscriber_exited' )
		|| ! preg_match( FCWH_FUNNEL_ADMIN_ROUTE, $request->get_route(), $match ) ) {
		return;
	}
	fcwh_watch_funnel_rows( 'funnel_admin', fcwh_find_funnel_rows( 'funnel_id', array( (int) $match[1] ), FCWH_FUNNEL_ROWS_IN_PROGRESS ), 'removed' );
}

/**
 * `rest_request_after_callbacks`: rows gone since are exits (`funnel_deleted` if the funnel
 * went with them).
 *
 * @since 0.1.0
 *
 * @param mixed           $response Unused (observing filter).
 * @param array           $handler  Unused.
 * @param WP_REST_Request $request  The request.
 */
function fcwh_report_funnel_admin_request( $response, $handler, $request ): void {
	if ( ! isset( FCWH_Request_State::$funnel_watches['funnel_admin'] ) || ! $request instanceof WP_REST_Request
		|| ! preg_match( FCWH_FUNNEL_ADMIN_ROUTE, $request->get_route(), $match ) ) {
		return;
	}
	if ( null === fcwh_find_model( 'Funnel', (int) $match[1] ) ) {
		FCWH_Request_State::$funnel_watches['funnel_admin']['reason'] = 'funnel_deleted';
	}
	fcwh_report_ended_funnel_rows( 'funnel_admin' );
}

/**
 * Remembers funnel rows that may end during this request, with their funnel and contact as
 * they are now (both may be deleted by then).
 *
 * @since 0.1.0
 *
 * @param string   $watch  Watch name.
 * @param object[] $rows   FunnelSubscriber rows, by id.
 * @param string   $reason The exit's reason if they end.
 */
function fcwh_watch_funnel_rows( string $watch, array $rows, string $reason ): void {
	if ( ! $rows ) {
		return;
	}
	$funnels  = fcwh_find_models( 'Funnel', array_map( 'fcwh_funnel_row_funnel_id', $rows ) );
	$contacts = fcwh_find_models( 'Subscriber', array_map( 'fcwh_funnel_row_contact_id', $rows ) );
	$watched  = array();
	foreach ( $rows as $row_id => $row ) {
		$funnel_id          = fcwh_funnel_row_funnel_id( $row );
		$contact_id         = fcwh_funnel_row_contact_id( $row );
		$watched[ $row_id ] = array(
			'funnel_id'  => $funnel_id,
			'contact_id' => $contact_id,
			'parties'    => fcwh_funnel_event_parties( $funnels[ $funnel_id ] ?? null, $funnel_id, $contacts[ $contact_id ] ?? null ),
		);
	}
	FCWH_Request_State::$funnel_watches[ $watch ] = array(
		'reason' => $reason,
		'rows'   => $watched,
	);
}

/**
 * Emits an exit for each watched row that is now gone or cancelled, and forgets the watch.
 *
 * @since 0.1.0
 *
 * @param string $watch Watch name.
 */
function fcwh_report_ended_funnel_rows( string $watch ): void {
	if ( ! isset( FCWH_Request_State::$funnel_watches[ $watch ] ) ) {
		return;
	}
	$watched = FCWH_Request_State::$funnel_watches[ $watch ];
	unset( FCWH_Request_State::$funnel_watches[ $watch ] );

	$statuses = fcwh_funnel_row_statuses( array_keys( $watched['rows'] ) );
	foreach ( $watched['rows'] as $row_id => $row ) {
		if ( isset( $statuses[ $row_id ] ) && 'cancelled' !== $statuses[ $row_id ] ) {
			continue;
		}
		fcwh_emit_funnel_event( 'funnel.subscriber_exited', $row['funnel_id'], $row['contact_id'], array( 'reason' => $watched['reason'] ), $row['parties'] );
	}
}

/**
 * A funnel row's funnel id.
 *
 * @since 0.1.0
 *
 * @param object $row FunnelSubscriber.
 */
function fcwh_funnel_row_funnel_id( $row ): int {
	return (int) fcwh_int_or_null( $row->funnel_id ?? null );
}

/**
 * A funnel row's contact id.
 *
 * @since 0.1.0
 *
 * @param object $row FunnelSubscriber.
 */
function fcwh_funnel_row_contact_id( $row ): int {
	return (int) fcwh_int_or_null( $row->subscriber_id ?? null );
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
	if ( null === $contact_id || null === $sequence_id || ! fcwh_wants( 'funnel.sequence_completed' ) || fcwh_emitted( 'funnel.sequence_completed', $dedupe_key ) ) {
		return;
	}
	fcwh_emit(
		'funnel.sequence_completed',
		array(
			'sequence' => fcwh_sequence_data( $sequence_id ),
			'contact'  => fcwh_contact_data( fcwh_find_model( 'Subscriber', $contact_id ) ),
		),
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
