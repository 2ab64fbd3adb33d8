<?php
/**
 * The 26 event types of the public API (webhooks-api.md, "Available Events"). The sidecar rejects
 * any other name, so this list and the sidecar's must agree.
 *
 * @package FluentCRM_Webhooks
 * @since 0.1.0
 */

if ( ! defined( 'ABSPATH' ) ) {
	exit;
}

/**
 * Every event type the plugin can emit.
 *
 * @since 0.1.0
 *
 * @return string[]
 */
function fcwh_event_types(): array {
	return array(
		'contact.created',
		'contact.updated',
		'contact.deleted',
		'contact.status_changed',
		'contact.tag_added',
		'contact.tag_removed',
		'contact.list_added',
		'contact.list_removed',
		'email.sent',
		'email.opened',
		'email.clicked',
		'email.bounced',
		'email.spam_complaint',
		'email.unsubscribed',
		'campaign.created',
		'campaign.sent',
		'campaign.paused',
		'campaign.resumed',
		'funnel.subscriber_added',
		'funnel.subscriber_completed',
		'funnel.subscriber_exited',
		'funnel.sequence_completed',
		'commerce.order_created',
		'commerce.order_completed',
		'commerce.order_refunded',
		'commerce.revenue_recorded',
	);
}
