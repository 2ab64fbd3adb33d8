<?php
/**
 * Funnels (automations) and FluentCRM Pro's email sequences.
 *
 * @package FluentCRM_Standin
 */

namespace FcStandin;

use FluentCrm\App\Models\Funnel;
use FluentCrm\App\Models\FunnelSubscriber;
use FluentCrm\App\Models\Subscriber;

function create_funnel( array $fields ): Funnel {
	return Funnel::find(
		Funnel::create(
			array(
				'title'        => $fields['title'] ?? 'Funnel',
				'trigger_name' => $fields['trigger_name'] ?? 'fluentcrm_contact_added_to_tags',
				'steps'        => (int) ( $fields['steps'] ?? 1 ),
			)
		)->id
	);
}

/**
 * A contact enters a funnel: a FunnelSubscriber row (model `created` event). Through the start
 * trigger (FunnelProcessor::startSequences) the row has no starting step; when the funnel has no
 * step to run it is deleted at once in bulk and nothing else fires, otherwise
 * `fluent_crm/automation_funnel_start` follows. Through a goal step
 * (startFunnelFromSequencePoint) the row names that step and nothing else fires.
 */
function enter_funnel( Funnel $funnel, Subscriber $contact, string $via, string $status ): FunnelSubscriber {
	$row = FunnelSubscriber::create(
		array(
			'funnel_id'            => $funnel->id,
			'subscriber_id'        => $contact->id,
			'status'               => $status,
			'starting_sequence_id' => 'goal' === $via ? 1000 + (int) $funnel->id : null,
		)
	);
	if ( 'start' === $via ) {
		if ( (int) $funnel->steps < 1 ) {
			FunnelSubscriber::where( 'id', $row->id )->delete();
			return $row;
		}
		do_action( 'fluent_crm/automation_funnel_start', $funnel, $contact );
	}
	return $row;
}

/** Completion fires before the last action and, with a re-triggered goal, twice. */
function complete_funnel( Funnel $funnel, Subscriber $contact, bool $twice ): void {
	do_action( 'fluent_crm/automation_funnel_completed', $funnel, $contact );
	FunnelSubscriber::where( 'funnel_id', $funnel->id )->where( 'subscriber_id', $contact->id )->update( array( 'status' => 'completed' ) );
	if ( $twice ) {
		do_action( 'fluent_crm/automation_funnel_completed', $funnel, $contact );
	}
}

/** `PUT /funnels/{id}/subscribers/{sid}/status`: a model save. */
function set_funnel_row_status( Funnel $funnel, int $contact_id, string $status ): ?FunnelSubscriber {
	$row = FunnelSubscriber::where( 'funnel_id', $funnel->id )->where( 'subscriber_id', $contact_id )->first();
	if ( $row ) {
		$row->status = $status;
		$row->save();
	}
	return $row;
}

/** Removing contacts from a funnel or deleting a funnel: bulk deletes, nothing fires. */
function remove_from_funnel( Funnel $funnel, array $contact_ids ): int {
	return FunnelSubscriber::where( 'funnel_id', $funnel->id )->whereIn( 'subscriber_id', array_map( 'intval', $contact_ids ) )->delete();
}

function delete_funnel( Funnel $funnel ): void {
	FunnelSubscriber::where( 'funnel_id', $funnel->id )->delete();
	Funnel::where( 'id', $funnel->id )->delete();
}

/** `POST /funnels/remove-bulk-subscribers` (funnel_subscriber_ids: row ids): one bulk delete. */
function remove_funnel_rows( array $row_ids ): int {
	return FunnelSubscriber::whereIn( 'id', array_map( 'intval', $row_ids ) )->delete();
}

/**
 * `POST /funnels/do-bulk-action` with `delete_funnels`: for each funnel FluentCRM deletes the rows
 * of ALL the funnels named (whereIn), then the funnel by a model delete. No row event.
 */
function delete_funnels( array $funnel_ids ): void {
	$funnel_ids = array_map( 'intval', $funnel_ids );
	foreach ( Funnel::whereIn( 'id', $funnel_ids )->get() as $funnel ) {
		FunnelSubscriber::whereIn( 'funnel_id', $funnel_ids )->delete();
		$funnel->delete();
	}
}

/** FluentCRM Pro's sequences live in fc_campaigns with type `email_sequence`. */
function create_sequence( string $title ): int {
	global $wpdb;
	$wpdb->insert(
		$wpdb->prefix . 'fc_campaigns',
		array(
			'type'       => 'email_sequence',
			'title'      => $title,
			'status'     => 'published',
			'created_at' => current_time( 'mysql' ),
			'updated_at' => current_time( 'mysql' ),
		)
	);
	return (int) $wpdb->insert_id;
}

function complete_sequence( int $sequence_id, int $contact_id ): void {
	do_action( 'fluentcrm_email_sequence_completed', $contact_id, $sequence_id );
}
