<?php
/**
 * The menu entry: "Outgoing Webhooks" under FluentCRM's menu, or under Settings when FluentCRM is
 * absent, with two tabs (webhooks, settings).
 *
 * @package FluentCRM_Webhooks
 * @since 0.1.0
 */

if ( ! defined( 'ABSPATH' ) ) {
	exit;
}

const FCWH_ADMIN_PAGE_SLUG    = 'fcwh-webhooks';
const FCWH_FLUENTCRM_MENU_SLUG = 'fluentcrm-admin';

/**
 * Adds the page to the menu. Hooked on `admin_menu`, after FluentCRM's own.
 *
 * @since 0.1.0
 */
function fcwh_admin_register_menu(): void {
	global $admin_page_hooks;

	// FluentCRM adds its menu only for users it lets in; otherwise Settings is the home.
	$parent = isset( $admin_page_hooks[ FCWH_FLUENTCRM_MENU_SLUG ] ) ? FCWH_FLUENTCRM_MENU_SLUG : 'options-general.php';

	add_submenu_page(
		$parent,
		__( 'Outgoing Webhooks', 'fluentcrm-webhooks' ),
		__( 'Outgoing Webhooks', 'fluentcrm-webhooks' ),
		fcwh_admin_menu_capability(),
		FCWH_ADMIN_PAGE_SLUG,
		'fcwh_admin_render_page'
	);
}

/**
 * The tabs of the page: key => label. Settings only for those who may change site options.
 *
 * @since 0.1.0
 *
 * @return array<string, string>
 */
function fcwh_admin_tabs(): array {
	$tabs = array( 'webhooks' => __( 'Webhooks', 'fluentcrm-webhooks' ) );
	if ( current_user_can( 'manage_options' ) ) {
		$tabs['settings'] = __( 'Settings', 'fluentcrm-webhooks' );
	}
	return $tabs;
}

/**
 * The tab asked for in the URL, or the first one.
 *
 * @since 0.1.0
 */
function fcwh_admin_current_tab(): string {
	$tab = isset( $_GET['tab'] ) ? sanitize_key( wp_unslash( $_GET['tab'] ) ) : ''; // phpcs:ignore WordPress.Security.NonceVerification -- navigation only.
	return array_key_exists( $tab, fcwh_admin_tabs() ) ? $tab : 'webhooks';
}

/**
 * URL of one tab of the page.
 *
 * @since 0.1.0
 *
 * @param string $tab Tab key.
 */
function fcwh_admin_page_url( string $tab = 'webhooks' ): string {
	$args = array( 'page' => FCWH_ADMIN_PAGE_SLUG );
	if ( 'webhooks' !== $tab ) {
		$args['tab'] = $tab;
	}
	return add_query_arg( $args, admin_url( 'admin.php' ) );
}

/**
 * Whether the request is for our page (to load assets only there).
 *
 * @since 0.1.0
 */
function fcwh_admin_is_our_page(): bool {
	return isset( $_GET['page'] ) && FCWH_ADMIN_PAGE_SLUG === $_GET['page']; // phpcs:ignore WordPress.Security.NonceVerification -- navigation only.
}

/**
 * Renders the page: the tab bar, then the tab.
 *
 * @since 0.1.0
 */
function fcwh_admin_render_page(): void {
	if ( ! fcwh_current_user_can_manage() ) {
		wp_die( esc_html__( 'Sorry, you are not allowed to manage outgoing webhooks.', 'fluentcrm-webhooks' ), 403 );
	}
	$current = fcwh_admin_current_tab();
	?>
	<div class="wrap fcwh-wrap">
		<h1><?php esc_html_e( 'Outgoing Webhooks', 'fluentcrm-webhooks' ); ?></h1>
		<hr class="wp-header-end">
		<nav class="nav-tab-wrapper wp-clearfix" aria-label="<?php esc_attr_e( 'Outgoing webhooks sections', 'fluentcrm-webhooks' ); ?>">
			<?php foreach ( fcwh_admin_tabs() as $tab => $label ) : ?>
				<a href="<?php echo esc_url( fcwh_admin_page_url( $tab ) ); ?>"
					class="nav-tab<?php echo $tab === $current ? ' nav-tab-active' : ''; ?>"
					<?php echo $tab === $current ? 'aria-current="page"' : ''; ?>><?php echo esc_html( $label ); ?></a>
			<?php endforeach; ?>
		</nav>
		<?php
		if ( 'settings' === $current ) {
			fcwh_admin_render_settings_tab();
		} else {
			fcwh_admin_render_webhooks_tab();
		}
		?>
	</div>
	<?php
}

/**
 * Adds "Webhooks" and "Settings" links to the plugin's row on the Plugins screen.
 *
 * @since 0.1.0
 *
 * @param array<int|string, string> $links Existing links.
 * @return array<int|string, string>
 */
function fcwh_admin_plugin_action_links( array $links ): array {
	$ours = array(
		'<a href="' . esc_url( fcwh_admin_page_url() ) . '">' . esc_html__( 'Webhooks', 'fluentcrm-webhooks' ) . '</a>',
		'<a href="' . esc_url( fcwh_admin_page_url( 'settings' ) ) . '">' . esc_html__( 'Settings', 'fluentcrm-webhooks' ) . '</a>',
	);
	return array_merge( $ours, $links );
}
