<?php
/**
 * Status changes, and the email events FluentCRM only expresses as status changes:
 * bounced -> email.bounced, complained/spammed -> email.spam_complaint,
 * unsubscribed -> email.unsubscribed.
 *
 * One change reaches us through up to three paths, in varying order: the new-style
 * `fluent_crm/subscriber_status_changed`, the old-style `fluentcrm_subscriber_status_to_{status}`,
 * and `contact_updated` with `status` among the changed columns (the only signal when the status
 * is edited through `PUT /subscribers/{id}` or createOrUpdate()). The first path to report a
 * contact's move to a status wins; the others are dropped until the contact moves elsewhere.
 *
 * @package FluentCRM_Webhooks
 * @since 0.1.0
 */

if ( ! defined( 'ABSPATH' ) ) {
	exit;
}

const FCWH_CONTACT_STATUSES   = array( 'subscribed', 'pending', 'unsubscribed', 'transactional', 'bounced', 'complained', 'spammed' );
const FCWH_STATUS_HOOK_PREFIX = 'fluentcrm_subscriber_status_to_';

/**
 * Subscriber model `updating` listener: keeps the status a save is about to overwrite, since
 * `contact_updated` fires after the save, when only the new value is left.
 *
 * @since 0.1.0
 *
 * @param object $contact Subscriber being saved.
 */
function fcwh_remember_status_before_save( $contact ): void {
	$contact_id = fcwh_int_or_null( $contact->id ?? null );
	if ( null === $contact_id || ! method_exists( $contact, 'getDirty' ) || ! array_key_exists( 'status', (array) $contact->getDirty() ) ) {
		return;
	}
	FCWH_Request_State::$status_before_save[ $contact_id ] = (string) $contact->getOriginal( 'status' );
}

/**
 * `fluent_crm/subscriber_status_changed` `(contact, old, new)`. From createOrUpdate() it receives
 * an empty contact and a null new status (a FluentCRM bug): the status_to hook right after it
 * carries the real contact, so such a call is ignored.
 *
 * @since 0.1.0
 *
 * @param object      $contact    Subscriber.
 * @param string|null $old_status Previous status.
 * @param string|null $new_status New status.
 */
function fcwh_capture_status_changed( $contact, $old_status = '', $new_status = null ): void {
	if ( ! is_object( $contact ) || null === $new_status || '' === (string) $new_status ) {
		return;
	}
	fcwh_status_change( $contact, null === $old_status ? null : (string) $old_status, (string) $new_status );
}

/**
 * `fluentcrm_subscriber_status_to_{status}` `(contact, old)`: the new status is in the hook name.
 *
 * @since 0.1.0
 *
 * @param object $contact    Subscriber.
 * @param string $old_status Previous status ('' when the contact was just created).
 */
function fcwh_capture_status_to( $contact, $old_status = '' ): void {
	$hook = (string) current_action();
	if ( ! is_object( $contact ) || 0 !== strpos( $hook, FCWH_STATUS_HOOK_PREFIX ) ) {
		return;
	}
	fcwh_status_change( $contact, (string) $old_status, substr( $hook, strlen( FCWH_STATUS_HOOK_PREFIX ) ) );
}

/**
 * A status written by a plain save (seen through `contact_updated`).
 *
 * @since 0.1.0
 *
 * @param object $contact    Subscriber, already saved.
 * @param string $new_status The saved status.
 */
function fcwh_capture_status_saved( $contact, string $new_status ): void {
	$contact_id = fcwh_int_or_null( $contact->id ?? null );
	$old_status = null !== $contact_id && isset( FCWH_Request_State::$status_before_save[ $contact_id ] )
		? FCWH_Request_State::$status_before_save[ $contact_id ] : null;
	fcwh_status_change( $contact, $old_status, $new_status );
}

/**
 * `fluent_crm/before_contact_unsubscribe_from_email` `(contact, campaign email|null, source)`:
 * the only place that knows which email an unsubscribe came from. Remembered for the status
 * change that follows (none follows when the contact was already unsubscribed).
 *
 * @since 0.1.0
 *
 * @param object      $contact Subscriber.
 * @param object|null $email   CampaignEmail or null.
 * @param string      $source  `from_header` (List-Unsubscribe) or `web_ui` (unsubscribe page).
 */
function fcwh_capture_unsubscribe_context( $contact, $email = null, $source = '' ): void {
	$contact_id = is_object( $contact ) ? fcwh_int_or_null( $contact->id ?? null ) : null;
	if ( null === $contact_id ) {
		return;
	}
	FCWH_Request_State::$unsubscribe_context[ $contact_id ] = array(
		'email'  => is_object( $email ) ? $email : null,
		'source' => '' === (string) $source ? null : (string) $source,
	);
}

/**
 * Reports one status change once: contact.status_changed and the email event it implies.
 *
 * @since 0.1.0
 *
 * @param object      $contact    Subscriber.
 * @param string|null $old_status Previous status; '' means the contact is new (not a change);
 *                                null means unknown.
 * @param string      $new_status New status.
 */
function fcwh_status_change( $contact, ?string $old_status, string $new_status ): void {
	$contact_id = fcwh_int_or_null( $contact->id ?? null );
	if ( null === $contact_id || '' === $old_status || $old_status === $new_status || ! in_array( $new_status, FCWH_CONTACT_STATUSES, true ) ) {
		return;
	}
	// The other paths reporting the same change find it already reported. (Keyed by the new
	// status alone: the paths disagree on the old one, which some of them do not know.)
	if ( isset( FCWH_Request_State::$status_reported[ $contact_id ] ) && FCWH_Request_State::$status_reported[ $contact_id ] === $new_status ) {
		return;
	}
	FCWH_Request_State::$status_reported[ $contact_id ] = $new_status;

	// Read once, and only when one of the two events is wanted.
	$contact_data = null;
	$read_contact = static function () use ( $contact, &$contact_data ) {
		if ( null === $contact_data ) {
			$contact_data = fcwh_contact_data( $contact );
		}
		return $contact_data;
	};
	fcwh_emit(
		'contact.status_changed',
		static function () use ( $read_contact, $old_status, $new_status ) {
			return array(
				'contact'    => $read_contact(),
				'old_status' => $old_status,
				'new_status' => $new_status,
			);
		}
	);
	$email_event = fcwh_email_event_for_status( $new_status );
	if ( null !== $email_event ) {
		fcwh_emit(
			$email_event,
			static function () use ( $email_event, $contact_id, $read_contact, $new_status ) {
				return fcwh_email_event_data( $email_event, $contact_id, $read_contact(), $new_status );
			}
		);
	}
}

/**
 * The email event a new status implies, or null.
 *
 * @since 0.1.0
 *
 * @param string $new_status New status.
 */
function fcwh_email_event_for_status( string $new_status ): ?string {
	$events = array(
		'bounced'      => 'email.bounced',
		'complained'   => 'email.spam_complaint',
		'spammed'      => 'email.spam_complaint',
		'unsubscribed' => 'email.unsubscribed',
	);
	return isset( $events[ $new_status ] ) ? $events[ $new_status ] : null;
}

/**
 * The data of email.bounced / email.spam_complaint / email.unsubscribed. FluentCRM names no
 * email for bounces and complaints; an unsubscribe names one when it came from an email link.
 *
 * @since 0.1.0
 *
 * @param string $type         Event type.
 * @param int    $contact_id   Contact id.
 * @param array  $contact_data The contact's data.
 * @param string $new_status   The contact's new status.
 */
function fcwh_email_event_data( string $type, int $contact_id, array $contact_data, string $new_status ): array {
	if ( 'email.unsubscribed' !== $type ) {
		return array(
			'email'      => null,
			'contact'    => $contact_data,
			'new_status' => $new_status,
		);
	}
	$context = isset( FCWH_Request_State::$unsubscribe_context[ $contact_id ] ) ? FCWH_Request_State::$unsubscribe_context[ $contact_id ] : array(
		'email'  => null,
		'source' => null,
	);
	return array(
		'email'   => $context['email'] ? fcwh_email_data( $context['email'], array( 'unsubscribed_at' => fcwh_iso_now() ) ) : null,
		'contact' => $contact_data,
		'source'  => $context['source'],
	);
}
