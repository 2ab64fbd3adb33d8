<?php
/**
 * FluentCRM's permission check, under its real name: administrators always, other users by the
 * `fcrm_*` capability asked for.
 *
 * @package FluentCRM_Standin
 */

namespace FluentCrm\App\Services;

class PermissionManager {
	public static function currentUserCan( $permission ): bool {
		return current_user_can( 'manage_options' ) || current_user_can( $permission );
	}
}
