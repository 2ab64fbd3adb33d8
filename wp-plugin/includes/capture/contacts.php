<?php
/**
 * Contact events: created, updated, deleted, tag and list changes.
 *
 * FluentCRM fires old (`fluentcrm_*`) and new (`fluent_crm/*`) hooks for the same change, in
 * different releases different sets of them (2.9.65: old-style tag/list hooks only, and
 * contact_created twice), and the old tag/list hooks pass their arguments in reverse order. Every
 * handler here accepts both forms and drops a twin report of a change already sent
 * (change-memory.php), so each change is one event on every release.
 *
 * @package FluentCRM_Webhooks
 * @since 0.1.0
 */

if ( ! defined( 'ABSPATH' ) ) {
	exit;
}

// Columns left out of `changes`: the hash keys the contact's manage-subscription links, and
// updated_at changes with everything (the contact object carries it).
const FCWH_CONTACT_COLUMNS_NOT_CHANGES = array( 'hash', 'updated_at' );

/**
 * `fluent_crm/contact_created` and `fluentcrm_contact_created`.
 *
 * @since 0.1.0
 *
 * @param object $contact Subscriber.
 */
function fcwh_capture_contact_created( $contact ): void {
	$contact_id = is_object( $contact ) ? fcwh_int_or_null( $contact->id ?? null ) : null;
	if ( null === $contact_id ) {
		return;
	}
	fcwh_emit(
		'contact.created',
		static function () use ( $contact ) {
			return array( 'contact' => fcwh_contact_data( $contact ) );
		},
		array(
			'dedupe_key'        => (string) $contact_id,
			'first_for_contact' => $contact_id,
		)
	);
}

/**
 * `fluent_crm/contact_updated` and `fluentcrm_contact_updated`: `$dirty` holds the NEW values.
 * A status among them is also a status change (FluentCRM fires no status hook on that path).
 * Custom field changes of the same save (reported just before, custom-fields.php) go with it.
 *
 * @since 0.1.0
 *
 * @param object $contact Subscriber.
 * @param array  $dirty   Column => new value.
 */
function fcwh_capture_contact_updated( $contact, $dirty = array() ): void {
	if ( ! is_object( $contact ) && is_object( $dirty ) ) {
		list( $contact, $dirty ) = array( $dirty, $contact );
	}
	$contact_id = is_object( $contact ) ? fcwh_int_or_null( $contact->id ?? null ) : null;
	if ( null === $contact_id ) {
		return;
	}
	$dirty = (array) $dirty;
	if ( array_key_exists( 'status', $dirty ) ) {
		fcwh_capture_status_saved( $contact, (string) $dirty['status'] );
	}
	fcwh_report_contact_update( $contact, $dirty, fcwh_take_pending_custom_fields( $contact_id ) );
}

/**
 * One contact.updated, unless it only repeats the change last reported for the contact (the twin
 * hook of one save). Every door that changes a contact ends here.
 *
 * @since 0.2.0
 *
 * @param object $contact       Subscriber, as it is after the change.
 * @param array  $dirty         Column => new value (hash and updated_at are left out here).
 * @param array  $custom_fields Custom field key => {old, new}.
 */
function fcwh_report_contact_update( $contact, array $dirty, array $custom_fields = array() ): void {
	$contact_id = fcwh_int_or_null( $contact->id ?? null );
	$changes    = array_diff_key( $dirty, array_flip( FCWH_CONTACT_COLUMNS_NOT_CHANGES ) );
	ksort( $changes );
	ksort( $custom_fields );
	if ( null === $contact_id || ( ! $changes && ! $custom_fields ) ) {
		return;
	}
	if ( ! $custom_fields && fcwh_columns_already_reported( $contact_id, $changes ) ) {
		return;
	}
	fcwh_remember_reported_columns( $contact_id, $changes );
	fcwh_emit(
		'contact.updated',
		static function () use ( $contact, $changes, $custom_fields ) {
			return array(
				'contact'       => fcwh_contact_data( $contact ),
				// Objects even when empty: `{}` in the JSON, as receivers expect of a map.
				'changes'       => $changes ? $changes : new stdClass(),
				'custom_fields' => $custom_fields ? $custom_fields : new stdClass(),
			);
		}
	);
}

/**
 * `fluentcrm_before_subscribers_deleted`: the rows still exist, so the contacts are read now.
 *
 * @since 0.1.0
 *
 * @param array $ids Contact ids (strings when a client sent strings).
 */
function fcwh_capture_contacts_before_delete( $ids ): void {
	if ( ! fcwh_wants( 'contact.deleted' ) ) {
		return;
	}
	foreach ( fcwh_find_models( 'Subscriber', fcwh_normalize_ids( $ids ) ) as $id => $contact ) {
		FCWH_Request_State::$contacts_before_delete[ $id ] = fcwh_contact_data( $contact );
	}
}

/**
 * `fluentcrm_after_subscribers_deleted`: the rows are gone; each contact read before is an event.
 *
 * @since 0.1.0
 *
 * @param array $ids Contact ids.
 */
function fcwh_capture_contacts_after_delete( $ids ): void {
	foreach ( fcwh_normalize_ids( $ids ) as $id ) {
		if ( ! isset( FCWH_Request_State::$contacts_before_delete[ $id ] ) ) {
			continue;
		}
		fcwh_emit(
			'contact.deleted',
			array( 'contact' => FCWH_Request_State::$contacts_before_delete[ $id ] ),
			array( 'dedupe_key' => (string) $id )
		);
		unset( FCWH_Request_State::$contacts_before_delete[ $id ] );
	}
}

/**
 * `fluent_crm/contact_added_to_tags` `(contact, ids)` and `fluentcrm_contact_added_to_tags` `(ids, contact)`.
 *
 * @since 0.1.0
 *
 * @param mixed $first  Contact or ids.
 * @param mixed $second Ids or contact.
 */
function fcwh_capture_tags_added( $first, $second = null ): void {
	fcwh_capture_terms_change( 'contact.tag_added', 'Tag', 'tags', $first, $second );
}

/**
 * `fluent_crm/contact_removed_from_tags` and `fluentcrm_contact_removed_from_tags`.
 *
 * @since 0.1.0
 *
 * @param mixed $first  Contact or ids.
 * @param mixed $second Ids or contact.
 */
function fcwh_capture_tags_removed( $first, $second = null ): void {
	fcwh_capture_terms_change( 'contact.tag_removed', 'Tag', 'tags', $first, $second );
}

/**
 * `fluent_crm/contact_added_to_lists` and `fluentcrm_contact_added_to_lists`.
 *
 * @since 0.1.0
 *
 * @param mixed $first  Contact or ids.
 * @param mixed $second Ids or contact.
 */
function fcwh_capture_lists_added( $first, $second = null ): void {
	fcwh_capture_terms_change( 'contact.list_added', 'Lists', 'lists', $first, $second );
}

/**
 * `fluent_crm/contact_removed_from_lists` and `fluentcrm_contact_removed_from_lists`.
 *
 * @since 0.1.0
 *
 * @param mixed $first  Contact or ids.
 * @param mixed $second Ids or contact.
 */
function fcwh_capture_lists_removed( $first, $second = null ): void {
	fcwh_capture_terms_change( 'contact.list_removed', 'Lists', 'lists', $first, $second );
}

/**
 * One tag or list change, whichever argument order the hook used.
 *
 * @since 0.1.0
 *
 * @param string $type   Event type.
 * @param string $model  `Tag` or `Lists`.
 * @param string $key    Key of the changed terms in `data`: `tags` or `lists`.
 * @param mixed  $first  Contact (new-style hooks) or ids (old-style hooks).
 * @param mixed  $second The other one.
 */
function fcwh_capture_terms_change( string $type, string $model, string $key, $first, $second ): void {
	list( $contact, $ids ) = is_object( $first ) ? array( $first, $second ) : array( $second, $first );
	$contact_id            = is_object( $contact ) ? fcwh_int_or_null( $contact->id ?? null ) : null;
	$ids                   = fcwh_normalize_ids( $ids );
	if ( null === $contact_id || ! $ids ) {
		return;
	}
	$attached = in_array( $type, array( 'contact.tag_added', 'contact.list_added' ), true );
	if ( fcwh_terms_already_reported( $key, $contact_id, $ids, $attached ) ) {
		return; // the twin hook of this change
	}
	fcwh_remember_reported_terms( $key, $contact_id, $ids, $attached );
	fcwh_emit(
		$type,
		static function () use ( $contact, $model, $key, $ids ) {
			return array(
				'contact' => fcwh_contact_data( $contact ),
				$key      => fcwh_changed_terms_data( $model, $ids ),
			);
		}
	);
}
