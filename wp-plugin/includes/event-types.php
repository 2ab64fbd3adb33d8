<?php
/**
 * The plugin's one table of the 26 event types of the public API: each type's group, what it
 * means to a person, the WordPress hooks (and FluentCRM model events) that produce it, and what
 * the site needs for it to happen at all.
 *
 * What lists the event types reads them from here: the admin screen's catalog
 * (admin/event-catalog.php) and the tests, which hold this table to the sidecar's `EVENT_GROUPS`
 * (sidecar/fluentcrm_webhooks/events.py; it rejects any other name), to the list in
 * docs/events.md (tests/php/test_vocabulary.py) and to the hooks the plugin really registers
 * (tests/wordpress/test_event_vocabulary.py).
 *
 * The labels are translated, so the table is built only when asked for: capture never needs it
 * (each capture knows the one type it produces).
 *
 * @package FluentCRM_Webhooks
 * @since 0.1.0
 */

if ( ! defined( 'ABSPATH' ) ) {
	exit;
}

// What an event type needs beyond FluentCRM (docs/events.md, "What each event needs").
const FCWH_EVENT_NEEDS_STORE         = 'store';          // WooCommerce or FluentCart.
const FCWH_EVENT_NEEDS_FLUENTCRM_PRO = 'fluentcrm_pro';  // FluentCRM Pro (email sequences).

/**
 * The event groups, in the public API's order: key (the event name's prefix) => label.
 *
 * @since 0.1.0
 *
 * @return array<string, string>
 */
function fcwh_event_groups(): array {
	return array(
		'contact'  => __( 'Contact', 'fluentcrm-webhooks' ),
		'email'    => __( 'Email', 'fluentcrm-webhooks' ),
		'campaign' => __( 'Campaign', 'fluentcrm-webhooks' ),
		'funnel'   => __( 'Funnel', 'fluentcrm-webhooks' ),
		'commerce' => __( 'Commerce', 'fluentcrm-webhooks' ),
	);
}

/**
 * Every event type, in the public API's order (grouped), with what is known about it.
 *
 * `hooks` are the WordPress actions and filters whose callbacks (includes/hooks.php) emit the
 * type, or see the state it is built from; `models` the FluentCRM model events listened to for
 * changes no hook reports (`Model.event`); `needs` one of the FCWH_EVENT_NEEDS_* values, or null
 * when FluentCRM alone produces the type.
 *
 * @since 0.1.0
 *
 * @return array<string, array{group: string, label: string, hooks: string[], models: string[], needs: ?string}>
 */
function fcwh_event_type_table(): array {
	// Status changes arrive through the new hook, the old per-status hooks and contact_updated.
	$status_hooks  = array( 'fluent_crm/subscriber_status_changed', 'fluent_crm/contact_updated', 'fluentcrm_contact_updated' );
	$leaving_hooks = array(
		'fluentcrm_subscriber_status_to_unsubscribed',
		'fluentcrm_subscriber_status_to_bounced',
		'fluentcrm_subscriber_status_to_complained',
		'fluentcrm_subscriber_status_to_spammed',
	);
	// Attribution at checkout (`_fc_cid` on the order), then revenue at payment.
	$revenue_hooks = array(
		'woocommerce_checkout_create_order',
		'woocommerce_store_api_checkout_update_order_meta',
		'fluent_cart/order_created',
		'woocommerce_order_status_processing',
		'woocommerce_order_status_completed',
		'fluent_cart/order_paid',
		'fluent_cart/order_paid_done',
	);

	return array(
		'contact.created'             => fcwh_event_type_row( 'contact', __( 'New contact added', 'fluentcrm-webhooks' ), array( 'fluent_crm/contact_created', 'fluentcrm_contact_created' ) ),
		'contact.updated'             => fcwh_event_type_row( 'contact', __( 'Contact information changed', 'fluentcrm-webhooks' ), array( 'fluent_crm/contact_updated', 'fluentcrm_contact_updated' ) ),
		'contact.deleted'             => fcwh_event_type_row( 'contact', __( 'Contact removed', 'fluentcrm-webhooks' ), array( 'fluentcrm_before_subscribers_deleted', 'fluentcrm_after_subscribers_deleted' ) ),
		'contact.status_changed'      => fcwh_event_type_row(
			'contact',
			__( 'Contact status updated', 'fluentcrm-webhooks' ),
			array_merge(
				$status_hooks,
				array(
					'fluentcrm_subscriber_status_to_subscribed',
					'fluentcrm_subscriber_status_to_pending',
					'fluentcrm_subscriber_status_to_transactional',
				),
				$leaving_hooks
			),
			array( 'Subscriber.updating' ),
		),
		'contact.tag_added'           => fcwh_event_type_row( 'contact', __( 'Tag added to contact', 'fluentcrm-webhooks' ), array( 'fluent_crm/contact_added_to_tags', 'fluentcrm_contact_added_to_tags' ) ),
		'contact.tag_removed'         => fcwh_event_type_row( 'contact', __( 'Tag removed from contact', 'fluentcrm-webhooks' ), array( 'fluent_crm/contact_removed_from_tags', 'fluentcrm_contact_removed_from_tags', 'fluent_crm/tag_deleted', 'rest_dispatch_request' ) ),
		'contact.list_added'          => fcwh_event_type_row( 'contact', __( 'Contact added to list', 'fluentcrm-webhooks' ), array( 'fluent_crm/contact_added_to_lists', 'fluentcrm_contact_added_to_lists' ) ),
		'contact.list_removed'        => fcwh_event_type_row( 'contact', __( 'Contact removed from list', 'fluentcrm-webhooks' ), array( 'fluent_crm/contact_removed_from_lists', 'fluentcrm_contact_removed_from_lists', 'fluent_crm/list_deleted', 'rest_dispatch_request' ) ),
		'email.sent'                  => fcwh_event_type_row( 'email', __( 'Email successfully sent', 'fluentcrm-webhooks' ), array( 'fluentcrm_sending_emails_done' ) ),
		'email.opened'                => fcwh_event_type_row( 'email', __( 'Email opened by recipient', 'fluentcrm-webhooks' ), array( 'fluent_crm/email_opened' ) ),
		'email.clicked'               => fcwh_event_type_row( 'email', __( 'Link clicked in email', 'fluentcrm-webhooks' ), array( 'fluent_crm/email_url_clicked' ) ),
		'email.bounced'               => fcwh_event_type_row( 'email', __( 'Email bounced', 'fluentcrm-webhooks' ), array_merge( $status_hooks, array( 'fluentcrm_subscriber_status_to_bounced' ) ), array( 'Subscriber.updating' ) ),
		'email.spam_complaint'        => fcwh_event_type_row( 'email', __( 'Spam complaint received', 'fluentcrm-webhooks' ), array_merge( $status_hooks, array( 'fluentcrm_subscriber_status_to_complained', 'fluentcrm_subscriber_status_to_spammed' ) ), array( 'Subscriber.updating' ) ),
		'email.unsubscribed'          => fcwh_event_type_row( 'email', __( 'Contact unsubscribed', 'fluentcrm-webhooks' ), array_merge( $status_hooks, array( 'fluentcrm_subscriber_status_to_unsubscribed', 'fluent_crm/before_contact_unsubscribe_from_email' ) ), array( 'Subscriber.updating' ) ),
		'campaign.created'            => fcwh_event_type_row( 'campaign', __( 'New campaign created', 'fluentcrm-webhooks' ), array( 'fluent_crm/campaign_created', 'fluent_crm/campaign_duplicated' ) ),
		'campaign.sent'               => fcwh_event_type_row( 'campaign', __( 'Campaign finished sending', 'fluentcrm-webhooks' ), array( 'fluent_crm/campaign_archived' ) ),
		'campaign.paused'             => fcwh_event_type_row( 'campaign', __( 'Campaign paused', 'fluentcrm-webhooks' ), array(), array( 'Campaign.updated' ) ),
		'campaign.resumed'            => fcwh_event_type_row( 'campaign', __( 'Campaign resumed', 'fluentcrm-webhooks' ), array(), array( 'Campaign.updated' ) ),
		'funnel.subscriber_added'     => fcwh_event_type_row( 'funnel', __( 'Contact entered funnel', 'fluentcrm-webhooks' ), array( 'fluent_crm/automation_funnel_start' ), array( 'FunnelSubscriber.created' ) ),
		'funnel.subscriber_completed' => fcwh_event_type_row( 'funnel', __( 'Contact completed funnel', 'fluentcrm-webhooks' ), array( 'fluent_crm/automation_funnel_completed' ) ),
		'funnel.subscriber_exited'    => fcwh_event_type_row(
			'funnel',
			__( 'Contact exited funnel', 'fluentcrm-webhooks' ),
			array_merge( $leaving_hooks, array( 'fluentcrm_before_subscribers_deleted', 'fluentcrm_after_subscribers_deleted', 'rest_dispatch_request', 'rest_request_after_callbacks' ) ),
			array( 'FunnelSubscriber.updated' ),
		),
		'funnel.sequence_completed'   => fcwh_event_type_row( 'funnel', __( 'Contact completed sequence', 'fluentcrm-webhooks' ), array( 'fluentcrm_email_sequence_completed' ), array(), FCWH_EVENT_NEEDS_FLUENTCRM_PRO ),
		'commerce.order_created'      => fcwh_event_type_row( 'commerce', __( 'New order placed', 'fluentcrm-webhooks' ), array( 'woocommerce_new_order', 'fluent_cart/order_created' ), array(), FCWH_EVENT_NEEDS_STORE ),
		'commerce.order_completed'    => fcwh_event_type_row( 'commerce', __( 'Order completed', 'fluentcrm-webhooks' ), array( 'woocommerce_order_status_completed', 'fluent_cart/order_status_changed' ), array(), FCWH_EVENT_NEEDS_STORE ),
		'commerce.order_refunded'     => fcwh_event_type_row( 'commerce', __( 'Order refunded', 'fluentcrm-webhooks' ), array( 'woocommerce_order_refunded', 'fluent_cart/order_fully_refunded' ), array(), FCWH_EVENT_NEEDS_STORE ),
		'commerce.revenue_recorded'   => fcwh_event_type_row( 'commerce', __( 'Revenue attributed', 'fluentcrm-webhooks' ), $revenue_hooks, array(), FCWH_EVENT_NEEDS_STORE ),
	);
}

/**
 * One row of the table, its fields named.
 *
 * @since 0.1.0
 *
 * @param string      $group  The group's key (the name's prefix).
 * @param string      $label  What the event means, in the public API's words.
 * @param string[]    $hooks  WordPress actions and filters involved.
 * @param string[]    $models FluentCRM model events involved (`Model.event`).
 * @param string|null $needs  FCWH_EVENT_NEEDS_*, or null.
 * @return array{group: string, label: string, hooks: string[], models: string[], needs: ?string}
 */
function fcwh_event_type_row( string $group, string $label, array $hooks, array $models = array(), ?string $needs = null ): array {
	return array(
		'group'  => $group,
		'label'  => $label,
		'hooks'  => $hooks,
		'models' => $models,
		'needs'  => $needs,
	);
}

/**
 * Every event type the plugin can emit, in the public API's order.
 *
 * @since 0.1.0
 *
 * @return string[]
 */
function fcwh_event_types(): array {
	return array_keys( fcwh_event_type_table() );
}
