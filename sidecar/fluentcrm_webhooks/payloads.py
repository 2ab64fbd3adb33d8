"""The bytes a receiver gets, and the headers that go with them. Pure functions."""

from __future__ import annotations

import json
from typing import Any

from .signing import fluentcrm_signature, standard_signature

USER_AGENT = "FluentCRM-Webhook/1.0"


def build_body(event_id: str, event: str, timestamp: str, webhook_id: int, data: Any) -> bytes:
    """The delivery body, built once and stored: its bytes are what both signatures cover."""
    document = {"id": event_id, "event": event, "timestamp": timestamp, "webhook_id": webhook_id, "data": data}
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def build_headers(*, event: str, webhook_id: int, delivery_id: int, secret: str, body: bytes,
                  attempt_time: int) -> dict[str, str]:
    """The headers of one attempt: the seed's six plus the Standard Webhooks three.

    `webhook-id` is the delivery id (stable across retries, so receivers can drop duplicates);
    `webhook-timestamp` is this attempt's time, which is why that signature is made per attempt.
    Both signatures are made here, at send time, from the stored body and the webhook's current
    secret: a secret changed while deliveries wait applies to them with nothing to re-sign.
    """
    message_id = str(delivery_id)
    return {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "X-FluentCRM-Event": event,
        "X-FluentCRM-Signature": fluentcrm_signature(secret, body),
        "X-FluentCRM-Webhook-ID": str(webhook_id),
        "X-FluentCRM-Delivery": message_id,
        "webhook-id": message_id,
        "webhook-timestamp": str(attempt_time),
        "webhook-signature": standard_signature(secret, message_id, attempt_time, body),
    }

