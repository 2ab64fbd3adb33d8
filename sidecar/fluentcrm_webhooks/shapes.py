"""The JSON shapes of the API (docs/sidecar-api.md), from rows already read. Pure."""

from __future__ import annotations

import json
from typing import Any

from . import custom_headers
from .events import TEST_EVENT
from .lifecycle import DeliveryStatus, WebhookStatus
from .models import Attempt, Delivery, Webhook
from .timeutil import iso


def delivery_dict(delivery: Delivery) -> dict[str, Any]:
    return {
        "id": delivery.id, "webhook_id": delivery.webhook_id, "event": delivery.event,
        "event_id": delivery.event_id, "status": delivery.status, "attempts": delivery.attempts,
        "response_code": delivery.response_code, "response_time": delivery.response_time,
        "error": delivery.error, "attempted_at": iso(delivery.attempted_at),
        "next_attempt_at": iso(delivery.next_attempt_at) if delivery.status == DeliveryStatus.PENDING.value else None,
        "created_at": iso(delivery.created_at), "contact_id": delivery.contact_id,
        "test": is_test(delivery),
    }


def is_test(delivery: Delivery) -> bool:
    """Sent by POST /test or a recovery probe: never a FluentCRM event, left out of stats."""
    return delivery.event == TEST_EVENT


def contact_delivery_dict(delivery: Delivery, *, with_body: bool) -> dict[str, Any]:
    """A delivery in a contact's history: the log's shape, whether its data was erased, and the
    body when asked for (the personal-data export)."""
    shape = delivery_dict(delivery)
    shape["erased_at"] = iso(delivery.erased_at)
    if with_body:
        shape["body"] = delivery.body
    return shape


def pagination(total: int, page: int, per_page: int) -> dict[str, int]:
    return {"total": total, "per_page": per_page, "current_page": page, "last_page": max(1, -(-total // per_page))}


def attempt_dict(attempt: Attempt) -> dict[str, Any]:
    return {
        "attempted_at": iso(attempt.attempted_at), "response_code": attempt.response_code,
        "response_time": attempt.response_time, "error": attempt.error, "response_body": attempt.response_body,
    }


def delivery_detail(delivery: Delivery, attempts: list[Attempt]) -> dict[str, Any]:
    headers = json.loads(attempts[-1].request_headers) if attempts and attempts[-1].request_headers else None
    shape = delivery_dict(delivery)
    shape.update({
        "body": delivery.body,
        # The signature of the latest attempt (signatures are made at send time, with the secret then).
        "signature": headers.get("X-FluentCRM-Signature") if headers else None,
        "headers": headers, "response_body": delivery.response_body,
        "attempts": [attempt_dict(a) for a in attempts],
    })
    return shape


def stored_conditions(webhook: Webhook) -> dict[str, Any] | None:
    """The webhook's filter as saved (validated on the way in); unreadable: shown as none."""
    try:
        value = json.loads(webhook.conditions) if webhook.conditions else None
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


def webhook_dict(webhook: Webhook, *, with_secret: bool, last: Delivery | None, held: int) -> dict[str, Any]:
    shape: dict[str, Any] = {
        "id": webhook.id, "name": webhook.name, "url": webhook.url, "events": json.loads(webhook.events),
        "status": webhook.status,
    }
    if with_secret:
        shape["secret"] = webhook.secret
    shape.update({
        "max_concurrency": webhook.max_concurrency, "ordered": bool(webhook.ordered),
        "retention_days": webhook.retention_days,
        "headers": custom_headers.masked(custom_headers.webhook_headers(webhook)),
        "conditions": stored_conditions(webhook),
        "auto_recover": bool(webhook.auto_recover),
        "previous_secret_expires_at": iso(webhook.previous_secret_expires_at) if webhook.previous_secret else None,
        "next_recovery_probe_at": iso(webhook.recovery_probe_at) if webhook.status == WebhookStatus.FAILED.value else None,
        "paced": webhook.pace_failures > 0,
        "consecutive_failures": webhook.consecutive_failures,
        "created_at": iso(webhook.created_at), "updated_at": iso(webhook.updated_at),
        "last_delivery": None if last is None else {
            "id": last.id, "event": last.event, "status": last.status,
            "response_code": last.response_code, "attempted_at": iso(last.attempted_at),
        },
        "held_deliveries": held,
    })
    return shape
