<?php
/**
 * contact.tag_removed / contact.list_removed when a tag or a list is deleted.
 *
 * FluentCRM deletes the tag (list) row, fires `fluent_crm/tag_deleted` (`list_deleted`) with its
 * id, and at priority 10 of that hook deletes the pivot rows that attached it to contacts, in one
 * query: no contact_removed_from_tags hook, no model event. So the contacts still attached are
 * read before (priority 5) and reported after (priority 20), when their tags and lists no longer
 * hold the deleted one. The tag row is gone by then: its title and slug are read before FluentCRM's
 * delete routes run (single and bulk); a deletion from elsewhere reports the id only.
 *
 * @package FluentCRM_Webhooks
 * @since 0.1.0
 */

if ( ! defined( 'ABSPATH' ) ) {
	exit;
}

// Per kind (also the key of the removed terms in `data`): the event, the pivot rows' object_type,
// the model, and the bulk route's ids field.
const FCWH_DELETABLE_TERMS = array(
	'tags'  => array(
		'event'    => 'contact.tag_removed',
		'pivot'    => 'FluentCrm\\App\\Models\\Tag',
		'model'    => 'Tag',
		'bulk_ids' => 'tagIds',
	),
	'lists' => array(
		'event'    => 'contact.list_removed',
		'pivot'    => 'FluentCrm\\App\\Models\\Lists',
		'model'    => 'Lists',
		'bulk_ids' => 'listIds',
	),
);
const FCWH_TERM_DELETE_ROUTE = '#^/fluent-crm/v2/(tags|lists)/(?:(\d+)|do-bulk-action)$#';
// Contacts loaded and reported at a time: memory stays flat on a tag held by 100,000 contacts
// (the events themselves spill to the outbox past FCWH_BUFFER_SPILL_AT).
const FCWH_TERM_DELETE_CHUNK = 200;

/**
 * The terms a FluentCRM delete request names, as kind and ids, or null for any other request.
 * Pure: the route, method and parameters decide.
 *
 * @since 0.1.0
 *
 * @param string $method HTTP method.
 * @param string $route  REST route.
 * @param array  $params Request parameters.
 * @return array{kind: string, ids: int[]}|null
 */
function fcwh_term_delete_request( string $method, string $route, array $params ): ?array {
	if ( ! preg_match( FCWH_TERM_DELETE_ROUTE, $route, $match ) ) {
		return null;
	}
	$kind = $match[1];
	if ( isset( $match[2] ) && '' !== $match[2] ) {
		return 'DELETE' === $method ? array(
			'kind' => $kind,
			'ids'  => array( (int) $match[2] ),
		) : null;
	}
	if ( 'POST' !== $method ) {
		return null;
	}
	$ids = fcwh_normalize_ids( $params[ FCWH_DELETABLE_TERMS[ $kind ]['bulk_ids'] ] ?? array() );
	return $ids ? array(
		'kind' => $kind,
		'ids'  => $ids,
	) : null;
}

/**
 * `rest_dispatch_request`: on FluentCRM's tag and list delete routes, the terms' titles and slugs
 * while their rows still exist (after the route's permission check, right before its callback).
 *
 * @since 0.1.0
 *
 * @param mixed           $result  Unused (observing filter).
 * @param WP_REST_Request $request The request.
 */
function fcwh_remember_terms_before_delete( $result, $request ): void {
	if ( ! $request instanceof WP_REST_Request ) {
		return;
	}
	$named = fcwh_term_delete_request( $request->get_method(), $request->get_route(), (array) $request->get_params() );
	if ( null === $named || ! fcwh_wants( FCWH_DELETABLE_TERMS[ $named['kind'] ]['event'] ) ) {
		return;
	}
	foreach ( fcwh_changed_terms_data( FCWH_DELETABLE_TERMS[ $named['kind'] ]['model'], $named['ids'] ) as $term ) {
		FCWH_Request_State::$terms_before_delete[ $named['kind'] ][ $term['id'] ] = $term;
	}
}

/**
 * `fluent_crm/tag_deleted` (priority 5): the contacts the tag is still attached to.
 *
 * @since 0.1.0
 *
 * @param mixed $tag_id Tag id.
 */
function fcwh_watch_deleted_tag( $tag_id ): void {
	fcwh_watch_deleted_term( 'tags', $tag_id );
}

/**
 * `fluent_crm/list_deleted` (priority 5).
 *
 * @since 0.1.0
 *
 * @param mixed $list_id List id.
 */
function fcwh_watch_deleted_list( $list_id ): void {
	fcwh_watch_deleted_term( 'lists', $list_id );
}

/**
 * `fluent_crm/tag_deleted` (priority 20, after FluentCRM detached it).
 *
 * @since 0.1.0
 *
 * @param mixed $tag_id Tag id.
 */
function fcwh_report_deleted_tag( $tag_id ): void {
	fcwh_report_deleted_term( 'tags', $tag_id );
}

/**
 * `fluent_crm/list_deleted` (priority 20).
 *
 * @since 0.1.0
 *
 * @param mixed $list_id List id.
 */
function fcwh_report_deleted_list( $list_id ): void {
	fcwh_report_deleted_term( 'lists', $list_id );
}

/**
 * Remembers the ids of the contacts a term being deleted is attached to.
 *
 * @since 0.1.0
 *
 * @param string $kind    `tags` or `lists`.
 * @param mixed  $term_id Term id.
 */
function fcwh_watch_deleted_term( string $kind, $term_id ): void {
	$term_id = fcwh_int_or_null( $term_id );
	if ( null === $term_id || ! fcwh_wants( FCWH_DELETABLE_TERMS[ $kind ]['event'] ) ) {
		return;
	}
	FCWH_Request_State::$term_detachments[ $kind ][ $term_id ] = fcwh_contact_ids_with_term( FCWH_DELETABLE_TERMS[ $kind ]['pivot'], $term_id );
}

/**
 * One event per contact the deleted term was attached to, read in chunks.
 *
 * @since 0.1.0
 *
 * @param string $kind    `tags` or `lists`.
 * @param mixed  $term_id Term id.
 */
function fcwh_report_deleted_term( string $kind, $term_id ): void {
	$term_id = fcwh_int_or_null( $term_id );
	if ( null === $term_id || ! isset( FCWH_Request_State::$term_detachments[ $kind ][ $term_id ] ) ) {
		return;
	}
	$contact_ids = FCWH_Request_State::$term_detachments[ $kind ][ $term_id ];
	unset( FCWH_Request_State::$term_detachments[ $kind ][ $term_id ] );
	$type = FCWH_DELETABLE_TERMS[ $kind ]['event'];
	$term = FCWH_Request_State::$terms_before_delete[ $kind ][ $term_id ] ?? fcwh_changed_terms_data( FCWH_DELETABLE_TERMS[ $kind ]['model'], array( $term_id ) )[0];

	foreach ( array_chunk( $contact_ids, FCWH_TERM_DELETE_CHUNK ) as $chunk ) {
		foreach ( fcwh_find_models( 'Subscriber', $chunk ) as $contact ) {
			// FluentCRM fires no per-contact hook here: no twin to drop, so no dedupe key.
			fcwh_emit(
				$type,
				array(
					'contact' => fcwh_contact_data( $contact ),
					$kind     => array( $term ),
				)
			);
		}
	}
}

/**
 * Ids of the contacts a tag or list is attached to, from FluentCRM's pivot table (one column of
 * ints, however many contacts).
 *
 * @since 0.1.0
 *
 * @param string $object_type The pivot's object_type (the term model's class name).
 * @param int    $term_id     Term id.
 * @return int[]
 */
function fcwh_contact_ids_with_term( string $object_type, int $term_id ): array {
	global $wpdb;
	$quiet = $wpdb->suppress_errors( true );
	$ids   = $wpdb->get_col( $wpdb->prepare( "SELECT subscriber_id FROM {$wpdb->prefix}fc_subscriber_pivot WHERE object_type = %s AND object_id = %d ORDER BY subscriber_id", $object_type, $term_id ) ); // phpcs:ignore WordPress.DB.DirectDatabaseQuery
	$wpdb->suppress_errors( $quiet );
	return array_values( array_unique( array_map( 'intval', (array) $ids ) ) );
}
