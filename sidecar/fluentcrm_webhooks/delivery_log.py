"""Reads of the delivery log: a webhook's page of deliveries, one delivery and its attempts, a
contact's deliveries across webhooks, a webhook's attempts over time, and the log's totals. SQL only."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from peewee import SQL, Case, fn

from .erasure import about
from .events import TEST_EVENT
from .lifecycle import DeliveryStatus, WebhookStatus
from .models import Attempt, Delivery, Webhook
from .timeutil import stored_datetime

# The page leaves out the two big columns; the detail route reads them.
_PAGE_FIELDS = [f for f in Delivery._meta.sorted_fields if f.name not in ("body", "response_body")]


def find_delivery(delivery_id: int) -> Delivery | None:
    return Delivery.get_or_none(Delivery.id == delivery_id)


def reload(delivery_id: int) -> Delivery:
    """A delivery read again after a change (it exists: we just changed it)."""
    return Delivery.get_by_id(delivery_id)


def deliveries_page(webhook_id: int, status: str | None, page: int, per_page: int,
                    test: str | None = None) -> tuple[list[Delivery], int]:
    """`test`: "only" the test sends (POST /test, recovery probes), "exclude" them, or None for all."""
    where = Delivery.webhook_id == webhook_id
    if status:
        where &= Delivery.status == status
    if test == "only":
        where &= Delivery.event == TEST_EVENT
    elif test == "exclude":
        where &= Delivery.event != TEST_EVENT
    return _newest_first(where, page, per_page, _PAGE_FIELDS)


def attempt_outcomes(webhook_id: int, since: datetime, until: datetime) -> list[tuple[Any, str, int]]:
    """A webhook's attempts from `since` to `until` (exclusive), tests left out, as (second,
    outcome, how many) for attempt_stats.count_attempts, in one query. The outcome: `success` for
    a 2xx; `failed` for the attempt that left its delivery failed (its last, when it is failed);
    `retrying` for any other. Grouped per second, so a busy webhook's day reads back in at most
    86,400 rows times three, whatever the number of attempts."""
    later = Attempt.alias()
    last_attempt = later.select(fn.MAX(later.id)).where(later.delivery_id == Attempt.delivery_id)
    outcome = Case(None, [
        ((Attempt.response_code >= 200) & (Attempt.response_code < 300), "success"),
        ((Delivery.status == DeliveryStatus.FAILED.value) & (Attempt.id == last_attempt), "failed"),
    ], "retrying")
    rows = (Attempt.select(Attempt.attempted_at, outcome.alias("outcome"), fn.COUNT(Attempt.id).alias("n"))
            .join(Delivery, on=Delivery.id == Attempt.delivery_id)
            # A delivery's attempted_at is its last attempt's: one attempted in the window was
            # last attempted at `since` or later, so the (webhook_id, attempted_at) index finds
            # the few deliveries to look at rather than every delivery the webhook has.
            .where((Delivery.webhook_id == webhook_id) & (Delivery.attempted_at >= since)
                   & (Delivery.event != TEST_EVENT)
                   & (Attempt.attempted_at >= since) & (Attempt.attempted_at < until))
            # By the alias, which SQLite and MySQL both take: the CASE is not written twice.
            .group_by(Attempt.attempted_at, SQL("outcome"))
            .tuples())
    return cast(list[tuple[Any, str, int]], list(rows))


def _newest_first(where, page: int, per_page: int, fields) -> tuple[list[Delivery], int]:
    """One page of the deliveries matching `where`, newest first, and how many match in all."""
    total = Delivery.select(fn.COUNT(Delivery.id)).where(where).scalar() or 0
    rows = list(Delivery.select(*fields).where(where).order_by(Delivery.id.desc()).paginate(page, per_page))
    return rows, total


def attempts_of(delivery_id: int) -> list[Attempt]:
    return list(Attempt.select().where(Attempt.delivery_id == delivery_id).order_by(Attempt.id))


def contact_page(contact_id: int | None, email_hash: str | None, page: int, per_page: int,
                 with_body: bool) -> tuple[list[Delivery], int]:
    """A contact's deliveries across every webhook, newest first (indexed by contact, never read from bodies)."""
    fields = Delivery._meta.sorted_fields if with_body else _PAGE_FIELDS
    return _newest_first(about(contact_id, email_hash), page, per_page, fields)


@dataclass(frozen=True)
class LogTotals:
    by_status: dict[str, int]
    held: int  # pending deliveries of webhooks that are not active
    attempts: int
    oldest_pending_at: datetime | None  # the oldest delivery still waiting to be sent by an active webhook


def totals() -> LogTotals:
    """The whole log in four aggregate queries (the settings screen, Site Health, `wp fcwh status`)."""
    by_status = {status.value: 0 for status in DeliveryStatus}
    for row in Delivery.select(Delivery.status, fn.COUNT(Delivery.id).alias("n")).group_by(Delivery.status).objects():
        by_status[row.status] = cast(Any, row).n  # an aliased column is not on the model's type
    inactive = Webhook.select(Webhook.id).where(Webhook.status != WebhookStatus.ACTIVE.value)
    active = Webhook.select(Webhook.id).where(Webhook.status == WebhookStatus.ACTIVE.value)
    pending = Delivery.status == DeliveryStatus.PENDING.value
    held = Delivery.select(fn.COUNT(Delivery.id)).where(pending & Delivery.webhook_id.in_(inactive)).scalar() or 0
    oldest = (Delivery.select(fn.MIN(Delivery.created_at))
              .where(pending & Delivery.webhook_id.in_(active) & Delivery.next_attempt_at.is_null(False)).scalar())
    oldest = None if oldest is None else stored_datetime(oldest)
    attempts = Attempt.select(fn.COUNT(Attempt.id)).scalar() or 0
    return LogTotals(by_status, held, attempts, oldest)
