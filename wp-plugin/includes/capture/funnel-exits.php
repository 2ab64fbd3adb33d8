<?php
/**
 * funnel.subscriber_exited where FluentCRM fires nothing: it ends funnel rows in bulk, by query,
 * without model events.
 *
 * - A contact unsubscribes, bounces, complains: FluentCRM cancels the contact's `active` rows on
 *   `fluentcrm_subscriber_status_to_{status}` (priority 10).
 * - Contacts are deleted: their rows are deleted on `fluentcrm_after_subscribers_deleted` (10).
 * - The funnel admin routes delete rows: `DELETE /funnels/{id}/subscribers` (contacts of one
 *   funnel), `POST /funnels/remove-bulk-subscribers` (rows by id), `DELETE /funnels/{id}` and the
 *   bulk action `delete_funnels` (every row of those funnels).
 *
 * So the rows in progress that may end are read before, read again after, and each row that is
 * gone or cancelled is an exit. Rows are read as bare ids (a funnel can hold 100,000 contacts),
 * their contacts a chunk at a time. An admin cancelling one row (`PUT
 * /funnels/{id}/subscribers/{sid}/status`) saves the model: funnels.php's `updated` listener.
 *
 * @package FluentCRM_Webhooks
 * @since 0.1.0
 */

if ( ! defined( 'ABSPATH' ) ) {
	exit;
}

// Funnel rows whose removal is an exit: the contact is still on the way through the funnel
// (`pending`: waiting for the contact's double opt-in, entered all the same; `draft`: created by
// the trigger, not processed yet).
const FCWH_FUNNEL_ROWS_IN_PROGRESS = array( 'active', 'waiting', 'pending', 'draft' );
// The columns a watch may select funnel rows by.
const FCWH_FUNNEL_ROW_COLUMNS = array( 'id', 'funnel_id', 'subscriber_id' );
// Contacts loaded (and row statuses re-read) this many at a time.
const FCWH_FUNNEL_ROWS_CHUNK = 200;

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
	// Only `active` rows are cancelled on this path (not those waiting at a goal, not pending).
	$rows = fcwh_funnel_rows_matching( array( 'subscriber_id' => array( $contact_id ) ), array( 'active' ) );
	fcwh_watch_funnel_rows( 'status:' . $contact_id, $rows, 'contact_' . $new_status, true );
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
 * `fluentcrm_before_subscribers_deleted`: deleting contacts deletes their funnel rows. The
 * contacts are read now: they are gone when the exits are reported.
 *
 * @since 0.1.0
 *
 * @param array $ids Contact ids.
 */
function fcwh_watch_funnel_rows_of_deleted_contacts( $ids ): void {
	if ( fcwh_wants( 'funnel.subscriber_exited' ) ) {
		$rows = fcwh_funnel_rows_matching( array( 'subscriber_id' => fcwh_normalize_ids( $ids ) ), FCWH_FUNNEL_ROWS_IN_PROGRESS );
		fcwh_watch_funnel_rows( 'contacts_deleted', $rows, 'contact_deleted', true );
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
 * The funnel rows a FluentCRM funnel admin request deletes, as FunnelSubscriber column => ids
 * (all must match), or null for a request that deletes none. Pure: method, route and parameters
 * decide; FluentCRM answers an empty id list with an error and deletes nothing.
 *
 * @since 0.1.0
 *
 * @param string $method HTTP method.
 * @param string $route  REST route.
 * @param array  $params Request parameters.
 * @return array<string, int[]>|null
 */
function fcwh_funnel_admin_request_rows( string $method, string $route, array $params ): ?array {
	if ( ! preg_match( '#^/fluent-crm/v2/funnels/(\d+|remove-bulk-subscribers|do-bulk-action)(/subscribers)?$#', $route, $match ) ) {
		return null;
	}
	list( $target, $of_subscribers ) = array( $match[1], isset( $match[2] ) );
	if ( 'DELETE' === $method && ctype_digit( $target ) ) {
		$where = array( 'funnel_id' => array( (int) $target ) );
		if ( $of_subscribers ) { // FunnelController@deleteSubscribers: those contacts only.
			$where['subscriber_id'] = fcwh_normalize_ids( $params['subscriber_ids'] ?? array() );
		}
	} elseif ( 'POST' === $method && 'remove-bulk-subscribers' === $target && ! $of_subscribers ) {
		$where = array( 'id' => fcwh_normalize_ids( $params['funnel_subscriber_ids'] ?? array() ) );
	} elseif ( 'POST' === $method && 'do-bulk-action' === $target && ! $of_subscribers
		&& 'delete_funnels' === ( $params['action_name'] ?? '' ) ) {
		$where = array( 'funnel_id' => fcwh_normalize_ids( $params['funnel_ids'] ?? array() ) );
	} else {
		return null;
	}
	return in_array( array(), $where, true ) ? null : $where;
}

/**
 * `rest_dispatch_request` on FluentCRM's funnel admin routes: the rows in progress they delete,
 * right before the route's callback runs (after its permission check: a refused request reads
 * nothing).
 *
 * @since 0.1.0
 *
 * @param mixed           $result  Unused (observing filter).
 * @param WP_REST_Request $request The request.
 */
function fcwh_watch_funnel_admin_request( $result, $request ): void {
	if ( ! $request instanceof WP_REST_Request || ! fcwh_wants( 'funnel.subscriber_exited' ) ) {
		return;
	}
	$where = fcwh_funnel_admin_request_rows( $request->get_method(), $request->get_route(), (array) $request->get_params() );
	if ( null !== $where ) {
		// The contacts stay: they are read when the exits are reported, a chunk at a time.
		fcwh_watch_funnel_rows( 'funnel_admin', fcwh_funnel_rows_matching( $where, FCWH_FUNNEL_ROWS_IN_PROGRESS ), 'removed', false );
	}
}

/**
 * `rest_request_after_callbacks`: rows gone since are exits (`funnel_deleted` where the funnel
 * went with them).
 *
 * @since 0.1.0
 *
 * @param mixed           $response Unused (observing filter).
 * @param array           $handler  Unused.
 * @param WP_REST_Request $request  The request.
 */
function fcwh_report_funnel_admin_request( $response, $handler, $request ): void {
	if ( $request instanceof WP_REST_Request ) {
		fcwh_report_ended_funnel_rows( 'funnel_admin' );
	}
}

/**
 * Remembers funnel rows that may end during this request, with their funnels as they are now
 * (a funnel may be deleted by then) and, when the contacts themselves are about to go, the contacts.
 *
 * @since 0.1.0
 *
 * @param string                          $watch        Watch name.
 * @param array<int, array{0: int, 1: int}> $rows         Row id => [funnel id, contact id].
 * @param string                          $reason       The exit's reason if they end.
 * @param bool                            $contacts_now Read the contacts now (they are being deleted), not at the report.
 */
function fcwh_watch_funnel_rows( string $watch, array $rows, string $reason, bool $contacts_now ): void {
	if ( ! $rows ) {
		return;
	}
	$funnels = array();
	foreach ( fcwh_find_models( 'Funnel', array_unique( array_column( $rows, 0 ) ) ) as $funnel_id => $funnel ) {
		$funnels[ $funnel_id ] = fcwh_funnel_data( $funnel );
	}
	$contacts = array();
	if ( $contacts_now ) {
		foreach ( array_chunk( array_unique( array_column( $rows, 1 ) ), FCWH_FUNNEL_ROWS_CHUNK ) as $chunk ) {
			foreach ( fcwh_find_models( 'Subscriber', $chunk ) as $contact_id => $contact ) {
				$contacts[ $contact_id ] = fcwh_contact_data( $contact );
			}
		}
	}
	FCWH_Request_State::$funnel_watches[ $watch ] = array(
		'reason'       => $reason,
		'rows'         => $rows,
		'funnels'      => $funnels,
		'contacts'     => $contacts,
		'contacts_now' => $contacts_now,
	);
}

/**
 * Emits an exit for each watched row that is now gone or cancelled, and forgets the watch. A row
 * removed by an admin whose funnel is gone too exits with `funnel_deleted`.
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

	$remaining_funnels = fcwh_find_models( 'Funnel', array_keys( $watched['funnels'] ) );
	foreach ( array_chunk( $watched['rows'], FCWH_FUNNEL_ROWS_CHUNK, true ) as $rows ) {
		$statuses = fcwh_funnel_row_statuses_now( array_keys( $rows ) );
		$ended    = array();
		foreach ( $rows as $row_id => $row ) {
			if ( ! isset( $statuses[ $row_id ] ) || 'cancelled' === $statuses[ $row_id ] ) {
				$ended[ $row_id ] = $row; // Gone or cancelled; any other status: still in the funnel.
			}
		}
		$contacts = $watched['contacts'];
		if ( $ended && ! $watched['contacts_now'] ) {
			$contacts = array_map( 'fcwh_contact_data', fcwh_find_models( 'Subscriber', array_column( $ended, 1 ) ) );
		}
		foreach ( $ended as list( $funnel_id, $contact_id ) ) {
			$parties = array(
				'funnel'  => $watched['funnels'][ $funnel_id ] ?? array(
					'id'    => $funnel_id,
					'title' => null,
				),
				'contact' => $contacts[ $contact_id ] ?? null,
			);
			$reason  = 'removed' === $watched['reason'] && ! isset( $remaining_funnels[ $funnel_id ] ) ? 'funnel_deleted' : $watched['reason'];
			fcwh_emit_funnel_event( 'funnel.subscriber_exited', $funnel_id, $contact_id, array( 'reason' => $reason ), $parties );
		}
	}
}

/**
 * FluentCRM's funnel rows matching every column => ids of `$where` and one of the statuses, as
 * row id => [funnel id, contact id]: three integer columns by one query, not models.
 *
 * @since 0.1.0
 *
 * @param array<string, int[]> $where    Column (of FCWH_FUNNEL_ROW_COLUMNS) => ids.
 * @param string[]             $statuses Row statuses.
 * @return array<int, array{0: int, 1: int}>
 */
function fcwh_funnel_rows_matching( array $where, array $statuses ): array {
	global $wpdb;
	$clauses = array();
	$args    = array();
	foreach ( $where as $column => $ids ) {
		$ids = fcwh_normalize_ids( $ids );
		if ( ! $ids || ! in_array( $column, FCWH_FUNNEL_ROW_COLUMNS, true ) ) {
			return array();
		}
		$clauses[] = "{$column} IN (" . implode( ',', array_fill( 0, count( $ids ), '%d' ) ) . ')';
		$args      = array_merge( $args, $ids );
	}
	$clauses[] = 'status IN (' . implode( ',', array_fill( 0, count( $statuses ), '%s' ) ) . ')';
	$args      = array_merge( $args, $statuses );
	$quiet     = $wpdb->suppress_errors( true );
	$found     = $wpdb->get_results( $wpdb->prepare( "SELECT id, funnel_id, subscriber_id FROM {$wpdb->prefix}fc_funnel_subscribers WHERE " . implode( ' AND ', $clauses ), $args ), ARRAY_N ); // phpcs:ignore WordPress.DB.DirectDatabaseQuery, WordPress.DB.PreparedSQL.NotPrepared
	$wpdb->suppress_errors( $quiet );
	$rows = array();
	foreach ( (array) $found as list( $id, $funnel_id, $contact_id ) ) {
		$rows[ (int) $id ] = array( (int) $funnel_id, (int) $contact_id );
	}
	return $rows;
}

/**
 * The status of funnel rows now, as row id => status (rows deleted since are absent).
 *
 * @since 0.1.0
 *
 * @param int[] $row_ids Row ids (a chunk).
 * @return array<int, string>
 */
function fcwh_funnel_row_statuses_now( array $row_ids ): array {
	global $wpdb;
	if ( ! $row_ids ) {
		return array();
	}
	$quiet = $wpdb->suppress_errors( true );
	$found = $wpdb->get_results( $wpdb->prepare( "SELECT id, status FROM {$wpdb->prefix}fc_funnel_subscribers WHERE id IN (" . implode( ',', array_fill( 0, count( $row_ids ), '%d' ) ) . ')', $row_ids ), ARRAY_N ); // phpcs:ignore WordPress.DB.DirectDatabaseQuery, WordPress.DB.PreparedSQL.NotPrepared
	$wpdb->suppress_errors( $quiet );
	$statuses = array();
	foreach ( (array) $found as list( $id, $status ) ) {
		$statuses[ (int) $id ] = (string) $status;
	}
	return $statuses;
}
