<?php
/**
 * FluentCRM's own INCOMING webhooks routes (its "Webhooks" settings screen), which share the
 * seed's paths: GET/POST /webhooks, PUT/DELETE /webhooks/{id}, for `fcrm_manage_settings`.
 * Their answers carry `fields` and `"fluentcrm_incoming": true`, so tests can tell them apart.
 *
 * @package FluentCRM_Standin
 */

namespace FcStandin;

const INCOMING_OPTION = 'fcstandin_incoming_webhooks';

function register_incoming_webhook_routes(): void {
	$permission = static function () {
		return \FluentCrm\App\Services\PermissionManager::currentUserCan( 'fcrm_manage_settings' );
	};
	register_rest_route(
		'fluent-crm/v2',
		'/webhooks',
		array(
			array(
				'methods'             => 'GET',
				'callback'            => __NAMESPACE__ . '\list_incoming_webhooks',
				'permission_callback' => $permission,
			),
			array(
				'methods'             => 'POST',
				'callback'            => __NAMESPACE__ . '\create_incoming_webhook',
				'permission_callback' => $permission,
				'args'                => array(
					'name'   => array( 'required' => true ),
					'status' => array( 'required' => true ),
				),
			),
		)
	);
	register_rest_route(
		'fluent-crm/v2',
		'/webhooks/(?P<id>\d+)',
		array(
			array(
				'methods'             => 'PUT',
				'callback'            => __NAMESPACE__ . '\update_incoming_webhook',
				'permission_callback' => $permission,
			),
			array(
				'methods'             => 'DELETE',
				'callback'            => __NAMESPACE__ . '\delete_incoming_webhook',
				'permission_callback' => $permission,
			),
		)
	);
}

function incoming_answer( array $extra = array() ): array {
	return $extra + array(
		'webhooks'           => array_values( (array) get_option( INCOMING_OPTION, array() ) ),
		'fields'             => array( 'email', 'first_name', 'last_name' ),
		'fluentcrm_incoming' => true,
	);
}

function list_incoming_webhooks(): array {
	return incoming_answer();
}

function create_incoming_webhook( \WP_REST_Request $request ): array {
	$hooks        = (array) get_option( INCOMING_OPTION, array() );
	$id           = $hooks ? max( array_keys( $hooks ) ) + 1 : 1;
	$hooks[ $id ] = array(
		'id'     => $id,
		'name'   => (string) $request->get_param( 'name' ),
		'status' => (string) $request->get_param( 'status' ),
		'url'    => rest_url( 'fluent-crm/v2/public/incoming_webhook/' . md5( (string) $id ) ),
	);
	update_option( INCOMING_OPTION, $hooks );
	return incoming_answer(
		array(
			'id'      => $id,
			'message' => 'Successfully created the WebHook',
		)
	);
}

function update_incoming_webhook( \WP_REST_Request $request ) {
	$hooks = (array) get_option( INCOMING_OPTION, array() );
	$id    = (int) $request['id'];
	if ( ! isset( $hooks[ $id ] ) ) {
		return new \WP_Error( 'not_found', 'Webhook not found', array( 'status' => 404 ) );
	}
	$hooks[ $id ]['name'] = (string) ( $request->get_param( 'name' ) ?? $hooks[ $id ]['name'] );
	update_option( INCOMING_OPTION, $hooks );
	return incoming_answer( array( 'message' => 'Successfully updated the webhook' ) );
}

function delete_incoming_webhook( \WP_REST_Request $request ): array {
	$hooks = (array) get_option( INCOMING_OPTION, array() );
	unset( $hooks[ (int) $request['id'] ] );
	update_option( INCOMING_OPTION, $hooks );
	return incoming_answer( array( 'message' => 'Successfully deleted the webhook' ) );
}
