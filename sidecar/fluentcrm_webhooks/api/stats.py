"""GET /v2/stats: the delivery log's size and what waits in it, and the retention in force."""

from __future__ import annotations

from .. import delivery_log
from ..timeutil import iso
from .plumbing import Call


def log_stats(call: Call):
    totals = delivery_log.totals()
    return 200, {
        "deliveries": {**totals.by_status, "held": totals.held, "total": sum(totals.by_status.values())},
        "attempts": totals.attempts,
        "oldest_pending_at": iso(totals.oldest_pending_at),
        "retention_days": call.ctx.settings.retention_days,
    }
