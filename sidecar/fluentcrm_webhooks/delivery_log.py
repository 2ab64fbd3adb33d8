"""Reads of the delivery log: a webhook's page of deliveries, one delivery and its attempts. SQL only."""

from __future__ import annotations

from peewee import fn

from .models import Attempt, Delivery

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
    total = Delivery.select(fn.COUNT(Delivery.id)).where(where).scalar() or 0
    rows = list(Delivery.select(*_PAGE_FIELDS).where(where).order_by(Delivery.id.desc()).paginate(page, per_page))
    return rows, total


def attempts_of(delivery_id: int) -> list[Attempt]:
    return list(Attempt.select().where(Attempt.delivery_id == delivery_id).order_by(Attempt.id))
