"""GET /v2/webhooks/{id}/stats: a webhook's attempts per hour or day (success, failed, retrying)."""

from __future__ import annotations

from .. import attempt_stats, delivery_log, validation
from ..timeutil import iso, utcnow
from .plumbing import Call
from .webhooks import load_webhook


def webhook_stats(call: Call):
    webhook = load_webhook(call)
    since, until, bucket = validation.stats_query(call.query, utcnow())
    counted = attempt_stats.count_attempts(delivery_log.attempt_outcomes(webhook.id, since, until),
                                           since, until, bucket)
    return 200, {"webhook_id": webhook.id, "since": iso(since), "until": iso(until), "bucket": bucket, **counted}
