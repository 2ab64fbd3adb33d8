<?php
/**
 * The events a webhook can subscribe to, as the screen shows them: grouped, described, and
 * marked when this site cannot produce them.
 *
 * Names, groups, labels and needs come from the plugin's one table (includes/event-types.php);
 * this file adds only what this site can do.
 *
 * @package FluentCRM_Webhooks
 * @since 0.1.0
 */

if ( ! defined( 'ABSPATH' ) ) {
	exit;
}

/**
 * Why this site cannot produce an event, or null when it can.
 *
 * The form does not offer such events to a new subscription and says why; a webhook that
 * already has one keeps it (a store plugin may be active again later).
 *
 * @since 0.1.0
 *
 * @param string|null $needs What the event type needs (FCWH_EVENT_NEEDS_*), or null.
 */
function fcwh_admin_event_unavailable_reason( ?string $needs ): ?string {
	if ( FCWH_EVENT_NEEDS_STORE === $needs && ! fcwh_admin_site_has_store() ) {
		return __( 'Needs WooCommerce or FluentCart, and neither is active on this site.', 'fluentcrm-webhooks' );
	}
	if ( FCWH_EVENT_NEEDS_FLUENTCRM_PRO === $needs && ! defined( 'FLUENTCAMPAIGN' ) ) {
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
 * The catalog handed to the screen's JavaScript: the event types of the plugin's table, in its
 * groups and order, described, and marked when this site cannot make them.
 *
 * @since 0.1.0
 *
 * @return array<int, array{key: string, label: string, events: array<int, array{name: string, description: string, unavailable: ?string}>}>
 */
function fcwh_admin_event_catalog(): array {
	$groups = array();
	foreach ( fcwh_event_groups() as $key => $label ) {
		$groups[ $key ] = array(
			'key'    => $key,
			'label'  => $label,
			'events' => array(),
		);
	}
	foreach ( fcwh_event_type_table() as $name => $type ) {
		$groups[ $type['group'] ]['events'][] = array(
			'name'        => $name,
			'description' => $type['label'],
			'unavailable' => fcwh_admin_event_unavailable_reason( $type['needs'] ),
		);
	}
	return array_values( $groups );
}
