<?php
/**
 * The outgoing-webhooks REST routes, at their canonical home
 * `/wp-json/fluent-crm/v2/outgoing-webhooks...`. The seed's paths (`/webhooks...`) reach the same
 * handlers through seed-paths.php.
 *
 * No `args` are declared: the sidecar validates (with the exact error codes the API promises),
 * and WordPress must neither reject nor coerce anything on its way there.
 *
 * @package FluentCRM_Webhooks
 * @since 0.1.0
 */

if ( ! defined( 'ABSPATH' ) ) {
	exit;
}

const FCWH_REST_NAMESPACE = 'fluent-crm/v2';
const FCWH_REST_BASE      = 'outgoing-webhooks';
const FCWH_SEED_REST_BASE = 'webhooks';
// Whether the sidecar delivers at all (the staging pause): sidecar `/v2/delivery`, not a webhook's.
const FCWH_REST_DELIVERY_ROUTE = '/delivery';

/**
 * The routes below the base and their methods (docs/sidecar-api.md).
 *
 * @since 0.1.0
 *
 * @return array<string, string[]> Route pattern below the base => methods.
 */
function fcwh_rest_route_table(): array {
	$id       = '(?P<id>[^/]+)';
	$delivery = '(?P<delivery_id>[^/]+)';
	return array(
		''                                        => array( 'GET', 'POST' ),
		// Before "/{$id}", which would match it too: WordPress takes the first route that matches.
		FCWH_REST_DELIVERY_ROUTE                  => array( 'GET', 'PUT' ),
		"/{$id}"                                  => array( 'GET', 'PUT', 'PATCH', 'DELETE' ),
		"/{$id}/test"                             => array( 'POST' ),
		"/{$id}/rotate-secret"                    => array( 'POST' ),
		"/{$id}/stats"                            => array( 'GET' ),
		"/{$id}/recover"                          => array( 'POST' ),
		"/{$id}/deliveries"                       => array( 'GET' ),
		"/{$id}/deliveries/{$delivery}"           => array( 'GET' ),
		"/{$id}/deliveries/{$delivery}/redeliver" => array( 'POST' ),
	);
}

/**
 * Registers the routes. Hooked on `rest_api_init`.
 *
 * @since 0.1.0
 */
function fcwh_register_rest_routes(): void {
	foreach ( fcwh_rest_route_table() as $pattern => $methods ) {
		register_rest_route(
			FCWH_REST_NAMESPACE,
			'/' . FCWH_REST_BASE . $pattern,
			array(
				'methods'             => $methods,
				'callback'            => 'fcwh_rest_proxy',
				'permission_callback' => 'fcwh_rest_permission_check',
				'args'                => array(),
			)
		);
	}
}
