<?php
/**
 * What FluentCRM does when contacts change, hook for hook, in the order and argument shapes of
 * each release; and, as faithfully, the changes it makes with no hook saying so (custom fields by
 * bulk action, the property route and bulk actions, the manage-subscription page, WordPress user
 * sync, the contact a bounce handler stores), so that the plugin's other ways of seeing them are
 * tested.
 *
 * @package FluentCRM_Standin
 */

namespace FcStandin;

use FluentCrm\App\Models\Lists;
use FluentCrm\App\Models\Subscriber;
use FluentCrm\App\Models\SubscriberMeta;
use FluentCrm\App\Models\Tag;

const TERM_MODELS          = array(
	'tags'  => Tag::class,
	'lists' => Lists::class,
);
const CONTACT_FIELDS       = array( 'email', 'first_name', 'last_name', 'status', 'phone', 'user_id' );
const FUNNEL_EXIT_STATUSES = array( 'unsubscribed', 'bounced', 'complained', 'spammed' );
// `PUT /subscribers/subscribers-property`: the columns it sets besides status, with no hook but
// these (contact_type: `fluentcrm_subscriber_contact_type_to_{type}`; avatar: its own).
const PROPERTY_COLUMNS = array( 'contact_type', 'avatar', 'company_id' );

/**
 * Creates a contact like `POST /subscribers` (or one CSV import row when `$import` is set: the
 * model is the freshly inserted one, with an int id; silent imports skip old-style tag hooks).
 */
function create_contact( array $fields, array $tag_ids = array(), array $list_ids = array(), bool $import = false, bool $silent = false ): Subscriber {
	$contact = new Subscriber(
		array_intersect_key( $fields, array_flip( CONTACT_FIELDS ) ) + array(
			'status' => 'subscribed',
			'hash'   => md5( wp_generate_uuid4() ),
		)
	);
	$contact->save();
	if ( ! empty( $fields['custom_values'] ) ) {
		sync_custom_values( $contact, (array) $fields['custom_values'], false ); // the new model: wasRecentlyCreated
	}
	if ( ! $import ) {
		$contact = Subscriber::find( $contact->id ); // the REST path works on a re-read model: string ids
	}
	// A new contact's tag and list hooks fire before its contact_created.
	attach_terms( $contact, 'tags', $tag_ids, $silent );
	attach_terms( $contact, 'lists', $list_ids, $silent );
	if ( ! $import && 'subscribed' === $contact->status ) {
		do_action( 'fluentcrm_subscriber_status_to_subscribed', $contact, '' );
	}
	$times = is_old_release() && ! $import ? 2 : 1;
	for ( $i = 0; $i < $times; $i++ ) {
		do_action( 'fluentcrm_contact_created', $contact );
		do_action( 'fluent_crm/contact_created', $contact );
	}
	return $contact;
}

/** Attaches tags or lists; the hooks get only the new ids, with array_diff()'s gappy keys. */
function attach_terms( Subscriber $contact, string $kind, array $ids, bool $silent = false ): void {
	global $wpdb;
	$new = array_diff( array_map( 'intval', $ids ), $contact->pivotIds( TERM_MODELS[ $kind ] ) );
	if ( ! $new ) {
		return;
	}
	foreach ( $new as $id ) {
		$wpdb->insert(
			$wpdb->prefix . 'fc_subscriber_pivot',
			array(
				'subscriber_id' => $contact->id,
				'object_id'     => $id,
				'object_type'   => TERM_MODELS[ $kind ],
				'created_at'    => current_time( 'mysql' ),
			)
		);
	}
	fire_term_hooks( $contact, $kind, 'added_to', $new, $silent );
}

function detach_terms( Subscriber $contact, string $kind, array $ids ): void {
	global $wpdb;
	$gone = array_intersect( $contact->pivotIds( TERM_MODELS[ $kind ] ), array_map( 'intval', $ids ) );
	if ( ! $gone ) {
		return;
	}
	foreach ( $gone as $id ) {
		$wpdb->delete(
			$wpdb->prefix . 'fc_subscriber_pivot',
			array(
				'subscriber_id' => $contact->id,
				'object_id'     => $id,
				'object_type'   => TERM_MODELS[ $kind ],
			)
		);
	}
	fire_term_hooks( $contact, $kind, 'removed_from', $gone, false );
}

/** Old style `(ids, contact)` first; the new style `(contact, ids)` only from 2.9.84 on. */
function fire_term_hooks( Subscriber $contact, string $kind, string $change, array $ids, bool $silent ): void {
	if ( ! $silent ) {
		do_action( "fluentcrm_contact_{$change}_{$kind}", $ids, $contact );
	}
	if ( ! is_old_release() ) {
		do_action( "fluent_crm/contact_{$change}_{$kind}", $contact, $ids );
	}
}

/**
 * `PUT /subscribers/{id}`: a plain save; a status among the fields fires no status hook. Custom
 * values are synced after the save, emptied ones removed; contact_updated only for columns.
 */
function update_contact( Subscriber $contact, array $fields ): array {
	foreach ( array_intersect_key( $fields, array_flip( CONTACT_FIELDS ) ) as $key => $value ) {
		$contact->{$key} = $value;
	}
	$dirty = $contact->getDirty();
	$contact->save();
	if ( ! empty( $fields['custom_values'] ) ) {
		sync_custom_values( $contact, (array) $fields['custom_values'], true );
	}
	if ( $dirty ) {
		fire_contact_updated( $contact, $dirty );
	}
	return $dirty;
}

/**
 * `Subscriber::syncCustomFieldValues()`: each changed value saved through the model; with
 * `$remove_emptied`, every key given '' is deleted by one query (no model event) and reported
 * as changed to '' whether or not it had a value. Then both hooks, `(values, contact, changed)`.
 */
function sync_custom_values( Subscriber $contact, array $values, bool $remove_emptied ): array {
	$changed = array();
	$emptied = array_keys( array_filter( $values, static function ( $value ) {
		return '' === $value;
	} ) );
	if ( $remove_emptied && $emptied ) {
		foreach ( $emptied as $key ) {
			SubscriberMeta::where( 'subscriber_id', (int) $contact->id )->where( 'object_type', 'custom_field' )->where( 'key', (string) $key )->delete();
			$changed[ $key ] = '';
		}
	}
	$given = array_filter( $values, static function ( $value ) {
		return '' !== $value;
	} );
	foreach ( $given as $key => $value ) {
		$meta = SubscriberMeta::where( 'subscriber_id', (int) $contact->id )->where( 'object_type', 'custom_field' )->where( 'key', (string) $key )->first();
		if ( $meta && (string) $meta->value === (string) $value ) {
			continue;
		}
		if ( ! $meta ) {
			$meta = new SubscriberMeta( array( 'subscriber_id' => (int) $contact->id, 'object_type' => 'custom_field', 'key' => (string) $key ) );
		}
		$meta->value = (string) $value;
		$meta->save();
		$changed[ $key ] = $value;
	}
	if ( $changed ) {
		do_action( 'fluentcrm_contact_custom_data_updated', $given, $contact, $changed );
		do_action( 'fluent_crm/contact_custom_data_updated', $given, $contact, $changed );
	}
	return $changed;
}

/** `PUT /subscribers/subscribers-property` for contact_type, avatar or company_id: a save per contact. */
function update_property( Subscriber $contact, string $column, $value ): void {
	$old = $contact->{$column};
	if ( (string) $old === (string) $value ) {
		return;
	}
	$contact->{$column} = $value;
	$contact->save();
	if ( 'contact_type' === $column ) {
		do_action( 'fluentcrm_subscriber_contact_type_to_' . $value, $contact, $old );
	} elseif ( 'avatar' === $column ) {
		do_action( 'fluent_crm/subscriber_avatar_update', $contact, $old );
	}
}

/**
 * `POST /subscribers/do-bulk-action`: change_contact_type (a save, then
 * `fluent_crm/subscriber_contact_type_to_{type}`), add_to_company (sets company_id when the
 * contact has none), remove_from_company (clears it), update_custom_fields (`{key, value}`: the
 * meta saved straight through the model, no custom-data hook): saves, no contact_updated.
 */
function bulk_contact_action( Subscriber $contact, string $action, $value ): void {
	if ( 'update_custom_fields' === $action ) {
		$meta = SubscriberMeta::where( 'subscriber_id', (int) $contact->id )->where( 'key', (string) $value['key'] )->first()
			?: new SubscriberMeta( array( 'subscriber_id' => (int) $contact->id, 'object_type' => 'custom_field', 'key' => (string) $value['key'] ) );
		$meta->value = (string) $value['value'];
		$meta->save();
		return;
	}
	if ( 'change_contact_type' === $action && (string) $contact->contact_type !== (string) $value ) {
		$old                   = $contact->contact_type;
		$contact->contact_type = $value;
		$contact->save();
		do_action( 'fluent_crm/subscriber_contact_type_to_' . $value, $contact, $old );
	} elseif ( 'add_to_company' === $action && ! $contact->company_id ) {
		$contact->company_id = (int) $value;
		$contact->save();
	} elseif ( 'remove_from_company' === $action && (int) $contact->company_id === (int) $value ) {
		$contact->company_id = null;
		$contact->save();
	}
}

/**
 * The manage-subscription page's form (admin-ajax `fluentcrm_manage_preferences_ajax`, for
 * visitors and users): the contact by its secure hash (here: the `hash` column), its names
 * saved; a new email also moves it to pending. One save, no hook at all; the handler ends the
 * request with wp_send_json.
 */
function handle_manage_preferences(): void {
	// phpcs:disable WordPress.Security.NonceVerification.Missing -- FluentCRM's form has no nonce either.
	$contact = Subscriber::where( 'hash', (string) ( $_POST['_secure_hash'] ?? '' ) )->first();
	if ( ! $contact ) {
		wp_send_json_error( array( 'message' => 'Sorry! No subscriber found in the database' ), 422 );
	}
	$email = sanitize_email( wp_unslash( (string) ( $_POST['email'] ?? '' ) ) );
	if ( $email !== $contact->email ) {
		$contact->status = 'pending';
		$contact->email  = $email;
	}
	$contact->first_name = sanitize_text_field( wp_unslash( (string) ( $_POST['first_name'] ?? '' ) ) );
	$contact->last_name  = sanitize_text_field( wp_unslash( (string) ( $_POST['last_name'] ?? '' ) ) );
	// phpcs:enable
	$contact->save();
	wp_send_json_success( array( 'message' => 'Your provided information has been successfully updated' ) );
}

/**
 * FluentCRM's user sync on `profile_update` (priority 10, when its setting is on: here the
 * option fcstandin_user_sync): the contact's email, names and user id change by query.
 */
function sync_user_update( $user_id, $old_user ): void {
	global $wpdb;
	$user = get_userdata( (int) $user_id );
	if ( 'yes' !== get_option( 'fcstandin_user_sync' ) || ! $user ) {
		return;
	}
	$columns = array_filter(
		array(
			'first_name' => $user->first_name,
			'last_name'  => $user->last_name,
			'user_id'    => $user->ID,
			'updated_at' => current_time( 'mysql' ),
		)
	);
	$email   = $old_user->user_email ?? $user->user_email;
	if ( $user->user_email !== $email ) {
		$columns += array(
			'email' => $user->user_email,
			'hash'  => md5( $user->user_email ),
		);
	}
	$wpdb->update( Subscriber::table(), $columns, array( 'email' => $email ) );
}

/**
 * A bounce handler for an address no contact has: `Subscriber::store()` of a bounced contact,
 * when the filter allows it; no contact_created, no status hook.
 */
function store_bounced_address( string $email, string $status ): ?Subscriber {
	if ( ! apply_filters( 'fluent_crm/bounced_email_store', true ) ) {
		return null;
	}
	return Subscriber::create(
		array(
			'email'  => $email,
			'status' => $status,
			'hash'   => md5( $email ),
		)
	);
}

function fire_contact_updated( Subscriber $contact, array $dirty ): void {
	do_action( 'fluent_crm/contact_updated', $contact, $dirty );
	do_action( 'fluentcrm_contact_updated', $contact, $dirty );
}

/** `Subscriber::updateStatus()` (unsubscribe page, bounce handlers): new-style hook first. */
function update_status( Subscriber $contact, string $new_status ): void {
	$old = (string) $contact->status;
	if ( $old === $new_status ) {
		return;
	}
	$contact->status = $new_status;
	$contact->save();
	do_action( 'fluent_crm/subscriber_status_changed', $contact, $old, $new_status );
	do_action( "fluentcrm_subscriber_status_to_{$new_status}", $contact, $old );
}

/** `PUT /subscribers/subscribers-property` (admin bulk status): status_to hook first. */
function update_status_from_admin( Subscriber $contact, string $new_status ): void {
	$old = (string) $contact->status;
	if ( $old === $new_status ) {
		return;
	}
	$contact->status = $new_status;
	$contact->save();
	do_action( "fluentcrm_subscriber_status_to_{$new_status}", $contact, $old );
	do_action( 'fluent_crm/subscriber_status_changed', $contact, $old, $new_status );
}

/**
 * `FluentCrmApi('contacts')->createOrUpdate()`: to `subscribed`, the new-style status hook gets
 * an EMPTY contact and a null status (FluentCRM's bug), then the old-style one the real contact;
 * to any other status, no status hook at all. contact_updated follows either way.
 */
function create_or_update( array $fields ): Subscriber {
	$existing = Subscriber::where( 'email', $fields['email'] )->first();
	if ( ! $existing ) {
		return create_contact( $fields );
	}
	$old_status = (string) $existing->status;
	foreach ( array_intersect_key( $fields, array_flip( CONTACT_FIELDS ) ) as $key => $value ) {
		$existing->{$key} = $value;
	}
	$dirty = $existing->getDirty();
	$existing->save();
	$custom_changes = empty( $fields['custom_values'] ) ? array() : sync_custom_values( $existing, (array) $fields['custom_values'], false );
	if ( isset( $dirty['status'] ) && 'subscribed' === $dirty['status'] ) {
		do_action( 'fluent_crm/subscriber_status_changed', new Subscriber(), $old_status, null );
		do_action( 'fluentcrm_subscriber_status_to_subscribed', $existing, $old_status );
	}
	if ( $dirty || $custom_changes ) {
		fire_contact_updated( $existing, $dirty ); // custom fields alone: an empty $dirty
	}
	return $existing;
}

/**
 * Deletes contacts; the hooks get the ids exactly as the client sent them (strings, too).
 * Only the contact rows go here: the rest goes in FluentCRM's own listener of the "after" hook.
 */
function delete_contacts( array $ids_as_sent ): void {
	do_action( 'fluentcrm_before_subscribers_deleted', $ids_as_sent );
	Subscriber::whereIn( 'id', array_map( 'intval', $ids_as_sent ) )->delete();
	do_action( 'fluentcrm_after_subscribers_deleted', $ids_as_sent );
}

/**
 * FluentCRM's cleanup on `fluentcrm_after_subscribers_deleted` (priority 10, registered when it
 * boots): the deleted contacts' funnel rows, pivot rows and emails go in bulk.
 */
function delete_contact_assets( $ids_as_sent ): void {
	$ids = array_map( 'intval', (array) $ids_as_sent );
	\FluentCrm\App\Models\FunnelSubscriber::whereIn( 'subscriber_id', $ids )->delete();
	\FluentCrm\App\Models\CampaignEmail::whereIn( 'subscriber_id', $ids )->delete();
	global $wpdb;
	$wpdb->query( "DELETE FROM {$wpdb->prefix}fc_subscriber_pivot WHERE subscriber_id IN (" . implode( ',', $ids ?: array( 0 ) ) . ')' );
}

/**
 * FluentCRM's own cleanup on `fluentcrm_subscriber_status_to_{unsubscribed|bounced|...}`
 * (priority 10): the contact's `active` funnel rows are cancelled in bulk, except in funnels
 * triggered by the status change itself.
 */
function cancel_funnels_of_leaving_contact( $contact ): void {
	global $wpdb;
	$wpdb->query(
		$wpdb->prepare(
			"UPDATE {$wpdb->prefix}fc_funnel_subscribers fs JOIN {$wpdb->prefix}fc_funnels f ON f.id = fs.funnel_id
			 SET fs.status = 'cancelled' WHERE fs.subscriber_id = %d AND fs.status = 'active'
			 AND COALESCE(f.trigger_name, '') <> 'fluent_crm/subscriber_status_changed'",
			$contact->id
		)
	);
}
