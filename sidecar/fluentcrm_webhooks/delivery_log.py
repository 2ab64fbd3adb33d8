"""Reads of the delivery log: a webhook's page of deliveries, one delivery and its attempts, a
contact's deliveries across webhooks, and the log's totals. SQL only."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from peewee import fn

from .erasure import about
from .lifecycle import DeliveryStatus, WebhookStatus
from .models import Attempt, Delivery, Webhook

# The page leaves out the two big columns; the detail route reads them.
_PAGE_FIELDS = [f for f in Delivery._meta.sorted_fields if f.name not in ("body", "response_body")]


def find_delivery(delivery_id: int) -> Delivery | None:
    return Delivery.get_or_none(Delivery.id == delivery_id)


def reload(delivery_id: int) -> Delivery:
    """A delivery read again after a change (it exists: we just changed it)."""
    return Delivery.get_by_id(delivery_id)


def deliveries_page(webhook_id: int, status: str | None, page: int, per_page: int) -> tuple[list[Delivery], int]:
    where = Delivery.webhook_id == webhook_id
    if status:
        where &= Delivery.status == status
    return _newest_first(where, page, per_page, _PAGE_FIELDS)


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
    if isinstance(oldest, str):  # SQLite hands back text for aggregates
        oldest = datetime.fromisoformat(oldest)
    attempts = Attempt.select(fn.COUNT(Attempt.id)).scalar() or 0
    return LogTotals(by_status, held, attempts, oldest)
