<?php
/**
 * Custom field changes, reported as contact.updated with `custom_fields` (key => {old, new}).
 *
 * FluentCRM saves custom fields in `Subscriber::syncCustomFieldValues()` (the contact editor's
 * `PUT /subscribers/{id}`, createOrUpdate() from forms and the PHP API, imports) and then fires
 * `fluentcrm_contact_custom_data_updated` and `fluent_crm/contact_custom_data_updated`
 * `(values, contact, changed key => new value)`: new values only, '' for a value removed. The old
 * values are read as FluentCRM saves each value (the SubscriberMeta model's `updating` event), and
 * before the contact editor's route runs (it removes values by query, with no model event). The
 * contact list's bulk action update_custom_fields saves the values with no hook at all: its saves
 * are the changes (the door of unreported-changes.php).
 *
 * The same save usually also changes columns, reported by `contact_updated` right after (and
 * createOrUpdate() fires contact_updated for custom fields alone, with no columns): so the
 * changes wait for the contact's next contact_updated, which carries them (contacts.php). When
 * none comes (the editor saved custom fields only, an import), they are reported when the REST
 * route returns, else when the request ends.
 *
 * @package FluentCRM_Webhooks
 * @since 0.2.0
 */

if ( ! defined( 'ABSPATH' ) ) {
	exit;
}

// The contact editor's route, which clears custom fields left empty by query.
const FCWH_CONTACT_EDITOR_ROUTE = '#^/fluent-crm/v2/subscribers/(\d+)$#';

/**
 * `fluentcrm_contact_custom_data_updated` / `fluent_crm/contact_custom_data_updated`. A new
 * contact's first values are part of its creation, not a change.
 *
 * @since 0.2.0
 *
 * @param array  $values  Every value given (unused: `$changed` says what changed).
 * @param object $contact Subscriber.
 * @param array  $changed Key => new value ('' when removed).
 */
function fcwh_capture_custom_fields_updated( $values, $contact = null, $changed = array() ): void {
	$contact_id = is_object( $contact ) ? fcwh_int_or_null( $contact->id ?? null ) : null;
	if ( null === $contact_id || ! empty( $contact->wasRecentlyCreated ) || ! is_array( $changed ) ) {
		return;
	}
	foreach ( $changed as $key => $new ) {
		fcwh_note_custom_field_change( $contact_id, (string) $key, fcwh_custom_field_value( $new ) );
	}
}

/**
 * SubscriberMeta model `created` / `updated` listener, while a door FluentCRM reports nothing
 * through is open (the bulk action update_custom_fields saves each value with no hook).
 *
 * @since 0.2.0
 *
 * @param object $meta SubscriberMeta just saved.
 */
function fcwh_capture_unreported_custom_field_save( $meta ): void {
	$contact_id = fcwh_int_or_null( $meta->subscriber_id ?? null );
	if ( null === FCWH_Request_State::$unreported_save_door || null === $contact_id || 'custom_field' !== ( $meta->object_type ?? null ) ) {
		return;
	}
	fcwh_note_custom_field_change( $contact_id, (string) $meta->key, fcwh_custom_field_value( $meta->value ) );
}

/**
 * Notes one custom field's new value, to be reported with the contact's next contact.updated.
 *
 * @since 0.2.0
 *
 * @param int         $contact_id Contact id.
 * @param string      $key        Custom field key.
 * @param string|null $new        New value (null: removed).
 */
function fcwh_note_custom_field_change( int $contact_id, string $key, ?string $new ): void {
	if ( ! fcwh_wants( 'contact.updated' ) ) {
		return;
	}
	$pending = FCWH_Request_State::$custom_fields_pending[ $contact_id ][ $key ] ?? null;
	if ( null !== $pending && $pending['new'] === $new ) {
		return; // the twin hook of this change
	}
	if ( null !== $pending ) {
		// A second change of the field before the first was reported: the first goes now.
		fcwh_report_pending_custom_fields( array( $contact_id ) );
	}
	$before = FCWH_Request_State::$custom_fields_before[ $contact_id ] ?? array();
	$old    = array_key_exists( $key, $before ) ? $before[ $key ] : null;
	if ( $old === $new ) {
		return; // the editor "removes" every field left empty, whether it had a value or not
	}
	FCWH_Request_State::$custom_fields_pending[ $contact_id ][ $key ] = array(
		'old' => $old,
		'new' => $new,
	);
	// Saved: a later change of this field in the request starts from the new value.
	FCWH_Request_State::$custom_fields_before[ $contact_id ][ $key ] = $new;
}

/**
 * SubscriberMeta model `updating` listener: the value a custom field had before this save.
 *
 * @since 0.2.0
 *
 * @param object $meta SubscriberMeta being saved.
 */
function fcwh_remember_custom_field_before_save( $meta ): void {
	if ( 'custom_field' !== ( $meta->object_type ?? null ) || ! method_exists( $meta, 'getOriginal' ) ) {
		return;
	}
	$contact_id = fcwh_int_or_null( $meta->subscriber_id ?? null );
	$key        = (string) $meta->getOriginal( 'key' );
	if ( null !== $contact_id && ! array_key_exists( $key, FCWH_Request_State::$custom_fields_before[ $contact_id ] ?? array() ) ) {
		// The raw column: FluentCRM serializes arrays (checkboxes) on the way in, and wrote it itself.
		FCWH_Request_State::$custom_fields_before[ $contact_id ][ $key ] = fcwh_custom_field_value( maybe_unserialize( $meta->getOriginal( 'value' ) ) );
	}
}

/**
 * `rest_dispatch_request` (its permission granted): the contact editor's route is about to save
 * custom fields; their values now are the old ones (it deletes the emptied ones with no model
 * event).
 *
 * @since 0.2.0
 *
 * @param mixed           $result  Unused (what the route would answer instead: null).
 * @param WP_REST_Request $request Request.
 */
function fcwh_read_custom_fields_before_edit( $result, $request ): void {
	if ( ! $request instanceof WP_REST_Request || 'PUT' !== $request->get_method()
		|| ! preg_match( FCWH_CONTACT_EDITOR_ROUTE, $request->get_route(), $match ) || ! fcwh_wants( 'contact.updated' ) ) {
		return;
	}
	$contact_id = (int) $match[1];
	foreach ( fcwh_custom_field_values( $contact_id ) as $key => $value ) {
		if ( ! array_key_exists( $key, FCWH_Request_State::$custom_fields_before[ $contact_id ] ?? array() ) ) {
			FCWH_Request_State::$custom_fields_before[ $contact_id ][ $key ] = $value;
		}
	}
}

/**
 * Removes and returns a contact's custom field changes not yet reported.
 *
 * @since 0.2.0
 *
 * @param int $contact_id Contact id.
 * @return array<string, array{old: string|null, new: string|null}>
 */
function fcwh_take_pending_custom_fields( int $contact_id ): array {
	$pending = FCWH_Request_State::$custom_fields_pending[ $contact_id ] ?? array();
	unset( FCWH_Request_State::$custom_fields_pending[ $contact_id ] );
	return $pending;
}

/**
 * Reports the custom field changes no contact_updated took along (`rest_request_after_callbacks`,
 * and the `shutdown` action for changes made outside REST).
 *
 * @since 0.2.0
 *
 * @param int[]|null $contact_ids These contacts' only; null (or a hook's argument): every contact's.
 */
function fcwh_report_pending_custom_fields( $contact_ids = null ): void {
	$contact_ids = is_array( $contact_ids ) ? $contact_ids : array_keys( FCWH_Request_State::$custom_fields_pending );
	foreach ( $contact_ids as $contact_id ) {
		$custom_fields = fcwh_take_pending_custom_fields( $contact_id );
		$contact       = fcwh_find_model( 'Subscriber', $contact_id );
		if ( $contact ) {
			fcwh_report_contact_update( $contact, array(), $custom_fields );
		}
	}
}

/**
 * A custom field value as the payload carries it: text, or null for no value.
 *
 * @since 0.2.0
 *
 * @param mixed $value Value (FluentCRM keeps '' for none); an array (checkboxes) becomes its JSON.
 */
function fcwh_custom_field_value( $value ): ?string {
	if ( is_array( $value ) || is_object( $value ) ) {
		return (string) wp_json_encode( $value );
	}
	return null === $value || '' === (string) $value ? null : (string) $value;
}
