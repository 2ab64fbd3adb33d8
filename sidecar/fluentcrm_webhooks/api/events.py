"""POST /v2/events: the plugin's batches, recorded in one transaction before we answer."""

from __future__ import annotations

from .. import intake, metrics, validation
from .plumbing import Call


def receive_events(call: Call):
    batch = validation.events_batch(call.payload)
    result = intake.record_events(batch)
    metrics.observe_intake(result.accepted, result.duplicates, result.deliveries)
    if result.to_send:
        # After the commit: an engine must never look for rows it cannot see yet.
        call.ctx.doorbell.ring()
    return 200, {"accepted": result.accepted, "duplicates": result.duplicates, "deliveries": result.deliveries}
