<?php
/**
 * The webhooks tab: the place the screen's JavaScript fills in (list, forms, delivery log).
 *
 * @package FluentCRM_Webhooks
 * @since 0.1.0
 */

if ( ! defined( 'ABSPATH' ) ) {
	exit;
}

/**
 * Renders the webhooks tab.
 *
 * @since 0.1.0
 */
function fcwh_admin_render_webhooks_tab(): void {
	if ( ! defined( 'FLUENTCRM' ) ) {
		?>
		<div class="notice notice-warning inline">
			<p><?php esc_html_e( 'FluentCRM is not active on this site: webhooks can be managed here, but no FluentCRM event will be sent until it is.', 'fluentcrm-webhooks' ); ?></p>
		</div>
		<?php
	}
	?>
	<div id="fcwh-app" class="fcwh-app">
		<p class="fcwh-loading"><span class="spinner is-active"></span><?php esc_html_e( 'Loading…', 'fluentcrm-webhooks' ); ?></p>
	</div>
	<noscript>
		<div class="notice notice-error inline">
			<p><?php esc_html_e( 'This screen needs JavaScript. The same actions are available through the REST API at /wp-json/fluent-crm/v2/outgoing-webhooks.', 'fluentcrm-webhooks' ); ?></p>
		</div>
	</noscript>
	<?php
}
