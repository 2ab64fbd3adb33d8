<?php
/**
 * Who may open the screens, and where their files are.
 *
 * @package FluentCRM_Webhooks
 * @since 0.1.0
 */

if ( ! defined( 'ABSPATH' ) ) {
	exit;
}

/**
 * The capability to register the webhooks menu with.
 *
 * FluentCRM's permissions are not WordPress capabilities, so a user it grants (checked by
 * fcwh_current_user_can_manage()) is given one every logged-in user has.
 *
 * @since 0.1.0
 */
function fcwh_admin_menu_capability(): string {
	if ( ! current_user_can( 'manage_options' ) && fcwh_current_user_can_manage() ) {
		return 'read';
	}
	return 'manage_options';
}

/**
 * URL of a file under the plugin's `assets/` folder.
 *
 * @since 0.1.0
 *
 * @param string $relative_path Path below `assets/`, e.g. `js/admin/app.js`.
 */
function fcwh_admin_asset_url( string $relative_path ): string {
	return plugins_url( 'assets/' . $relative_path, FCWH_PLUGIN_FILE );
}

/**
 * A version for an asset that changes when the file does, so browsers never keep a stale copy.
 *
 * @since 0.1.0
 *
 * @param string $relative_path Path below `assets/`.
 */
function fcwh_admin_asset_version( string $relative_path ): string {
	$mtime = @filemtime( FCWH_PLUGIN_DIR . '/assets/' . $relative_path ); // phpcs:ignore WordPress.PHP.NoSilencedErrors -- a missing file just gets no version.
	return $mtime ? (string) $mtime : '0';
}
