<?php
/**
 * What FluentCRM does when contacts change, hook for hook, in the order and argument shapes
 * fluentcrm-events.md records for each release.
 *
 * @package FluentCRM_Standin
 */

namespace FcStandin;

use FluentCrm\App\Models\Lists;
use FluentCrm\App\Models\Subscriber;
use FluentCrm\App\Models\Tag;

const TERM_MODELS          = array(
	'tags'  => Tag::class,
	'lists' => Lists::class,
);
const CONTACT_FIELDS       = array( 'email', 'first_name', 'last_name', 'status', 'phone', 'user_id' );
const FUNNEL_EXIT_STATUSES = array( 'unsubscribed', 'bounced', 'complained', 'spammed' );

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

/** `PUT /subscribers/{id}`: a plain save; a status among the fields fires no status hook. */
function update_contact( Subscriber $contact, array $fields ): array {
	foreach ( array_intersect_key( $fields, array_flip( CONTACT_FIELDS ) ) as $key => $value ) {
		$contact->{$key} = $value;
	}
	$dirty = $contact->getDirty();
	$contact->save();
	if ( $dirty ) {
		fire_contact_updated( $contact, $dirty );
	}
	return $dirty;
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
	if ( isset( $dirty['status'] ) && 'subscribed' === $dirty['status'] ) {
		do_action( 'fluent_crm/subscriber_status_changed', new Subscriber(), $old_status, null );
		do_action( 'fluentcrm_subscriber_status_to_subscribed', $existing, $old_status );
	}
	if ( $dirty ) {
		fire_contact_updated( $existing, $dirty );
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
