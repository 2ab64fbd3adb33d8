"""The events the benchmarks send: FluentCRM-shaped, about 1 KB of body each, in the plugin's
batches of 100 through `POST /v2/events`."""

from __future__ import annotations

import uuid
from typing import Iterator

import requests

from fluentcrm_webhooks.payloads import build_body

from tests.support.api import expect

BATCH = 100  # the plugin's flush size
EVENT = "email.sent"
# Batches are built before the bench's webhooks exist, and a webhook receives only the events that
# happened since it subscribed (sidecar/fluentcrm_webhooks/subscriptions.py): a time after any run.
EVENT_TIME = "2100-01-01T00:00:00Z"


def email_sent(index: int, **extra: object) -> dict:
    """One `email.sent` event; its body at the receiver is about 1 KB, like a real one."""
    return {
        "id": str(uuid.uuid4()), "event": EVENT, "timestamp": EVENT_TIME,
        "data": {
            "email": {"id": 100000 + index, "subject": "Our autumn newsletter: what is new this month",
                      "contact_id": 1000 + index, "campaign_id": 789, "sent_at": "2024-01-15T10:30:00Z",
                      **extra},
            "contact": {"id": 1000 + index, "email": f"contact{index}@example.com", "first_name": "José",
                        "last_name": "Müller", "status": "subscribed", "tags": [1, 4, 7], "lists": [2],
                        "created_at": "2023-06-01T08:00:00Z", "custom_fields": {"plan": "pro", "note": "x" * 420}},
        },
    }


def batches(total: int, size: int = BATCH) -> Iterator[list[dict]]:
    for start in range(0, total, size):
        yield [email_sent(i) for i in range(start, min(total, start + size))]


def post_events(api: requests.Session, events: list[dict]) -> dict:
    return expect(api.post("/v2/events", json={"events": events}), 200)


def sample_body() -> bytes:
    """A delivery body exactly like the ones the sidecar sends, for the bare baseline."""
    event = email_sent(0)
    return build_body(event["id"], EVENT, event["timestamp"], 1, event["data"])
