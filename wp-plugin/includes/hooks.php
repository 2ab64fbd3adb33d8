<?php
/**
 * Every hook the plugin registers (the admin screens register theirs in includes/admin/).
 * Capture callbacks are wrapped by fcwh_safely()/fcwh_observing(): a failure while capturing is
 * logged and never reaches FluentCRM's request.
 *
 * @package FluentCRM_Webhooks
 * @since 0.1.0
 */

if ( ! defined( 'ABSPATH' ) ) {
	exit;
}

// Lifecycle.
register_activation_hook( FCWH_PLUGIN_FILE, 'fcwh_activate' );
register_deactivation_hook( FCWH_PLUGIN_FILE, 'fcwh_deactivate' );
add_action( 'plugins_loaded', 'fcwh_maybe_install' );
add_action( 'init', 'fcwh_load_textdomain' );

// Transport: one batched send at the very end of the request; the every-minute backstop.
// A PHP shutdown function (WordPress registered its own, which runs the `shutdown` action,
// before any plugin loaded), not a `shutdown` callback: when a callback removes itself while
// `shutdown` runs, as Action Scheduler (bundled with FluentCRM) does after dispatching its async
// runner from admin requests, WordPress skips the next priority, and that was the flush.
register_shutdown_function( 'fcwh_flush_at_shutdown' );
add_filter( 'cron_schedules', 'fcwh_add_cron_schedule' ); // phpcs:ignore WordPress.WP.CronInterval -- every minute is the point.
add_action( 'init', 'fcwh_ensure_cron_scheduled' );
add_action( FCWH_CRON_HOOK, fcwh_safely( 'fcwh_run_cron', 'cron' ) );

// REST API: the canonical routes, the seed's paths, unencoded Basic credentials.
add_action( 'rest_api_init', 'fcwh_register_rest_routes' );
add_filter( 'rest_pre_dispatch', 'fcwh_route_seed_paths', 10, 3 );
add_filter( 'determine_current_user', 'fcwh_accept_unencoded_basic_auth', 19 );

// Admin notice while the sidecar cannot be reached.
add_action( 'admin_notices', 'fcwh_render_sidecar_notice' );
add_action( 'network_admin_notices', 'fcwh_render_sidecar_notice' );

// Failure notices: the cron compares the webhooks' statuses with the last seen (after the flush);
// the REST proxy reports re-activations and listings; the notice, its dismissal, its setting.
add_action( FCWH_CRON_HOOK, fcwh_safely( 'fcwh_check_webhook_statuses', 'failure notices' ), 20 );
add_filter( 'rest_request_before_callbacks', fcwh_observing( 'fcwh_watch_proxy_request' ), 10, 3 );
add_filter( 'rest_request_after_callbacks', fcwh_observing( 'fcwh_watch_proxy_response' ), 10, 3 );
add_action( 'admin_notices', 'fcwh_render_webhook_notices' );
add_action( 'admin_footer', 'fcwh_print_webhook_notice_script' );
add_action( 'wp_ajax_' . FCWH_DISMISS_NOTICE_ACTION, 'fcwh_ajax_dismiss_webhook_notices' );
add_action( 'admin_post_' . FCWH_DISMISS_NOTICE_ACTION, 'fcwh_admin_post_dismiss_webhook_notices' );
add_action( 'admin_init', 'fcwh_register_notification_settings' );

// Tools > Site Health: the direct tests and the Info tab's section.
add_filter( 'site_status_tests', 'fcwh_site_status_tests' );
add_filter( 'debug_information', 'fcwh_site_health_debug_information' );

// Contacts. Old (fluentcrm_*) and new (fluent_crm/*) forms both: each release fires another set.
add_action( 'fluent_crm/contact_created', fcwh_safely( 'fcwh_capture_contact_created' ), 10, 1 );
add_action( 'fluentcrm_contact_created', fcwh_safely( 'fcwh_capture_contact_created' ), 10, 1 );
add_action( 'fluent_crm/contact_updated', fcwh_safely( 'fcwh_capture_contact_updated' ), 10, 2 );
add_action( 'fluentcrm_contact_updated', fcwh_safely( 'fcwh_capture_contact_updated' ), 10, 2 );
add_action( 'fluentcrm_before_subscribers_deleted', fcwh_safely( 'fcwh_capture_contacts_before_delete' ), 10, 1 );
add_action( 'fluentcrm_after_subscribers_deleted', fcwh_safely( 'fcwh_capture_contacts_after_delete' ), 10, 1 );
foreach ( array( 'fluent_crm/', 'fluentcrm_' ) as $fcwh_hook_prefix ) {
	add_action( $fcwh_hook_prefix . 'contact_added_to_tags', fcwh_safely( 'fcwh_capture_tags_added' ), 10, 2 );
	add_action( $fcwh_hook_prefix . 'contact_removed_from_tags', fcwh_safely( 'fcwh_capture_tags_removed' ), 10, 2 );
	add_action( $fcwh_hook_prefix . 'contact_added_to_lists', fcwh_safely( 'fcwh_capture_lists_added' ), 10, 2 );
	add_action( $fcwh_hook_prefix . 'contact_removed_from_lists', fcwh_safely( 'fcwh_capture_lists_removed' ), 10, 2 );
}
unset( $fcwh_hook_prefix );
// Custom fields (custom-fields.php), and changes FluentCRM reports with no hook (unreported-changes.php).
add_action( 'fluentcrm_contact_custom_data_updated', fcwh_safely( 'fcwh_capture_custom_fields_updated' ), 10, 3 );
add_action( 'fluent_crm/contact_custom_data_updated', fcwh_safely( 'fcwh_capture_custom_fields_updated' ), 10, 3 );
add_filter( 'rest_dispatch_request', fcwh_observing( 'fcwh_read_custom_fields_before_edit' ), 10, 2 ); // permission checked
add_filter( 'rest_dispatch_request', fcwh_observing( 'fcwh_open_unreported_save_door' ), 10, 2 );
add_filter( 'rest_request_after_callbacks', fcwh_observing( 'fcwh_close_unreported_save_door' ), 10, 3 );
add_action( 'shutdown', fcwh_safely( 'fcwh_report_pending_custom_fields' ), 0 ); // before the flush (a shutdown function)
add_action( 'wp_ajax_' . FCWH_MANAGE_PREFERENCES_ACTION, fcwh_safely( 'fcwh_open_manage_preferences_door' ), 1 );
add_action( 'wp_ajax_nopriv_' . FCWH_MANAGE_PREFERENCES_ACTION, fcwh_safely( 'fcwh_open_manage_preferences_door' ), 1 );
add_filter( 'fluent_crm/bounced_email_store', fcwh_observing( 'fcwh_expect_bounced_contact' ), PHP_INT_MAX, 1 );
add_action( 'profile_update', fcwh_safely( 'fcwh_read_contacts_before_user_sync' ), 9, 2 );
add_action( 'profile_update', fcwh_safely( 'fcwh_report_contacts_after_user_sync' ), 11, 0 );
// A deleted tag or list: FluentCRM detaches it from every contact in bulk at priority 10.
// `rest_dispatch_request`: the route's permission check passed, its callback runs next.
add_filter( 'rest_dispatch_request', fcwh_observing( 'fcwh_remember_terms_before_delete' ), 10, 2 );
add_action( 'fluent_crm/tag_deleted', fcwh_safely( 'fcwh_watch_deleted_tag' ), 5, 1 );
add_action( 'fluent_crm/tag_deleted', fcwh_safely( 'fcwh_report_deleted_tag' ), 20, 1 );
add_action( 'fluent_crm/list_deleted', fcwh_safely( 'fcwh_watch_deleted_list' ), 5, 1 );
add_action( 'fluent_crm/list_deleted', fcwh_safely( 'fcwh_report_deleted_list' ), 20, 1 );

// Status changes (and the bounce / complaint / unsubscribe email events they imply).
add_action( 'fluent_crm/subscriber_status_changed', fcwh_safely( 'fcwh_capture_status_changed' ), 10, 3 );
add_action( 'fluent_crm/before_contact_unsubscribe_from_email', fcwh_safely( 'fcwh_capture_unsubscribe_context' ), 10, 3 );
foreach ( FCWH_CONTACT_STATUSES as $fcwh_status ) {
	add_action( FCWH_STATUS_HOOK_PREFIX . $fcwh_status, fcwh_safely( 'fcwh_capture_status_to' ), 10, 2 );
}
// FluentCRM cancels a leaving contact's active funnel rows at priority 10 of these: look before and after.
foreach ( array( 'unsubscribed', 'bounced', 'complained', 'spammed' ) as $fcwh_status ) {
	add_action( FCWH_STATUS_HOOK_PREFIX . $fcwh_status, fcwh_safely( 'fcwh_watch_funnel_rows_of_leaving_contact' ), 5, 1 );
	add_action( FCWH_STATUS_HOOK_PREFIX . $fcwh_status, fcwh_safely( 'fcwh_report_funnel_rows_of_leaving_contact' ), 20, 1 );
}
unset( $fcwh_status );

// Emails.
add_action( 'fluentcrm_sending_emails_done', fcwh_safely( 'fcwh_capture_emails_sent' ), 10, 1 );
add_action( 'fluent_crm/email_opened', fcwh_safely( 'fcwh_capture_email_opened' ), 10, 1 );
add_action( 'fluent_crm/email_url_clicked', fcwh_safely( 'fcwh_capture_email_clicked' ), 10, 2 );

// Campaigns (pause/resume: model listeners below).
add_action( 'fluent_crm/campaign_created', fcwh_safely( 'fcwh_capture_campaign_created' ), 10, 1 );
add_action( 'fluent_crm/campaign_duplicated', fcwh_safely( 'fcwh_capture_campaign_duplicated' ), 10, 2 );
add_action( 'fluent_crm/campaign_archived', fcwh_safely( 'fcwh_capture_campaign_archived' ), 10, 1 );

// Funnels.
add_action( 'fluent_crm/automation_funnel_start', fcwh_safely( 'fcwh_capture_funnel_start' ), 10, 2 );
add_action( 'fluent_crm/automation_funnel_completed', fcwh_safely( 'fcwh_capture_funnel_completed' ), 10, 2 );
add_action( 'fluentcrm_email_sequence_completed', fcwh_safely( 'fcwh_capture_sequence_completed' ), 10, 2 );
// FluentCRM deletes the deleted contacts' funnel rows at priority 10 of the "after" hook: look after it.
add_action( 'fluentcrm_before_subscribers_deleted', fcwh_safely( 'fcwh_watch_funnel_rows_of_deleted_contacts' ), 10, 1 );
add_action( 'fluentcrm_after_subscribers_deleted', fcwh_safely( 'fcwh_report_funnel_rows_of_deleted_contacts' ), 20, 0 );
add_filter( 'rest_dispatch_request', fcwh_observing( 'fcwh_watch_funnel_admin_request' ), 10, 2 );
add_filter( 'rest_request_after_callbacks', fcwh_observing( 'fcwh_report_funnel_admin_request' ), 10, 3 );

// Commerce: WooCommerce and FluentCart. The checkout hooks run after FluentCRM Pro's (10), which
// writes the same `_fc_cid` meta: an order it attributed keeps its attribution.
add_action( 'woocommerce_checkout_create_order', fcwh_safely( 'fcwh_attribute_woocommerce_checkout' ), 20, 1 );
add_action( 'woocommerce_store_api_checkout_update_order_meta', fcwh_safely( 'fcwh_attribute_woocommerce_checkout' ), 20, 1 );
add_action( 'woocommerce_new_order', fcwh_safely( 'fcwh_capture_woocommerce_order_created' ), 10, 2 );
add_action( 'woocommerce_order_status_processing', fcwh_safely( 'fcwh_capture_woocommerce_order_paid' ), 10, 2 );
add_action( 'woocommerce_order_status_completed', fcwh_safely( 'fcwh_capture_woocommerce_order_completed' ), 10, 2 );
add_action( 'woocommerce_order_refunded', fcwh_safely( 'fcwh_capture_woocommerce_order_refunded' ), 10, 2 );
add_action( 'fluent_cart/order_created', fcwh_safely( 'fcwh_capture_fluentcart_order_created' ), 20, 1 );
add_action( 'fluent_cart/order_paid', fcwh_safely( 'fcwh_capture_fluentcart_order_paid' ), 10, 1 );
add_action( 'fluent_cart/order_paid_done', fcwh_safely( 'fcwh_capture_fluentcart_order_paid' ), 10, 1 );
add_action( 'fluent_cart/order_status_changed', fcwh_safely( 'fcwh_capture_fluentcart_status_changed' ), 10, 1 );
add_action( 'fluent_cart/order_fully_refunded', fcwh_safely( 'fcwh_capture_fluentcart_order_refunded' ), 10, 1 );

// FluentCRM model events, for changes no hook reports. FluentCRM attaches its event dispatcher
// to the models when it boots (plugins_loaded); a listener registered before that is dropped.
add_action( 'fluentcrm_loaded', fcwh_safely( 'fcwh_listen_to_fluentcrm_models' ) );

/**
 * Registers the model listeners (closures: FluentCRM's dispatcher reads a string as Class@method).
 *
 * @since 0.1.0
 */
function fcwh_listen_to_fluentcrm_models(): void {
	$listeners = array(
		array( 'Subscriber', 'updating', 'fcwh_remember_status_before_save' ),
		array( 'Subscriber', 'updated', 'fcwh_capture_unreported_save' ),
		array( 'Subscriber', 'created', 'fcwh_capture_bounced_contact_created' ),
		array( 'SubscriberMeta', 'updating', 'fcwh_remember_custom_field_before_save' ),
		array( 'SubscriberMeta', 'created', 'fcwh_capture_unreported_custom_field_save' ),
		array( 'SubscriberMeta', 'updated', 'fcwh_capture_unreported_custom_field_save' ),
		array( 'Campaign', 'updated', 'fcwh_capture_campaign_saved' ),
		array( 'FunnelSubscriber', 'created', 'fcwh_capture_funnel_row_created' ),
		array( 'FunnelSubscriber', 'updated', 'fcwh_capture_funnel_row_saved' ),
	);
	foreach ( $listeners as list( $model, $event, $callback ) ) {
		$class = fcwh_fluentcrm_model( $model );
		if ( null === $class || ! is_callable( array( $class, $event ) ) ) {
			continue;
		}
		$safe_callback = fcwh_safely( $callback );
		call_user_func( array( $class, $event ), static function ( $model_instance ) use ( $safe_callback ) {
			$safe_callback( $model_instance );
		} );
	}
}
