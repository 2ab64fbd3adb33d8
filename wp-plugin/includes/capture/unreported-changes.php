<?php
/**
 * Contact changes FluentCRM makes without a hook that says so, found another way.
 *
 * - Saves with no contact_updated: `PUT /subscribers/subscribers-property` for contact_type,
 *   avatar and company_id; the contact list's bulk actions change_contact_type, add_to_company,
 *   remove_from_company and update_custom_fields; the manage-subscription page's form (admin-ajax
 *   `fluentcrm_manage_preferences_ajax`: a new email also moves the status to pending). While one
 *   of these handlers runs, the Subscriber model's `updated` event is the change (getOriginal()
 *   the old values, getDirty() the new), and so are the SubscriberMeta model's `created` /
 *   `updated` events of custom fields (custom-fields.php).
 * - A bounce for an address no contact has: the bounce handlers store a `bounced` contact with no
 *   contact_created, right after asking the filter `fluent_crm/bounced_email_store`.
 * - WordPress user sync (`profile_update`, FluentCRM at priority 10): the contact's email and
 *   names change by query. Its rows are read before (priority 9) and after (priority 11).
 *
 * @package FluentCRM_Webhooks
 * @since 0.2.0
 */

if ( ! defined( 'ABSPATH' ) ) {
	exit;
}

// Request parameter => the values whose saves go unreported, per route.
const FCWH_UNREPORTED_SAVE_ROUTES = array(
	'/fluent-crm/v2/subscribers/subscribers-property' => array(
		'method'    => 'PUT',
		'parameter' => 'property',
		'values'    => array( 'contact_type', 'avatar', 'company_id' ), // not status: its hooks report it
	),
	'/fluent-crm/v2/subscribers/do-bulk-action'       => array(
		'method'    => 'POST',
		'parameter' => 'action_name',
		'values'    => array( 'change_contact_type', 'add_to_company', 'remove_from_company', 'update_custom_fields' ),
	),
);
const FCWH_MANAGE_PREFERENCES_ACTION = 'fluentcrm_manage_preferences_ajax';

/**
 * Which door this REST request is, when its contact saves go unreported; null otherwise. Pure.
 *
 * @since 0.2.0
 *
 * @param string $method HTTP method.
 * @param string $route  REST route.
 * @param array  $params Request parameters.
 */
function fcwh_unreported_save_door( string $method, string $route, array $params ): ?string {
	$door = FCWH_UNREPORTED_SAVE_ROUTES[ $route ] ?? null;
	if ( null === $door || $method !== $door['method'] ) {
		return null;
	}
	$value = $params[ $door['parameter'] ] ?? null;
	return is_string( $value ) && in_array( $value, $door['values'], true ) ? $route . ' ' . $value : null;
}

/**
 * `rest_dispatch_request` (its permission granted): opens the door while such a route runs.
 *
 * @since 0.2.0
 *
 * @param mixed           $result  Unused (what the route would answer instead: null).
 * @param WP_REST_Request $request Request.
 */
function fcwh_open_unreported_save_door( $result, $request ): void {
	if ( $request instanceof WP_REST_Request ) {
		FCWH_Request_State::$unreported_save_door = fcwh_unreported_save_door( $request->get_method(), $request->get_route(), (array) $request->get_params() );
	}
}

/**
 * `rest_request_after_callbacks`: closes it; also reports custom field changes no
 * contact_updated took along (custom-fields.php).
 *
 * @since 0.2.0
 */
function fcwh_close_unreported_save_door(): void {
	FCWH_Request_State::$unreported_save_door = null;
	fcwh_report_pending_custom_fields();
}

/**
 * `wp_ajax(_nopriv)_fluentcrm_manage_preferences_ajax` at priority 1, before FluentCRM's handler
 * (which ends the request with wp_send_json).
 *
 * @since 0.2.0
 */
function fcwh_open_manage_preferences_door(): void {
	FCWH_Request_State::$unreported_save_door = FCWH_MANAGE_PREFERENCES_ACTION;
}

/**
 * Subscriber model `updated` listener: a save behind an open door is a contact.updated (and a
 * status change when the status moved).
 *
 * @since 0.2.0
 *
 * @param object $contact Subscriber just saved.
 */
function fcwh_capture_unreported_save( $contact ): void {
	if ( null === FCWH_Request_State::$unreported_save_door || ! method_exists( $contact, 'getDirty' ) ) {
		return;
	}
	$dirty = (array) $contact->getDirty();
	if ( array_key_exists( 'status', $dirty ) ) {
		fcwh_status_change( $contact, (string) $contact->getOriginal( 'status' ), (string) $dirty['status'] );
	}
	fcwh_report_contact_update( $contact, $dirty );
}

/**
 * Filter `fluent_crm/bounced_email_store` (late, observing): when the bounce handler goes on to
 * store the unknown address, the next contact created is that one.
 *
 * @since 0.2.0
 *
 * @param mixed $will_store Whether FluentCRM stores it.
 */
function fcwh_expect_bounced_contact( $will_store ): void {
	FCWH_Request_State::$bounce_contact_coming = (bool) $will_store;
}

/**
 * Subscriber model `created` listener: the contact a bounce handler stored is contact.created.
 * (Every other creation fires contact_created once the contact is complete: not here.)
 *
 * @since 0.2.0
 *
 * @param object $contact Subscriber just inserted.
 */
function fcwh_capture_bounced_contact_created( $contact ): void {
	if ( ! FCWH_Request_State::$bounce_contact_coming ) {
		return;
	}
	FCWH_Request_State::$bounce_contact_coming = false;
	fcwh_capture_contact_created( $contact );
}

/**
 * `profile_update` at priority 9: the rows FluentCRM's user sync may change (by the old email,
 * the new one, or the user id).
 *
 * @since 0.2.0
 *
 * @param int    $user_id  User id.
 * @param object $old_user The user before the update (WP_User).
 */
function fcwh_read_contacts_before_user_sync( $user_id, $old_user = null ): void {
	$user = get_userdata( (int) $user_id );
	if ( ! $user || ! fcwh_wants( 'contact.updated' ) ) {
		return;
	}
	$old_email = is_object( $old_user ) && isset( $old_user->user_email ) ? (string) $old_user->user_email : '';
	FCWH_Request_State::$contacts_before_user_sync = fcwh_contact_rows(
		'email IN (%s, %s) OR user_id = %d',
		array( $old_email, (string) $user->user_email, (int) $user_id )
	);
}

/**
 * `profile_update` at priority 11: each of those rows that changed is a contact.updated.
 *
 * @since 0.2.0
 */
function fcwh_report_contacts_after_user_sync(): void {
	$before = FCWH_Request_State::$contacts_before_user_sync;
	FCWH_Request_State::$contacts_before_user_sync = array();
	if ( ! $before ) {
		return;
	}
	$after    = fcwh_contact_rows( 'id IN (' . implode( ',', array_fill( 0, count( $before ), '%d' ) ) . ')', array_keys( $before ) );
	$contacts = fcwh_find_models( 'Subscriber', array_keys( $after ) );
	foreach ( $after as $contact_id => $row ) {
		$changes = fcwh_changed_columns( $before[ $contact_id ], $row );
		if ( $changes && isset( $contacts[ $contact_id ] ) ) {
			fcwh_report_contact_update( $contacts[ $contact_id ], $changes );
		}
	}
}

/**
 * The columns of a row that changed, with their new values (null for an emptied one). Pure.
 *
 * @since 0.2.0
 *
 * @param array $before Column => value.
 * @param array $after  Column => value.
 */
function fcwh_changed_columns( array $before, array $after ): array {
	$changes = array();
	foreach ( $after as $column => $value ) {
		if ( array_key_exists( $column, $before ) && (string) $before[ $column ] !== (string) $value ) {
			$changes[ $column ] = '' === (string) $value ? null : $value;
		}
	}
	return $changes;
}
