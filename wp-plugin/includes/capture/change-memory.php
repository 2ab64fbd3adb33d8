<?php
/**
 * Telling a twin hook of one change from a second, real change in the same request.
 *
 * FluentCRM reports one change through two hooks (old and new names, or one hook fired twice),
 * each with the same arguments. A key per change ("contact 3, tag 7 added") dropped every later
 * report with that key, so attaching a tag, removing it and attaching it again, or a name going
 * Bo -> Al -> Bo, lost the second change. Instead the plugin remembers the state it last reported
 * for each contact: a report that only repeats it is a twin; one that moves the state on is new.
 *
 * @package FluentCRM_Webhooks
 * @since 0.2.0
 */

if ( ! defined( 'ABSPATH' ) ) {
	exit;
}

/**
 * Whether these column changes only repeat what was last reported for the contact (every column
 * already reported with this very value): the twin hook of a change already sent.
 *
 * @since 0.2.0
 *
 * @param int   $contact_id Contact id.
 * @param array $changes    Column => new value.
 */
function fcwh_columns_already_reported( int $contact_id, array $changes ): bool {
	$reported = FCWH_Request_State::$reported_columns[ $contact_id ] ?? array();
	foreach ( $changes as $column => $value ) {
		if ( ! array_key_exists( $column, $reported ) || (string) wp_json_encode( $value ) !== $reported[ $column ] ) {
			return false;
		}
	}
	return (bool) $changes;
}

/**
 * Records column changes as reported.
 *
 * @since 0.2.0
 *
 * @param int   $contact_id Contact id.
 * @param array $changes    Column => new value.
 */
function fcwh_remember_reported_columns( int $contact_id, array $changes ): void {
	foreach ( $changes as $column => $value ) {
		FCWH_Request_State::$reported_columns[ $contact_id ][ $column ] = (string) wp_json_encode( $value );
	}
}

/**
 * Whether every one of these terms was last reported in this state for the contact (a twin of
 * the report that put them there). A term never reported in this request is news.
 *
 * @since 0.2.0
 *
 * @param string $kind       `tags` or `lists`.
 * @param int    $contact_id Contact id.
 * @param int[]  $term_ids   Term ids.
 * @param bool   $attached   The state the hook reports: attached (true) or detached.
 */
function fcwh_terms_already_reported( string $kind, int $contact_id, array $term_ids, bool $attached ): bool {
	$reported = FCWH_Request_State::$reported_terms[ $kind ][ $contact_id ] ?? array();
	foreach ( $term_ids as $term_id ) {
		if ( ! isset( $reported[ $term_id ] ) || $reported[ $term_id ] !== $attached ) {
			return false;
		}
	}
	return (bool) $term_ids;
}

/**
 * Records terms as reported attached or detached.
 *
 * @since 0.2.0
 *
 * @param string $kind       `tags` or `lists`.
 * @param int    $contact_id Contact id.
 * @param int[]  $term_ids   Term ids.
 * @param bool   $attached   Attached (true) or detached.
 */
function fcwh_remember_reported_terms( string $kind, int $contact_id, array $term_ids, bool $attached ): void {
	foreach ( $term_ids as $term_id ) {
		FCWH_Request_State::$reported_terms[ $kind ][ $contact_id ][ $term_id ] = $attached;
	}
}
