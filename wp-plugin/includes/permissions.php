<?php
/**
 * Who may manage outgoing webhooks (DESIGN.md): administrators, and users FluentCRM grants
 * `fcrm_manage_settings` through its own PermissionManager when FluentCRM is loaded.
 *
 * @package FluentCRM_Webhooks
 * @since 0.1.0
 */

if ( ! defined( 'ABSPATH' ) ) {
	exit;
}

/**
 * Whether the current user may manage outgoing webhooks.
 *
 * @since 0.1.0
 */
function fcwh_current_user_can_manage(): bool {
	if ( current_user_can( 'manage_options' ) ) {
		return true;
	}
	$permission_manager = '\FluentCrm\App\Services\PermissionManager';
	if ( is_user_logged_in() && class_exists( $permission_manager ) && is_callable( array( $permission_manager, 'currentUserCan' ) ) ) {
		return (bool) call_user_func( array( $permission_manager, 'currentUserCan' ), 'fcrm_manage_settings' );
	}
	return false;
}

/**
 * The REST permission callback: 401 for anonymous callers, 403 for users without the right.
 *
 * @since 0.1.0
 *
 * @return true|WP_Error
 */
function fcwh_rest_permission_check() {
	if ( fcwh_current_user_can_manage() ) {
		return true;
	}
	if ( ! is_user_logged_in() ) {
		return new WP_Error(
			'rest_not_logged_in',
			__( 'You are not logged in: send an Application Password (Basic auth) of a user who may manage FluentCRM settings.', 'fluentcrm-webhooks' ),
			array( 'status' => 401 )
		);
	}
	return new WP_Error(
		'rest_forbidden',
		__( 'Sorry, you are not allowed to manage outgoing webhooks.', 'fluentcrm-webhooks' ),
		array( 'status' => 403 )
	);
}
