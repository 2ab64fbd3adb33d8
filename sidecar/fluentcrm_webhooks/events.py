"""The event types a webhook can subscribe to (webhooks-api.md, 'Available Events'), and the
events the plugin hands over. Pure."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .subjects import contact_ref

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


@dataclass(frozen=True)
class IncomingEvent:
    """One event of a POST /v2/events batch, validated (validation.py)."""

    id: str
    event: str
    timestamp: str  # ISO 8601 with Z
    data: Any


def ordering_key(data: Any) -> str | None:
    """Whose event this is, for webhooks that keep each contact's events in order: the contact's id
    (subjects.contact_ref), or None for events of no contact (campaigns), which wait for nothing."""
    ref = contact_ref(data)
    return None if ref is None else ("contact:" + str(ref))[:64]
    for holder, field in (("contact", "id"), ("email", "contact_id")):
        value = data.get(holder)
        if isinstance(value, dict):
            key = value.get(field)
            if isinstance(key, (int, str)) and not isinstance(key, bool) and str(key) != "":
                return ("contact:" + str(key))[:64]
    return None
