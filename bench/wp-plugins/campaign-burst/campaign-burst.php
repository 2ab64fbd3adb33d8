<?php
/**
 * Plugin Name: FCWH bench helper: campaign burst
 * Description: Benchmark helper only. Sends a whole campaign in ONE request the way FluentCRM's mailer does it (pages of 20 emails: mark sent, then `fluentcrm_sending_emails_done` with the page's models), using the FluentCRM stand-in's models, and records the request's peak memory after every shutdown hook (the webhooks plugin's flush included).
 * Version: 0.1.0
 * License: GPL-2.0-or-later
 *
 * @package FCWH_Bench
 */

if ( ! defined( 'ABSPATH' ) ) {
	exit;
}

const FCWH_BENCH_BURST_PAGE = 20;

add_action( 'rest_api_init', 'fcwh_bench_burst_routes' );

function fcwh_bench_burst_routes(): void {
	register_rest_route(
		'fcwh-bench/v1',
		'/campaigns/(?P<id>\d+)/send-all',
		array(
			'methods'             => 'POST',
			'permission_callback' => static function () {
				return current_user_can( 'manage_options' );
			},
			'callback'            => static function ( WP_REST_Request $request ) {
				fcwh_bench_burst_record_peak_memory_at_the_end();
				return array( 'sent' => fcwh_bench_burst_send_all( (int) $request['id'] ) );
			},
		)
	);
}

/** Pages of 20, each marked sent and announced before the next is read: flat for the mailer. */
function fcwh_bench_burst_send_all( int $campaign_id ): int {
	$sent = 0;
	while ( true ) {
		$page = \FluentCrm\App\Models\CampaignEmail::where( 'campaign_id', $campaign_id )
			->where( 'status', 'scheduled' )->orderBy( 'id' )->limit( FCWH_BENCH_BURST_PAGE )->get()->all();
		if ( ! $page ) {
			return $sent;
		}
		$ids = array_map(
			static function ( $email ) {
				return (int) $email->id;
			},
			$page
		);
		\FluentCrm\App\Models\CampaignEmail::whereIn( 'id', $ids )->update(
			array(
				'status'     => 'sent',
				'updated_at' => current_time( 'mysql' ),
			)
		);
		do_action( 'fluentcrm_sending_emails_done', new \FcStandin\Collection( $page ) );
		$sent += count( $page );
		unset( $page );
	}
}

/**
 * Writes memory_get_peak_usage() to wp-content/fcwh-bench-peak.json once everything else has
 * run: a PHP shutdown function registered during the request, so it runs after WordPress's
 * `shutdown` action and after the plugin's own flush (registered when the plugin loaded).
 */
function fcwh_bench_burst_record_peak_memory_at_the_end(): void {
	register_shutdown_function(
		static function () {
			file_put_contents( // phpcs:ignore WordPress.WP.AlternativeFunctions
				WP_CONTENT_DIR . '/fcwh-bench-peak.json',
				wp_json_encode( array( 'peak_bytes' => memory_get_peak_usage() ) )
			);
		}
	);
}
