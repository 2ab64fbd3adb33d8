<?php
/**
 * The events a webhook can subscribe to, as the screen shows them: grouped, described, and
 * marked when this site cannot produce them.
 *
 * The names come from fcwh_event_types(); this file adds only what a person reads.
 *
 * @package FluentCRM_Webhooks
 * @since 0.1.0
 */

if ( ! defined( 'ABSPATH' ) ) {
	exit;
}

/**
 * The event groups, in the order the form shows them: key (the event name's prefix) => label.
 *
 * @since 0.1.0
 *
 * @return array<string, string>
 */
function fcwh_admin_event_group_labels(): array {
	return array(
		'contact'  => __( 'Contact', 'fluentcrm-webhooks' ),
		'email'    => __( 'Email', 'fluentcrm-webhooks' ),
		'campaign' => __( 'Campaign', 'fluentcrm-webhooks' ),
		'funnel'   => __( 'Funnel', 'fluentcrm-webhooks' ),
		'commerce' => __( 'Commerce', 'fluentcrm-webhooks' ),
	);
}

/**
 * What each event means, in the words of the public API's event tables.
 *
 * @since 0.1.0
 *
 * @return array<string, string>
 */
function fcwh_admin_event_descriptions(): array {
	return array(
		'contact.created'             => __( 'New contact added', 'fluentcrm-webhooks' ),
		'contact.updated'             => __( 'Contact information changed', 'fluentcrm-webhooks' ),
		'contact.deleted'             => __( 'Contact removed', 'fluentcrm-webhooks' ),
		'contact.status_changed'      => __( 'Contact status updated', 'fluentcrm-webhooks' ),
		'contact.tag_added'           => __( 'Tag added to contact', 'fluentcrm-webhooks' ),
		'contact.tag_removed'         => __( 'Tag removed from contact', 'fluentcrm-webhooks' ),
		'contact.list_added'          => __( 'Contact added to list', 'fluentcrm-webhooks' ),
		'contact.list_removed'        => __( 'Contact removed from list', 'fluentcrm-webhooks' ),
		'email.sent'                  => __( 'Email successfully sent', 'fluentcrm-webhooks' ),
		'email.opened'                => __( 'Email opened by recipient', 'fluentcrm-webhooks' ),
		'email.clicked'               => __( 'Link clicked in email', 'fluentcrm-webhooks' ),
		'email.bounced'               => __( 'Email bounced', 'fluentcrm-webhooks' ),
		'email.spam_complaint'        => __( 'Spam complaint received', 'fluentcrm-webhooks' ),
		'email.unsubscribed'          => __( 'Contact unsubscribed', 'fluentcrm-webhooks' ),
		'campaign.created'            => __( 'New campaign created', 'fluentcrm-webhooks' ),
		'campaign.sent'               => __( 'Campaign finished sending', 'fluentcrm-webhooks' ),
		'campaign.paused'             => __( 'Campaign paused', 'fluentcrm-webhooks' ),
		'campaign.resumed'            => __( 'Campaign resumed', 'fluentcrm-webhooks' ),
		'funnel.subscriber_added'     => __( 'Contact entered funnel', 'fluentcrm-webhooks' ),
		'funnel.subscriber_completed' => __( 'Contact completed funnel', 'fluentcrm-webhooks' ),
		'funnel.subscriber_exited'    => __( 'Contact exited funnel', 'fluentcrm-webhooks' ),
		'funnel.sequence_completed'   => __( 'Contact completed sequence', 'fluentcrm-webhooks' ),
		'commerce.order_created'      => __( 'New order placed', 'fluentcrm-webhooks' ),
		'commerce.order_completed'    => __( 'Order completed', 'fluentcrm-webhooks' ),
		'commerce.order_refunded'     => __( 'Order refunded', 'fluentcrm-webhooks' ),
		'commerce.revenue_recorded'   => __( 'Revenue attributed', 'fluentcrm-webhooks' ),
	);
}

/**
 * Why this site cannot produce an event, or null when it can.
 *
 * Such events stay subscribable (a store plugin may be installed later); the form just says
 * they will not fire yet.
 *
 * @since 0.1.0
 *
 * @param string $event An event name, e.g. `commerce.order_created`.
 */
function fcwh_admin_event_unavailable_reason( string $event ): ?string {
	if ( 0 === strpos( $event, 'commerce.' ) && ! fcwh_admin_site_has_store() ) {
		return __( 'Needs WooCommerce or FluentCart, and neither is active on this site.', 'fluentcrm-webhooks' );
	}
	if ( 'funnel.sequence_completed' === $event && ! defined( 'FLUENTCAMPAIGN' ) ) {
		return __( 'Needs FluentCRM Pro (email sequences), which is not active on this site.', 'fluentcrm-webhooks' );
	}
	return null;
}

/**
 * Whether a store plugin whose orders make the commerce events is active.
 *
 * @since 0.1.0
 */
function fcwh_admin_site_has_store(): bool {
	return class_exists( 'WooCommerce' ) || defined( 'FLUENTCART_VERSION' );
}

/**
 * The catalog handed to the screen's JavaScript: the plugin's event types (fcwh_event_types(),
 * the one list), grouped by their prefix, described, and marked when this site cannot make them.
 *
 * @since 0.1.0
 *
 * @return array<int, array{key: string, label: string, events: array<int, array{name: string, description: string, unavailable: ?string}>}>
 */
function fcwh_admin_event_catalog(): array {
	$descriptions = fcwh_admin_event_descriptions();
	$groups       = array();
	foreach ( fcwh_admin_event_group_labels() as $key => $label ) {
		$groups[ $key ] = array(
			'key'    => $key,
			'label'  => $label,
			'events' => array(),
		);
	}
	foreach ( fcwh_event_types() as $name ) {
		$key = strtok( $name, '.' );
		if ( ! isset( $groups[ $key ] ) ) {
			// A group added to the API before the screen learnt its name still gets shown.
			$groups[ $key ] = array(
				'key'    => $key,
				'label'  => ucfirst( $key ),
				'events' => array(),
			);
		}
		$groups[ $key ]['events'][] = array(
			'name'        => $name,
			'description' => $descriptions[ $name ] ?? $name,
			'unavailable' => fcwh_admin_event_unavailable_reason( $name ),
		);
	}
	return array_values( $groups );
}
