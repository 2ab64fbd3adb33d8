<?php
/**
 * Campaign events. FluentCRM has hooks for created and archived (= finished sending); pause
 * and resume are only visible as model saves (`Campaign::updated`).
 *
 * @package FluentCRM_Webhooks
 * @since 0.1.0
 */

if ( ! defined( 'ABSPATH' ) ) {
	exit;
}

/**
 * `fluent_crm/campaign_created` `(Campaign)`.
 *
 * @since 0.1.0
 *
 * @param object $campaign Campaign.
 */
function fcwh_capture_campaign_created( $campaign ): void {
	fcwh_emit_campaign_created( $campaign, null );
}

/**
 * `fluent_crm/campaign_duplicated` `(new Campaign, original Campaign)`: a new campaign too.
 *
 * @since 0.1.0
 *
 * @param object $campaign The copy.
 * @param object $original The campaign copied.
 */
function fcwh_capture_campaign_duplicated( $campaign, $original = null ): void {
	fcwh_emit_campaign_created( $campaign, is_object( $original ) ? fcwh_int_or_null( $original->id ?? null ) : null );
}

/**
 * Emits campaign.created.
 *
 * @since 0.1.0
 *
 * @param object   $campaign        Campaign.
 * @param int|null $duplicated_from Id of the campaign it copies.
 */
function fcwh_emit_campaign_created( $campaign, ?int $duplicated_from ): void {
	$campaign_id = is_object( $campaign ) ? fcwh_int_or_null( $campaign->id ?? null ) : null;
	if ( null === $campaign_id ) {
		return;
	}
	fcwh_emit(
		'campaign.created',
		static function () use ( $campaign, $duplicated_from ) {
			$data = array( 'campaign' => fcwh_campaign_data( $campaign ) );
			if ( null !== $duplicated_from ) {
				$data['duplicated_from'] = $duplicated_from;
			}
			return $data;
		},
		array( 'dedupe_key' => (string) $campaign_id )
	);
}

/**
 * `fluent_crm/campaign_archived` `(Campaign)`: sending has finished. Fired by the admin's status
 * poll (model re-read: `archived`) or the hourly job (stale model: `scheduled`/`working`), and
 * possibly by both for one campaign: the event id is derived from the campaign, so the sidecar
 * keeps only the first.
 *
 * @since 0.1.0
 *
 * @param object $campaign Campaign.
 */
function fcwh_capture_campaign_archived( $campaign ): void {
	$campaign_id = is_object( $campaign ) ? fcwh_int_or_null( $campaign->id ?? null ) : null;
	if ( null === $campaign_id ) {
		return;
	}
	fcwh_emit(
		'campaign.sent',
		static function () use ( $campaign ) {
			return array( 'campaign' => fcwh_campaign_data( $campaign, 'archived' ) );
		},
		array(
			'dedupe_key' => (string) $campaign_id,
			'id'         => fcwh_stable_event_id( 'campaign.sent|' . $campaign_id . '|' . fcwh_iso_from_site_time( $campaign->created_at ?? null ) ),
		)
	);
}

/**
 * Campaign model `updated` listener: working -> paused is a pause, paused -> working a resume.
 * Other status saves (processing -> scheduled, scheduled -> working, back to draft) are not.
 *
 * @since 0.1.0
 *
 * @param object $campaign Campaign just saved.
 */
function fcwh_capture_campaign_saved( $campaign ): void {
	if ( ! method_exists( $campaign, 'getDirty' ) || ! array_key_exists( 'status', (array) $campaign->getDirty() ) ) {
		return;
	}
	$transition = $campaign->getOriginal( 'status' ) . '>' . $campaign->status;
	$events     = array(
		'working>paused' => 'campaign.paused',
		'paused>working' => 'campaign.resumed',
	);
	if ( ! isset( $events[ $transition ] ) ) {
		return;
	}
	fcwh_emit(
		$events[ $transition ],
		static function () use ( $campaign ) {
			return array( 'campaign' => fcwh_campaign_data( $campaign ) );
		},
		array( 'dedupe_key' => (string) (int) $campaign->id )
	);
}
