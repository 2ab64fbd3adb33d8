"""The bytes a receiver gets, and the headers that go with them. Pure functions."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from .signing import fluentcrm_signature, standard_signatures

USER_AGENT = "FluentCRM-Webhook/1.0"


def build_body(event_id: str, event: str, timestamp: str, webhook_id: int, data: Any) -> bytes:
    """The delivery body, built once and stored: its bytes are what both signatures cover."""
    document = {"id": event_id, "event": event, "timestamp": timestamp, "webhook_id": webhook_id, "data": data}
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def overlapping_secret(previous_secret: str | None, previous_expires_at: datetime | None,
                       now: datetime) -> str | None:
    """The secret a rotation replaced, while its overlap lasts at `now` (until
    previous_secret_expires_at, exclusive); None once it has expired or when there is none."""
    if previous_secret and previous_expires_at is not None and now < previous_expires_at:
        return previous_secret
    return None


def build_headers(*, event: str, webhook_id: int, delivery_id: int, secret: str, body: bytes,
                  attempt_time: int, previous_secret: str | None = None,
                  custom: Mapping[str, str] | None = None) -> dict[str, str]:
    """The headers of one attempt: the receiver's own (`custom`), the seed's six, the Standard Webhooks three.

    `webhook-id` is the delivery id (stable across retries, so receivers can drop duplicates);
    `webhook-timestamp` is this attempt's time, which is why that signature is made per attempt.
    Both signatures are made here, at send time, from the stored body and the webhook's current
    secret: a secret changed while deliveries wait applies to them with nothing to re-sign.
    During a rotation's overlap `previous_secret` adds its Standard Webhooks signature after the
    new one; `X-FluentCRM-Signature` has room for one and carries the new secret's.
    """
    message_id = str(delivery_id)
    ours = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "X-FluentCRM-Event": event,
        "X-FluentCRM-Signature": fluentcrm_signature(secret, body),
        "X-FluentCRM-Webhook-ID": str(webhook_id),
        "X-FluentCRM-Delivery": message_id,
        "webhook-id": message_id,
        "webhook-timestamp": str(attempt_time),
        "webhook-signature": standard_signatures([secret] if previous_secret is None else [secret, previous_secret],
                                                 message_id, attempt_time, body),
    }
    # Validation refuses custom names that clash with ours; should one be stored anyway (saved
    # before a rule was stricter), ours win: a receiver's header never replaces a signature.
    reserved = {name.lower() for name in ours}
    headers = {name: value for name, value in (custom or {}).items() if name.lower() not in reserved}
    headers.update(ours)
    return headers

