<?php
/**
 * Email events with their own hooks: sent (per batch), opened, clicked. Bounces, complaints and
 * unsubscribes are status changes (statuses.php).
 *
 * @package FluentCRM_Webhooks
 * @since 0.1.0
 */

if ( ! defined( 'ABSPATH' ) ) {
	exit;
}

/**
 * `fluentcrm_sending_emails_done` `(Collection<CampaignEmail>)`, once per batch after sending.
 * The items' in-memory status is stale (sent rows still read pending/scheduled), so each row's
 * status is read again and only `sent` rows count. No per-request dedupe key: each send of an
 * email is reported by exactly one batch, and a campaign's burst of thousands of emails must not
 * grow the request's memory with a key per email.
 *
 * @since 0.1.0
 *
 * @param iterable $emails CampaignEmail models, with `subscriber` loaded.
 */
function fcwh_capture_emails_sent( $emails ): void {
	if ( ! fcwh_wants( 'email.sent' ) ) {
		return;
	}
	$batch = array();
	foreach ( fcwh_items( $emails ) as $email ) {
		$email_id = is_object( $email ) ? fcwh_int_or_null( $email->id ?? null ) : null;
		if ( null !== $email_id ) {
			$batch[ $email_id ] = $email;
		}
	}
	$stored   = fcwh_find_models( 'CampaignEmail', array_keys( $batch ) );
	$contacts = fcwh_find_models( 'Subscriber', array_map( 'fcwh_email_contact_id', $stored ) );

	foreach ( $batch as $email_id => $email ) {
		if ( ! isset( $stored[ $email_id ] ) || 'sent' !== (string) $stored[ $email_id ]->status ) {
			continue;
		}
		$row        = $stored[ $email_id ];
		$contact_id = fcwh_email_contact_id( $row );
		fcwh_emit(
			'email.sent',
			array(
				'email'   => fcwh_email_data( $row, array( 'sent_at' => fcwh_iso_from_site_time( $row->updated_at ?? null ) ?? fcwh_iso_now() ) ),
				'contact' => isset( $contacts[ $contact_id ] ) ? fcwh_contact_data( $contacts[ $contact_id ] ) : null,
			)
		);
	}
}

/**
 * The contact id of a campaign email (0 when there is none).
 *
 * @since 0.1.0
 *
 * @param object $email CampaignEmail.
 */
function fcwh_email_contact_id( $email ): int {
	return (int) fcwh_int_or_null( $email->subscriber_id ?? null );
}

/**
 * `fluent_crm/email_opened` `(CampaignEmail)`: first open only (a first click opens too).
 *
 * @since 0.1.0
 *
 * @param object $email CampaignEmail.
 */
function fcwh_capture_email_opened( $email ): void {
	$email_id = is_object( $email ) ? fcwh_int_or_null( $email->id ?? null ) : null;
	if ( null === $email_id ) {
		return;
	}
	fcwh_emit(
		'email.opened',
		static function () use ( $email ) {
			return array(
				'email'   => fcwh_email_data( $email, array( 'opened_at' => fcwh_iso_now() ) ),
				'contact' => fcwh_contact_data( fcwh_find_model( 'Subscriber', fcwh_email_contact_id( $email ) ) ),
			);
		},
		array( 'dedupe_key' => (string) $email_id )
	);
}

/**
 * `fluent_crm/email_url_clicked` `(CampaignEmail, url row)`: every click is an event.
 *
 * @since 0.1.0
 *
 * @param object $email CampaignEmail.
 * @param object $url   Row of fc_url_stores (`id`, `url`, ...).
 */
function fcwh_capture_email_clicked( $email, $url = null ): void {
	if ( ! is_object( $email ) || null === fcwh_int_or_null( $email->id ?? null ) ) {
		return;
	}
	fcwh_emit(
		'email.clicked',
		static function () use ( $email, $url ) {
			return array(
				'email'   => fcwh_email_data(
					$email,
					array(
						'clicked_at' => fcwh_iso_now(),
						'url'        => is_object( $url ) ? fcwh_string_or_null( $url->url ?? null ) : null,
					)
				),
				'contact' => fcwh_contact_data( fcwh_find_model( 'Subscriber', fcwh_email_contact_id( $email ) ) ),
			);
		}
	);
}
