<?php
/**
 * Reading FluentCRM's data through its own models (FluentCrm\App\Models\...), the public way its
 * add-ons use. Every reader returns null or an empty array when FluentCRM is not loaded.
 *
 * @package FluentCRM_Webhooks
 * @since 0.1.0
 */

if ( ! defined( 'ABSPATH' ) ) {
	exit;
}

/**
 * The full class name of a FluentCRM model, or null when FluentCRM is not loaded.
 *
 * @since 0.1.0
 *
 * @param string $name Short name: Subscriber, SubscriberMeta, Tag, Lists, Campaign, CampaignEmail, Funnel, FunnelSubscriber.
 */
function fcwh_fluentcrm_model( string $name ): ?string {
	$class = 'FluentCrm\\App\\Models\\' . $name;
	return class_exists( $class ) ? $class : null;
}

/**
 * Plain list of the items of a model collection (FluentCRM's Collection, an array, or null).
 *
 * @since 0.1.0
 *
 * @param mixed $collection What a query or relation returned.
 * @return object[]
 */
function fcwh_items( $collection ): array {
	if ( null === $collection ) {
		return array();
	}
	if ( is_array( $collection ) ) {
		return array_values( $collection );
	}
	if ( $collection instanceof Traversable ) {
		return iterator_to_array( $collection, false );
	}
	return array( $collection );
}

/**
 * Models by id, as id => model.
 *
 * @since 0.1.0
 *
 * @param string $name Model short name.
 * @param int[]  $ids  Ids.
 * @return array<int, object>
 */
function fcwh_find_models( string $name, array $ids ): array {
	$class = fcwh_fluentcrm_model( $name );
	$ids   = array_values( array_unique( array_filter( array_map( 'intval', $ids ) ) ) );
	if ( null === $class || ! $ids ) {
		return array();
	}
	$found = array();
	foreach ( fcwh_items( $class::whereIn( 'id', $ids )->get() ) as $model ) {
		$found[ (int) $model->id ] = $model;
	}
	return $found;
}

/**
 * One model by id, or null.
 *
 * @since 0.1.0
 *
 * @param string $name Model short name.
 * @param mixed  $id   Id (string ids from the models are fine).
 * @return object|null
 */
function fcwh_find_model( string $name, $id ) {
	$found = fcwh_find_models( $name, array( $id ) );
	return $found ? reset( $found ) : null;
}

/**
 * The campaign id of an email when that is a campaign, null otherwise. FluentCRM gives one-off
 * emails from a contact's profile, and automation emails, a campaign row of another type
 * (custom_email_campaign, funnel_email_campaign), which the Campaign model does not find.
 *
 * @since 0.1.0
 *
 * @param mixed $campaign_id The email's campaign_id column.
 */
function fcwh_regular_campaign_id( $campaign_id ): ?int {
	static $is_campaign = array(); // A row's type never changes: one look per id and request.
	$campaign_id = fcwh_int_or_null( $campaign_id );
	if ( null === $campaign_id ) {
		return null;
	}
	if ( ! isset( $is_campaign[ $campaign_id ] ) ) {
		$is_campaign[ $campaign_id ] = null !== fcwh_find_model( 'Campaign', $campaign_id );
	}
	return $is_campaign[ $campaign_id ] ? $campaign_id : null;
}

/**
 * The FluentCRM contact of a store customer: by email first, then by WordPress user id.
 *
 * @since 0.1.0
 *
 * @param string $email   Customer email.
 * @param int    $user_id WordPress user id, 0 for guests.
 * @return object|null
 */
function fcwh_find_contact_for_customer( string $email, int $user_id ) {
	$class = fcwh_fluentcrm_model( 'Subscriber' );
	if ( null === $class ) {
		return null;
	}
	if ( '' !== $email ) {
		$contact = $class::where( 'email', $email )->first();
		if ( $contact ) {
			return $contact;
		}
	}
	return $user_id > 0 ? $class::where( 'user_id', $user_id )->first() : null;
}

/**
 * Funnel rows (FunnelSubscriber) matching a column and statuses, as row id => row.
 *
 * @since 0.1.0
 *
 * @param string   $column   `subscriber_id`, `funnel_id` or `id`.
 * @param int[]    $values   Values of that column.
 * @param string[] $statuses Row statuses to include.
 * @return array<int, object>
 */
function fcwh_find_funnel_rows( string $column, array $values, array $statuses ): array {
	$class  = fcwh_fluentcrm_model( 'FunnelSubscriber' );
	$values = array_values( array_unique( array_map( 'intval', $values ) ) );
	if ( null === $class || ! $values ) {
		return array();
	}
	$rows = array();
	foreach ( fcwh_items( $class::whereIn( $column, $values )->whereIn( 'status', $statuses )->get() ) as $row ) {
		$rows[ (int) $row->id ] = $row;
	}
	return $rows;
}

/**
 * Current status of funnel rows, as row id => status (rows that no longer exist are absent).
 *
 * @since 0.1.0
 *
 * @param int[] $row_ids Row ids.
 * @return array<int, string>
 */
function fcwh_funnel_row_statuses( array $row_ids ): array {
	$statuses = array();
	foreach ( fcwh_find_models( 'FunnelSubscriber', $row_ids ) as $id => $row ) {
		$statuses[ $id ] = (string) $row->status;
	}
	return $statuses;
}

/**
 * A contact's custom field values, as key => value (null for none).
 *
 * @since 0.2.0
 *
 * @param int $contact_id Contact id.
 * @return array<string, string|null>
 */
function fcwh_custom_field_values( int $contact_id ): array {
	$class = fcwh_fluentcrm_model( 'SubscriberMeta' );
	if ( null === $class ) {
		return array();
	}
	$values = array();
	foreach ( fcwh_items( $class::where( 'subscriber_id', $contact_id )->where( 'object_type', 'custom_field' )->get() ) as $meta ) {
		$values[ (string) $meta->key ] = fcwh_custom_field_value( $meta->value );
	}
	return $values;
}

/**
 * Contact rows straight from FluentCRM's table, as id => column => value: what a change made by
 * query (no model, no hook) is measured against.
 *
 * @since 0.2.0
 *
 * @param string $where   SQL condition with placeholders, on the contacts table.
 * @param array  $values  Its values.
 * @return array<int, array<string, string|null>>
 */
function fcwh_contact_rows( string $where, array $values ): array {
	global $wpdb;
	if ( null === fcwh_fluentcrm_model( 'Subscriber' ) ) {
		return array();
	}
	$rows = array();
	// phpcs:ignore WordPress.DB.DirectDatabaseQuery, WordPress.DB.PreparedSQL.NotPrepared -- $where is the caller's constant SQL with placeholders.
	foreach ( (array) $wpdb->get_results( $wpdb->prepare( "SELECT * FROM {$wpdb->prefix}fc_subscribers WHERE {$where}", $values ), ARRAY_A ) as $row ) {
		$rows[ (int) $row['id'] ] = $row;
	}
	return $rows;
}
