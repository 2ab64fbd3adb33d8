<?php
/**
 * Benchmark only (bench/site_cost.py, the real-FluentCRM site cost): the `X-FCWH-Bench` header
 * of a request runs it without the plugin (`inactive`: as if deactivated, it is not even loaded)
 * or with the plugin on `POST /v2/events` (`http`: the FCWH_TRANSPORT constant). So the
 * configurations can alternate call by call, and noise from the rest of the machine falls on all
 * of them alike, instead of on whichever block of calls it happens to meet.
 *
 * @package FluentCRM_Webhooks
 */

if ( ! defined( 'ABSPATH' ) ) {
	exit;
}

$fcwh_bench_mode = isset( $_SERVER['HTTP_X_FCWH_BENCH'] ) ? (string) $_SERVER['HTTP_X_FCWH_BENCH'] : '';
if ( 'inactive' === $fcwh_bench_mode ) {
	add_filter(
		'option_active_plugins',
		static function ( $plugins ) {
			return array_values( array_diff( (array) $plugins, array( 'fluentcrm-webhooks/fluentcrm-webhooks.php' ) ) );
		}
	);
} elseif ( 'http' === $fcwh_bench_mode && ! defined( 'FCWH_TRANSPORT' ) ) {
	define( 'FCWH_TRANSPORT', 'http' );
}
unset( $fcwh_bench_mode );
