"""A webhook's delivery log: the page, one delivery in full, redeliver, recover."""

from __future__ import annotations

from .. import delivery_log, errors, ledger, shapes, validation
from ..models import Delivery
from .plumbing import Call, int_param
from .webhooks import load_webhook


def list_deliveries(call: Call):
    webhook = load_webhook(call)
    status, test, page, per_page = validation.deliveries_query(call.query)
    rows, total = delivery_log.deliveries_page(webhook.id, status, page, per_page, test)
    return 200, {
        "deliveries": [shapes.delivery_dict(row) for row in rows],
        "pagination": shapes.pagination(total, page, per_page),
    }


def _load_delivery(call: Call) -> Delivery:
    webhook = load_webhook(call)
    row = delivery_log.find_delivery(int_param(call.path["delivery_id"], errors.delivery_not_found))
    if row is None or row.webhook_id != webhook.id:
        raise errors.delivery_not_found()
    return row


def get_delivery(call: Call):
    row = _load_delivery(call)
    return 200, {"delivery": shapes.delivery_detail(row, delivery_log.attempts_of(row.id))}


def redeliver(call: Call):
    row = _load_delivery(call)
    if row.erased_at is not None:
        raise errors.delivery_erased()
    ledger.restart([row.id])
    call.ctx.doorbell.ring()
    return 202, {"delivery": shapes.delivery_dict(delivery_log.reload(row.id))}


def recover(call: Call):
    webhook = load_webhook(call)
    since = validation.since_input(call.payload)
    ids = ledger.recover_failed_since(webhook.id, since)
    call.ctx.doorbell.ring()
    return 202, {"recovered": len(ids)}
