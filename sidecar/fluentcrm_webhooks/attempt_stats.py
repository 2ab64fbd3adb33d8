"""A webhook's attempts counted into time buckets (GET /v2/webhooks/{id}/stats). Pure: the rows
come from delivery_log.attempt_outcomes, already classified and counted per second.

Buckets are whole UTC hours or days; the first holds `since`, and every bucket up to `until` is
present, empty ones included, so a chart needs no gaps filled. Attempts count from `since`
(inclusive) to `until` (exclusive)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from .timeutil import iso, stored_datetime

BUCKET_SECONDS = {"hour": 3600, "day": 86400}
OUTCOMES = ("success", "failed", "retrying")
_EPOCH = datetime(1970, 1, 1)


def bucket_start(moment: datetime, bucket: str) -> datetime:
    size = BUCKET_SECONDS[bucket]
    return _EPOCH + timedelta(seconds=int((moment - _EPOCH).total_seconds()) // size * size)


def bucket_count(since: datetime, until: datetime, bucket: str) -> int:
    """How many buckets since..until needs (until exclusive)."""
    first = bucket_start(since, bucket)
    return -(-int((until - first).total_seconds()) // BUCKET_SECONDS[bucket])


def count_attempts(rows: Iterable[tuple[Any, str, int]], since: datetime, until: datetime,
                   bucket: str) -> dict[str, Any]:
    """`rows`: (attempted_at, outcome, how many attempts) within since..until. Answers the
    response's `buckets` and `totals`."""
    first = bucket_start(since, bucket)
    size = BUCKET_SECONDS[bucket]
    counts = [dict.fromkeys(OUTCOMES, 0) for _ in range(bucket_count(since, until, bucket))]
    for attempted_at, outcome, n in rows:
        index = int((stored_datetime(attempted_at) - first).total_seconds()) // size
        if 0 <= index < len(counts) and outcome in OUTCOMES:
            counts[index][outcome] += int(n)
    totals: dict[str, Any] = {outcome: sum(c[outcome] for c in counts) for outcome in OUTCOMES}
    attempts = sum(totals.values())
    # The share of attempts that got a 2xx; none made: no rate rather than a misleading 0 or 1.
    totals["success_rate"] = round(totals["success"] / attempts, 4) if attempts else None
    return {
        "buckets": [{"start": iso(first + timedelta(seconds=i * size)), **c} for i, c in enumerate(counts)],
        "totals": totals,
    }
