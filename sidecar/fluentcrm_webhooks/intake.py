"""Intake: a batch of events from the plugin becomes one delivery per (new event, subscribed
webhook), in one transaction, before the batch is answered. SQL only; validation.py checked the
events, subscriptions.py decides which webhooks each belongs to (type, time, conditions)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from peewee import IntegrityError

from .db import write_transaction
from .events import IncomingEvent, ordering_key
from .lifecycle import DeliveryStatus, WebhookStatus
from .models import Delivery, SeenEvent, Webhook, database
from .payloads import build_body
from .subjects import contact_id, email_hash
from .subscriptions import event_second, subscription_of
from .timeutil import stored_datetime, utcnow

SEEN_EVENT_DAYS = 7
INSERT_CHUNK = 100

# Webhooks that record deliveries: `active` ones send them, `failed` ones hold them.
RECORDING_STATUSES = (WebhookStatus.ACTIVE.value, WebhookStatus.FAILED.value)


@dataclass(frozen=True)
class IntakeResult:
    accepted: int
    duplicates: int
    deliveries: int
    to_send: int  # deliveries of active webhooks, due now


def record_events(events: Sequence[IncomingEvent]) -> IntakeResult:
    """Record one delivery per (new event, subscribed webhook) in one transaction.

    Ids seen in the last 7 days (or twice in this batch) are dropped whether or not anything
    subscribed to them, so the plugin may re-send a batch after a timeout without doubles. The
    transaction takes the write lock first (db.write_transaction): on SQLite, intake waits for a
    delivery commit instead of being refused with "database is locked".
    """
    now = utcnow()
    with write_transaction(database.obj):
        fresh = _claim_new_event_ids(_unique_by_id(events), now)
        subscribers = list(Webhook.select(Webhook.id, Webhook.status, Webhook.events, Webhook.created_at,
                                          Webhook.event_subscribed_at, Webhook.conditions)
                           .where(Webhook.status.in_(RECORDING_STATUSES)).order_by(Webhook.id))
        subscriptions = [(webhook, subscription_of(webhook.id, webhook.events, stored_datetime(webhook.created_at),
                                                   webhook.event_subscribed_at, webhook.conditions))
                         for webhook in subscribers]
        rows = []
        to_send = 0
        for event in fresh:
            key = ordering_key(event.data)
            subject = {"contact_id": contact_id(event.data), "email_hash": email_hash(event.data)}
            happened_at = event_second(event.timestamp)  # once, not once per webhook
            for webhook, subscription in subscriptions:
                if not subscription.wants(event, happened_at):  # its type, its time, its conditions
                    continue
                body = build_body(event.id, event.event, event.timestamp, webhook.id, event.data)
                rows.append({
                    "webhook_id": webhook.id, "event": event.event, "event_id": event.id,
                    "body": body.decode("utf-8"), "status": DeliveryStatus.PENDING.value, "attempts": 0,
                    "next_attempt_at": now, "created_at": now, "order_key": key, **subject,
                })
                to_send += webhook.status == WebhookStatus.ACTIVE.value
        for start in range(0, len(rows), INSERT_CHUNK):
            Delivery.insert_many(rows[start:start + INSERT_CHUNK]).execute()
    return IntakeResult(len(fresh), len(events) - len(fresh), len(rows), to_send)


def _unique_by_id(events: Iterable[IncomingEvent]) -> list[IncomingEvent]:
    seen: set[str] = set()
    unique = []
    for event in events:
        if event.id not in seen:
            seen.add(event.id)
            unique.append(event)
    return unique


def _claim_new_event_ids(events: list[IncomingEvent], now: datetime) -> list[IncomingEvent]:
    """Insert the ids not seen yet; the primary key decides races between two intakes."""
    if not events:
        return []
    known: set[str] = set()
    ids = [e.id for e in events]
    for start in range(0, len(ids), INSERT_CHUNK):
        chunk = ids[start:start + INSERT_CHUNK]
        known.update(row.event_id for row in SeenEvent.select(SeenEvent.event_id).where(SeenEvent.event_id.in_(chunk)))
    fresh = [e for e in events if e.id not in known]
    try:
        with database.atomic():
            for start in range(0, len(fresh), INSERT_CHUNK):
                SeenEvent.insert_many([{"event_id": e.id, "created_at": now}
                                       for e in fresh[start:start + INSERT_CHUNK]]).execute()
        return fresh
    except IntegrityError:
        # A concurrent intake (another process, MySQL) took some of them: go row by row.
        ours = []
        for event in fresh:
            try:
                with database.atomic():
                    SeenEvent.insert(event_id=event.id, created_at=now).execute()
                ours.append(event)
            except IntegrityError:
                pass
        return ours


def forget_old_event_ids() -> int:
    return SeenEvent.delete().where(SeenEvent.created_at < utcnow() - timedelta(days=SEEN_EVENT_DAYS)).execute()
