"""POST /v2/events: the plugin's batches, recorded in one transaction before we answer."""

from __future__ import annotations

from .. import queries, validation
from .plumbing import Call


def receive_events(call: Call):
    batch = validation.events_batch(call.payload)
    result = queries.record_events(batch)
    # After the commit: a worker must never wake up for a row it cannot see yet.
    call.ctx.queue.send(result.to_send)
    return 200, {"accepted": result.accepted, "duplicates": result.duplicates, "deliveries": result.deliveries}
