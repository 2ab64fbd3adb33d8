"""What a /metrics scrape reads from the database: two aggregate queries, whatever the number of
webhooks and deliveries. SQL only; metrics.py turns the rows into gauges.

1. deliveries by webhook and status: one GROUP BY over the (webhook_id, status, id) index, read from
   the index alone (no row is fetched);
2. every webhook (a small table) with three scalar subqueries that each seek the
   (webhook_id, status, next_attempt_at) index: how many of its deliveries are due now, the oldest
   due time, and the creation time of its oldest pending delivery.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from peewee import fn

from .lifecycle import DeliveryStatus
from .models import Delivery, Webhook
from .timeutil import stored_datetime


@dataclass(frozen=True)
class WebhookBacklog:
    webhook_id: int
    status: str
    paced: bool
    due: int  # pending deliveries whose next attempt is due now (in flight ones are leased into the future)
    oldest_due_at: datetime | None  # the earliest next_attempt_at among those
    oldest_pending_at: datetime | None  # created_at of its oldest pending delivery (retrying and in flight too)


def delivery_counts() -> list[tuple[int, str, int]]:
    """(webhook id, status, deliveries) for every pair that has any."""
    query = (Delivery.select(Delivery.webhook_id, Delivery.status, fn.COUNT(Delivery.id))
             .group_by(Delivery.webhook_id, Delivery.status).tuples())
    return [(int(webhook_id), str(status), int(count)) for webhook_id, status, count in _rows(query)]


def webhook_backlogs(now: datetime) -> list[WebhookBacklog]:
    """Each webhook's state and what waits in its lane. A delivery with no next attempt (a test send
    in progress) waits for nothing and is left out."""
    due_rows, first_due, oldest = Delivery.alias("due_rows"), Delivery.alias("first_due"), Delivery.alias("oldest")

    def pending(alias):
        return (alias.webhook_id == Webhook.id) & (alias.status == DeliveryStatus.PENDING.value)

    due = due_rows.select(fn.COUNT(due_rows.id)).where(pending(due_rows) & (due_rows.next_attempt_at <= now))
    earliest = first_due.select(fn.MIN(first_due.next_attempt_at)).where(
        pending(first_due) & (first_due.next_attempt_at <= now))
    created = oldest.select(fn.MIN(oldest.created_at)).where(pending(oldest) & oldest.next_attempt_at.is_null(False))
    query = (Webhook.select(Webhook.id, Webhook.status, Webhook.pace_failures, due, earliest, created)
             .order_by(Webhook.id).tuples())
    return [WebhookBacklog(int(webhook_id), str(status), bool(pace_failures), int(count or 0), _datetime(first),
                           _datetime(created_at))
            for webhook_id, status, pace_failures, count, first, created_at in _rows(query)]


def _rows(query: Any) -> Iterable[tuple[Any, ...]]:
    return cast(Iterable[tuple[Any, ...]], query)  # .tuples(): peewee's stubs still say model instances


def _datetime(value: object) -> datetime | None:
    if value is None or isinstance(value, datetime):
        return value
    return stored_datetime(str(value))
