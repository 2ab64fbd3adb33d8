"""A contact's deliveries across every webhook, and erasing them: what the plugin's contact profile
section and WordPress's personal-data exporter and eraser call (docs/sidecar-api.md)."""

from __future__ import annotations

from .. import delivery_log, erasure, shapes, validation
from .plumbing import Call


def contact_deliveries(call: Call):
    contact_id, email_hash, page, per_page, with_body = validation.contact_query(call.query)
    rows, total = delivery_log.contact_page(contact_id, email_hash, page, per_page, with_body)
    return 200, {
        "deliveries": [shapes.contact_delivery_dict(row, with_body=with_body) for row in rows],
        "pagination": shapes.pagination(total, page, per_page),
    }


def erase_contact(call: Call):
    contact_id, email_hash = validation.contact_input(call.payload, from_query=False)
    done = erasure.erase_contact(contact_id, email_hash)
    return 200, {"erased": done.erased, "stopped": done.stopped}
