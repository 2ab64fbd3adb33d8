"""/v2/webhooks: list, create, get, update (partial), delete, rotate the secret, and send a test event."""

from __future__ import annotations

import uuid

from .. import custom_headers, delivery_log, engine, errors, ledger, pause, shapes, validation, webhooks_store
from ..events import TEST_EVENT
from ..models import Webhook
from ..payloads import build_body
from ..timeutil import iso, utcnow
from .plumbing import Await, Call, int_param


def load_webhook(call: Call) -> Webhook:
    webhook = webhooks_store.find_webhook(int_param(call.path["webhook_id"], errors.webhook_not_found))
    if webhook is None:
        raise errors.webhook_not_found()
    return webhook


def webhook_shape(webhook: Webhook, *, with_secret: bool) -> dict:
    last = webhooks_store.last_deliveries([webhook.id]).get(webhook.id)
    held = webhooks_store.held_counts([webhook]).get(webhook.id, 0)
    return shapes.webhook_dict(webhook, with_secret=with_secret, last=last, held=held)


def list_webhooks(call: Call):
    webhooks = webhooks_store.all_webhooks()
    # Two queries for the whole list, whatever its length.
    last = webhooks_store.last_deliveries([w.id for w in webhooks])
    held = webhooks_store.held_counts(webhooks)
    return 200, {"webhooks": [shapes.webhook_dict(w, with_secret=False, last=last.get(w.id), held=held.get(w.id, 0))
                              for w in webhooks]}


def create_webhook(call: Call):
    settings = call.ctx.settings
    fields = validation.webhook_input(call.payload, creating=True, allow_http=settings.allow_http,
                                      allow_private=settings.allow_private_targets)
    webhook = webhooks_store.create_webhook(**fields)
    call.ctx.doorbell.ring()
    return 201, {"webhook": webhook_shape(webhook, with_secret=True)}


def get_webhook(call: Call):
    return 200, {"webhook": webhook_shape(load_webhook(call), with_secret=True)}


def update_webhook(call: Call):
    webhook = load_webhook(call)
    settings = call.ctx.settings
    changes = validation.webhook_input(call.payload, creating=False, allow_http=settings.allow_http,
                                       allow_private=settings.allow_private_targets,
                                       stored_headers=custom_headers.webhook_headers(webhook))
    webhooks_store.update_webhook(webhook, changes)
    call.ctx.doorbell.ring()  # re-activated, or its cap or ordering changed: look again now
    return 200, {"webhook": webhook_shape(webhook, with_secret=True)}


def delete_webhook(call: Call):
    webhook = load_webhook(call)
    shape = webhook_shape(webhook, with_secret=False)
    webhooks_store.delete_webhook(webhook)
    return 200, {"deleted": True, "webhook": shape}


def rotate_secret(call: Call):
    """A new secret (given or generated), shown once here as on create; the old one keeps signing
    beside it for `overlap_seconds`, so receivers can switch without dropping a delivery."""
    webhook = load_webhook(call)
    secret, overlap = validation.rotate_input(call.payload)
    webhooks_store.rotate_secret(webhook, secret, overlap)
    return 200, {"webhook": webhook_shape(webhook, with_secret=True), "secret": secret}


def test_webhook(call: Call):
    """Send `webhook.test` now, whatever the webhook's status; no retries, logged as a delivery,
    never counted toward disabling the webhook. Not while delivery is paused: a copy of the site
    must not reach the live receiver, a test included."""
    webhook = load_webhook(call)
    if pause.is_delivery_paused():
        raise errors.delivery_paused()
    event_id = str(uuid.uuid4())
    data = {
        "message": "This is a test event from FluentCRM Webhooks.",
        "webhook": {"id": webhook.id, "name": webhook.name, "url": webhook.url},
    }
    body = build_body(event_id, TEST_EVENT, iso(utcnow()), webhook.id, data)
    row = ledger.create_test_delivery(webhook, body, event_id, TEST_EVENT)
    settings = call.ctx.settings

    def answer(record: ledger.AttemptRecord):
        engine.record_test(settings, record)
        result = record.result
        recorded = delivery_log.reload(row.id)
        return 200, {
            "success": recorded.status == "success", "response_code": result.response_code,
            "response_time": result.response_time, "error": result.error,
            "response_body": (result.response_body or "")[:1024], "delivery": shapes.delivery_dict(recorded),
        }

    # The send waits on the receiver (up to FCWH_TIMEOUT) on the event loop, not in a request thread.
    return Await(lambda: engine.send_test(settings, row, webhook), answer)
