<?php
/**
 * The seed's paths `/wp-json/fluent-crm/v2/webhooks...` and their collision with FluentCRM's own
 * INCOMING webhooks routes (GET/POST /webhooks, PUT/DELETE /webhooks/{id}). DESIGN.md's rule:
 *
 * - `?type=incoming` -> FluentCRM's handler; `?type=outgoing` -> ours;
 * - a route and method FluentCRM does not serve (GET /webhooks/{id}, /test, /deliveries..., or
 *   any of them while FluentCRM is inactive) -> ours;
 * - otherwise an `Authorization` header (Application Passwords, as every seed example uses) ->
 *   ours; cookie authentication without it (FluentCRM's admin screen) -> FluentCRM's.
 *
 * WordPress dispatches to the first registered handler whose method matches, which depends on
 * plugin and hook order. So no handler of ours is registered at `/webhooks`: `rest_pre_dispatch`
 * decides, and when the request is ours it is dispatched again at the canonical route, where
 * WordPress runs the permission check and callback as for any request.
 *
 * @package FluentCRM_Webhooks
 * @since 0.1.0
 */

if ( ! defined( 'ABSPATH' ) ) {
	exit;
}

/**
 * `rest_pre_dispatch`: sends seed-path requests that are ours to the canonical route.
 *
 * @since 0.1.0
 *
 * @param mixed           $result  A response another filter already produced, or null.
 * @param WP_REST_Server  $server  The server.
 * @param WP_REST_Request $request The request.
 * @return mixed
 */
function fcwh_route_seed_paths( $result, $server, $request ) {
	if ( null !== $result || ! $server instanceof WP_REST_Server || ! $request instanceof WP_REST_Request || 'OPTIONS' === $request->get_method() ) {
		return $result;
	}
	$seed_base = '/' . FCWH_REST_NAMESPACE . '/' . FCWH_SEED_REST_BASE;
	$route     = $request->get_route();
	if ( 0 !== strpos( $route, $seed_base ) ) {
		return $result;
	}
	$rest = (string) substr( $route, strlen( $seed_base ) );
	if ( '' !== $rest && '/' !== $rest[0] ) {
		return $result; // Another route that merely starts with "webhooks".
	}
	if ( ! fcwh_seed_request_is_outgoing( $server, $request ) ) {
		return $result;
	}
	$canonical = clone $request;
	$canonical->set_route( '/' . FCWH_REST_NAMESPACE . '/' . FCWH_REST_BASE . $rest );
	return $server->dispatch( $canonical );
}

/**
 * Whether a seed-path request is for the outgoing-webhooks API (the rule above).
 *
 * @since 0.1.0
 *
 * @param WP_REST_Server  $server  The server.
 * @param WP_REST_Request $request The request.
 */
function fcwh_seed_request_is_outgoing( WP_REST_Server $server, WP_REST_Request $request ): bool {
	$query = (array) $request->get_query_params();
	$type  = isset( $query['type'] ) && is_string( $query['type'] ) ? $query['type'] : '';
	if ( 'incoming' === $type ) {
		return false;
	}
	if ( 'outgoing' === $type || ! fcwh_another_handler_serves( $server, $request ) ) {
		return true;
	}
	return '' !== (string) $request->get_header( 'authorization' );
}

/**
 * Whether a handler registered by someone else (FluentCRM) matches the request's route and method.
 *
 * @since 0.1.0
 *
 * @param WP_REST_Server  $server  The server.
 * @param WP_REST_Request $request The request.
 */
function fcwh_another_handler_serves( WP_REST_Server $server, WP_REST_Request $request ): bool {
	$method = 'HEAD' === $request->get_method() ? 'GET' : $request->get_method();
	foreach ( $server->get_routes( FCWH_REST_NAMESPACE ) as $pattern => $handlers ) {
		if ( ! preg_match( '@^' . $pattern . '$@i', $request->get_route() ) ) {
			continue;
		}
		foreach ( $handlers as $handler ) {
			if ( ! empty( $handler['methods'][ $method ] ) && ( $handler['callback'] ?? null ) !== 'fcwh_rest_proxy' ) {
				return true;
			}
		}
	}
	return false;
}
