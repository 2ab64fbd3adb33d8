"""/v2/webhooks: list, create, get, update (partial), delete, and send a test event."""

from __future__ import annotations

import uuid

from .. import delivery, errors, queries, validation
from ..events import TEST_EVENT
from ..models import Webhook
from ..payloads import build_body
from ..timeutil import iso, utcnow
from .plumbing import Call, int_param


def load_webhook(call: Call) -> Webhook:
    webhook = queries.find_webhook(int_param(call.path["webhook_id"], errors.webhook_not_found))
    if webhook is None:
        raise errors.webhook_not_found()
    return webhook


def list_webhooks(call: Call):
    return 200, {"webhooks": [queries.webhook_dict(w, with_secret=False) for w in queries.all_webhooks()]}


def create_webhook(call: Call):
    settings = call.ctx.settings
    fields = validation.webhook_input(call.payload, creating=True, allow_http=settings.allow_http,
                                      allow_private=settings.allow_private_targets)
    webhook = queries.create_webhook(**fields)
    return 201, {"webhook": queries.webhook_dict(webhook, with_secret=True)}


def get_webhook(call: Call):
    return 200, {"webhook": queries.webhook_dict(load_webhook(call), with_secret=True)}


def update_webhook(call: Call):
    webhook = load_webhook(call)
    settings = call.ctx.settings
    changes = validation.webhook_input(call.payload, creating=False, allow_http=settings.allow_http,
                                       allow_private=settings.allow_private_targets)
    released = queries.update_webhook(webhook, changes)
    call.ctx.queue.send(released)
    return 200, {"webhook": queries.webhook_dict(webhook, with_secret=True)}


def delete_webhook(call: Call):
    webhook = load_webhook(call)
    shape = queries.webhook_dict(webhook, with_secret=False)
    queries.delete_webhook(webhook)
    return 200, {"deleted": True, "webhook": shape}


def test_webhook(call: Call):
    """Send `webhook.test` now, whatever the webhook's status; no retries, logged as a delivery."""
    webhook = load_webhook(call)
    event_id = str(uuid.uuid4())
    data = {
        "message": "This is a test event from FluentCRM Webhooks.",
        "webhook": {"id": webhook.id, "name": webhook.name, "url": webhook.url},
    }
    body = build_body(event_id, TEST_EVENT, iso(utcnow()), webhook.id, data)
    row = queries.create_test_delivery(webhook, body, event_id, TEST_EVENT)
    result = delivery.send_test(call.ctx.settings, row, webhook)
    row = queries.find_delivery(row.id)
    return 200, {
        "success": row.status == "success", "response_code": result.response_code,
        "response_time": result.response_time, "error": result.error,
        "response_body": (result.response_body or "")[:1024], "delivery": queries.delivery_dict(row),
    }
