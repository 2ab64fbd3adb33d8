"""A webhook's delivery log: the page, one delivery in full, redeliver, recover."""

from __future__ import annotations

import json

from .. import errors, queries, validation
from ..models import Delivery
from .plumbing import Call, int_param
from .webhooks import load_webhook


def list_deliveries(call: Call):
    webhook = load_webhook(call)
    status, page, per_page = validation.deliveries_query(call.query)
    rows, total = queries.deliveries_page(webhook.id, status, page, per_page)
    return 200, {
        "deliveries": [queries.delivery_dict(row) for row in rows],
        "pagination": {"total": total, "per_page": per_page, "current_page": page,
                       "last_page": max(1, -(-total // per_page))},
    }


def _load_delivery(call: Call) -> Delivery:
    webhook = load_webhook(call)
    row = queries.find_delivery(int_param(call.path["delivery_id"], errors.delivery_not_found))
    if row is None or row.webhook_id != webhook.id:
        raise errors.delivery_not_found()
    return row


def get_delivery(call: Call):
    row = _load_delivery(call)
    attempts = queries.attempts_of(row.id)
    headers = json.loads(attempts[-1].request_headers) if attempts and attempts[-1].request_headers else None
    shape = queries.delivery_dict(row)
    shape.update({"body": row.body, "signature": row.signature, "headers": headers,
                  "response_body": row.response_body,
                  "attempts": [queries.attempt_dict(a) for a in attempts]})
    return 200, {"delivery": shape}


def redeliver(call: Call):
    row = _load_delivery(call)
    queries.redeliver(row)
    call.ctx.queue.send([row.id])
    return 202, {"delivery": queries.delivery_dict(queries.find_delivery(row.id))}


def recover(call: Call):
    webhook = load_webhook(call)
    since = validation.since_input(call.payload)
    ids = queries.recover_failed_since(webhook.id, since)
    call.ctx.queue.send(ids)
    return 202, {"recovered": len(ids)}
