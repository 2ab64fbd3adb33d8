"""The event types a webhook can subscribe to (webhooks-api.md, 'Available Events')."""

EVENT_GROUPS: dict[str, tuple[str, ...]] = {
    "contact": (
        "contact.created", "contact.updated", "contact.deleted", "contact.status_changed",
        "contact.tag_added", "contact.tag_removed", "contact.list_added", "contact.list_removed",
    ),
    "email": (
        "email.sent", "email.opened", "email.clicked", "email.bounced",
        "email.spam_complaint", "email.unsubscribed",
    ),
    "campaign": ("campaign.created", "campaign.sent", "campaign.paused", "campaign.resumed"),
    "funnel": (
        "funnel.subscriber_added", "funnel.subscriber_completed",
        "funnel.subscriber_exited", "funnel.sequence_completed",
    ),
    "commerce": (
        "commerce.order_created", "commerce.order_completed",
        "commerce.order_refunded", "commerce.revenue_recorded",
    ),
}

EVENT_TYPES: frozenset[str] = frozenset(e for group in EVENT_GROUPS.values() for e in group)

# Sent by POST /webhooks/{id}/test only; nobody subscribes to it.
TEST_EVENT = "webhook.test"
