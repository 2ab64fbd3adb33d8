<?php
/**
 * Campaigns and their emails, as FluentCRM runs them.
 *
 * @package FluentCRM_Standin
 */

namespace FcStandin;

use FluentCrm\App\Models\Campaign;
use FluentCrm\App\Models\CampaignEmail;
use FluentCrm\App\Models\Subscriber;

const SEND_BATCH_SIZE = 20;

function create_campaign( array $fields ): Campaign {
	$campaign = Campaign::create(
		array(
			'title'         => $fields['title'] ?? 'Campaign',
			'email_subject' => $fields['email_subject'] ?? ( $fields['title'] ?? 'Subject' ),
			'status'        => 'draft',
		)
	);
	$campaign = Campaign::find( $campaign->id );
	do_action( 'fluent_crm/campaign_created', $campaign );
	return $campaign;
}

function duplicate_campaign( Campaign $original ): Campaign {
	$copy = Campaign::create(
		array(
			'title'         => '[Duplicate] ' . $original->title,
			'email_subject' => $original->email_subject,
			'status'        => 'draft',
		)
	);
	$copy = Campaign::find( $copy->id );
	do_action( 'fluent_crm/campaign_duplicated', $copy, $original );
	return $copy;
}

/** Queues one email per contact (status `scheduled`); the recipients count is a model save. */
function add_recipients( Campaign $campaign, array $contact_ids ): int {
	foreach ( Subscriber::whereIn( 'id', $contact_ids )->get() as $contact ) {
		queue_email( (int) $campaign->id, $contact, (string) $campaign->email_subject );
	}
	$campaign->recipients_count = CampaignEmail::where( 'campaign_id', $campaign->id )->count();
	$campaign->save();
	return (int) $campaign->recipients_count;
}

function queue_email( ?int $campaign_id, Subscriber $contact, string $subject ): CampaignEmail {
	return CampaignEmail::create(
		array(
			'campaign_id'   => $campaign_id,
			'subscriber_id' => $contact->id,
			'email_address' => $contact->email,
			'email_subject' => $subject,
			'status'        => 'scheduled',
			'scheduled_at'  => current_time( 'mysql' ),
		)
	);
}

/**
 * A one-off email from the contact's profile: FluentCRM gives it a campaign row of its own, of
 * type `custom_email_campaign` (the Campaign model, scoped to type `campaign`, does not see it).
 */
function queue_one_off_email( Subscriber $contact, string $subject ): CampaignEmail {
	global $wpdb;
	$wpdb->insert(
		$wpdb->prefix . 'fc_campaigns',
		array(
			'type'          => 'custom_email_campaign',
			'title'         => 'Custom Email',
			'status'        => 'published',
			'email_subject' => $subject,
			'created_at'    => current_time( 'mysql' ),
			'updated_at'    => current_time( 'mysql' ),
		)
	);
	return queue_email( (int) $wpdb->insert_id, $contact, $subject );
}

/** draft -> scheduled -> working: status saves that are neither a pause nor a resume. */
function start_campaign( Campaign $campaign ): void {
	foreach ( array( 'scheduled', 'working' ) as $status ) {
		$campaign->status = $status;
		$campaign->save();
	}
}

/** `POST /campaigns/{id}/pause` and `/resume`: model saves, no hook. */
function set_campaign_status( Campaign $campaign, string $from, string $to ): bool {
	if ( $from !== $campaign->status ) {
		return false;
	}
	$campaign->status = $to;
	$campaign->save();
	return true;
}

/**
 * The mailer: takes queued emails as models, marks them sent with a bulk update (the models keep
 * their stale status), cancels some via model saves, and fires `fluentcrm_sending_emails_done`
 * once per batch of 20 with the models (subscriber and campaign loaded).
 */
function send_queued_emails( int $limit, array $cancel_ids ): array {
	$emails = CampaignEmail::whereIn( 'status', array( 'pending', 'scheduled' ) )->orderBy( 'id' )->limit( $limit )->get()->all();
	$sent   = array();
	foreach ( $emails as $email ) {
		$email->subscriber; // relations loaded, as FluentCRM's mailer does
		$email->campaign;
		if ( in_array( (int) $email->id, $cancel_ids, true ) ) {
			$email->status = 'cancelled';
			$email->save();
		} else {
			$sent[] = (int) $email->id;
		}
	}
	if ( $sent ) {
		CampaignEmail::whereIn( 'id', $sent )->update(
			array(
				'status'     => 'sent',
				'updated_at' => current_time( 'mysql' ),
			)
		);
	}
	foreach ( array_chunk( $emails, SEND_BATCH_SIZE ) as $batch ) {
		do_action( 'fluentcrm_sending_emails_done', new Collection( $batch ) );
	}
	return $sent;
}

/**
 * `GET /campaigns/{id}/status`: a working campaign with nothing left to send is archived and
 * `fluent_crm/campaign_archived` gets the re-read model.
 */
function poll_campaign_status( Campaign $campaign ): string {
	$left = CampaignEmail::where( 'campaign_id', $campaign->id )->whereIn( 'status', array( 'pending', 'scheduled' ) )->count();
	if ( 'working' === $campaign->status && 0 === $left ) {
		$campaign->status = 'archived';
		$campaign->save();
		do_action( 'fluent_crm/campaign_archived', Campaign::find( $campaign->id ) );
	}
	return (string) Campaign::find( $campaign->id )->status;
}

/** The hourly job: a bulk update, and the hook gets the model loaded before it (stale status). */
function hourly_archive( Campaign $campaign ): void {
	Campaign::where( 'id', $campaign->id )->update( array( 'status' => 'archived' ) );
	do_action( 'fluent_crm/campaign_archived', $campaign );
}

/** Tracking: the first open fires email_opened; a click on an unopened email opens it too. */
function open_email( CampaignEmail $email ): void {
	if ( (int) $email->is_open ) {
		return;
	}
	$email->is_open = 1;
	$email->save();
	do_action( 'fluent_crm/email_opened', $email );
}

function click_email( CampaignEmail $email, string $url ): void {
	open_email( $email );
	$email->click_counter = (int) $email->click_counter + 1;
	$email->save();
	$url_row = (object) array(
		'id'         => (string) abs( crc32( $url ) ),
		'url'        => $url,
		'short'      => substr( md5( $url ), 0, 8 ),
		'created_at' => current_time( 'mysql' ),
		'updated_at' => current_time( 'mysql' ),
	);
	do_action( 'fluent_crm/email_url_clicked', $email, $url_row );
}

/** The unsubscribe page / List-Unsubscribe: the "before" hook fires even when nothing changes. */
function unsubscribe( Subscriber $contact, ?CampaignEmail $email, string $source ): void {
	do_action( 'fluent_crm/before_contact_unsubscribe_from_email', $contact, $email, $source );
	if ( 'unsubscribed' !== $contact->status ) {
		update_status( $contact, 'unsubscribed' );
	}
}

/**
 * Action Scheduler, which FluentCRM bundles, checks on `shutdown` (priority 10) whether to start
 * its async queue runner, and after starting it removes that check from `shutdown` while the
 * hook runs; WordPress then skips the next priority of `shutdown`. Real sites do this from admin
 * requests at most once a minute; the stand-in does it on every request.
 */
function hook_async_runner_dispatch(): void {
	add_action( 'shutdown', __NAMESPACE__ . '\\dispatch_async_runner', 10 );
}

function dispatch_async_runner(): void {
	remove_action( 'shutdown', __NAMESPACE__ . '\\dispatch_async_runner', 10 );
}
