<?php
/**
 * The every-minute WP-cron job: sends the outbox's backlog (unless the sidecar takes it through
 * the hand-over) and refreshes the subscribed types, so nothing waits for the next page view when
 * the site is quiet.
 *
 * @package FluentCRM_Webhooks
 * @since 0.1.0
 */

if ( ! defined( 'ABSPATH' ) ) {
	exit;
}

const FCWH_CRON_HOOK     = 'fcwh_flush_outbox';
const FCWH_CRON_SCHEDULE = 'fcwh_every_minute';
const FCWH_CRON_BUDGET   = 30;
const FCWH_CRON_TIMEOUT  = 15;

/**
 * Adds the every-minute schedule.
 *
 * @since 0.1.0
 *
 * @param array $schedules WordPress's schedules.
 * @return array
 */
function fcwh_add_cron_schedule( $schedules ) {
	$schedules[ FCWH_CRON_SCHEDULE ] = array(
		'interval' => MINUTE_IN_SECONDS,
		'display'  => __( 'Every minute (FluentCRM Webhooks)', 'fluentcrm-webhooks' ),
	);
	return $schedules;
}

/**
 * Schedules the job if it is not (activation did not run, or someone cleared it).
 *
 * @since 0.1.0
 */
function fcwh_ensure_cron_scheduled(): void {
	if ( ! wp_next_scheduled( FCWH_CRON_HOOK ) ) {
		wp_schedule_event( time() + MINUTE_IN_SECONDS, FCWH_CRON_SCHEDULE, FCWH_CRON_HOOK );
	}
}

/**
 * The job itself.
 *
 * @since 0.1.0
 */
function fcwh_run_cron(): void {
	if ( fcwh_outbox_has_held_rows() && fcwh_staging_ready_to_send() ) {
		fcwh_outbox_release_held(); // A copy of the site: the sidecar has just confirmed the pause.
	}
	if ( fcwh_handover_check_due() ) {
		fcwh_check_handover();
	}
	if ( ! fcwh_handover_open() ) { // Otherwise the sidecar takes the table itself (handover.php).
		fcwh_outbox_flush( FCWH_CRON_BUDGET, FCWH_CRON_TIMEOUT );
	}
	if ( fcwh_subscriptions_refresh_due() ) {
		fcwh_refresh_subscribed_events();
	}
}
