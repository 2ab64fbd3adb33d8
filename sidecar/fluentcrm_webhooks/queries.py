"""Every read and write of the tables, named for what it means. No HTTP, no sending."""

from __future__ import annotations

import json
from dataclasses import dataclass
import time
from datetime import datetime, timedelta
from typing import Any, Callable, Iterable, Sequence, TypeVar

from peewee import Case, IntegrityError, OperationalError, SqliteDatabase, Value, fn

from .models import Attempt, Delivery, SeenEvent, Webhook, database
from .payloads import build_body
from .retry import AUTO_DISABLE_AFTER
from .sender import AttemptResult
from .signing import fluentcrm_signature
from .timeutil import iso, utcnow

T = TypeVar("T")
SEEN_EVENT_DAYS = 7
INSERT_CHUNK = 100

# Statuses a webhook may have; only `active` is sent to. `failed` keeps recording (held).
RECORDING_STATUSES = ("active", "failed")


# --- webhooks -----------------------------------------------------------------------------

def webhook_events(webhook: Webhook) -> list[str]:
    return json.loads(webhook.events)


def all_webhooks() -> list[Webhook]:
    return list(Webhook.select().order_by(Webhook.id))


def find_webhook(webhook_id: int) -> Webhook | None:
    return Webhook.get_or_none(Webhook.id == webhook_id)


def create_webhook(*, name: str, url: str, events: list[str], status: str, secret: str) -> Webhook:
    now = utcnow()
    return Webhook.create(name=name, url=url, events=json.dumps(events), status=status, secret=secret,
                          consecutive_failures=0, created_at=now, updated_at=now)


def update_webhook(webhook: Webhook, changes: dict[str, Any]) -> list[int]:
    """Apply validated changes; return the ids of held deliveries to send now (webhook re-activated)."""
    released: list[int] = []
    with database.atomic():
        becomes_active = changes.get("status") == "active" and webhook.status != "active"
        for field, value in changes.items():
            setattr(webhook, field, json.dumps(value) if field == "events" else value)
        if changes.get("status") == "active":
            webhook.consecutive_failures = 0
        webhook.updated_at = utcnow()
        webhook.save()
        if "secret" in changes:
            _resign_pending(webhook)
        if becomes_active:
            released = release_held_deliveries(webhook.id)
    return released


def _resign_pending(webhook: Webhook) -> None:
    """A new secret applies to everything not yet delivered: re-sign the stored bodies."""
    for delivery in Delivery.select(Delivery.id, Delivery.body).where(
            (Delivery.webhook_id == webhook.id) & (Delivery.status == "pending")):
        Delivery.update(signature=fluentcrm_signature(webhook.secret, delivery.body.encode("utf-8"))).where(
            Delivery.id == delivery.id).execute()


def release_held_deliveries(webhook_id: int) -> list[int]:
    """Make a webhook's pending deliveries due now, and return their ids for the queue."""
    now = utcnow()
    Delivery.update(next_attempt_at=now).where(
        (Delivery.webhook_id == webhook_id) & (Delivery.status == "pending")).execute()
    return [d.id for d in Delivery.select(Delivery.id).where(
        (Delivery.webhook_id == webhook_id) & (Delivery.status == "pending")).order_by(Delivery.id)]


def delete_webhook(webhook: Webhook) -> None:
    with database.atomic():
        delivery_ids = Delivery.select(Delivery.id).where(Delivery.webhook_id == webhook.id)
        Attempt.delete().where(Attempt.delivery_id.in_(delivery_ids)).execute()
        Delivery.delete().where(Delivery.webhook_id == webhook.id).execute()
        webhook.delete_instance()


def last_delivery(webhook_id: int) -> Delivery | None:
    return (Delivery.select().where((Delivery.webhook_id == webhook_id) & Delivery.attempted_at.is_null(False))
            .order_by(Delivery.attempted_at.desc(), Delivery.id.desc()).first())


def held_count(webhook: Webhook) -> int:
    if webhook.status == "active":
        return 0
    return Delivery.select().where((Delivery.webhook_id == webhook.id) & (Delivery.status == "pending")).count()


# --- intake -------------------------------------------------------------------------------

@dataclass(frozen=True)
class IncomingEvent:
    id: str
    event: str
    timestamp: str  # ISO 8601 with Z
    data: Any


@dataclass(frozen=True)
class IntakeResult:
    accepted: int
    duplicates: int
    deliveries: int
    to_send: list[int]  # delivery ids of active webhooks, for the queue


def record_events(events: Sequence[IncomingEvent]) -> IntakeResult:
    """Record one delivery per (new event, subscribed webhook) in one transaction.

    Ids seen in the last 7 days (or twice in this batch) are dropped whether or not anything
    subscribed to them, so the plugin may re-send a batch after a timeout without doubles.
    """
    now = utcnow()
    with database.atomic():
        fresh = _claim_new_event_ids(_unique_by_id(events), now)
        subscribers = list(Webhook.select().where(Webhook.status.in_(RECORDING_STATUSES)).order_by(Webhook.id))
        subscriptions = [(webhook, frozenset(webhook_events(webhook))) for webhook in subscribers]
        rows = []
        for event in fresh:
            for webhook, subscribed in subscriptions:
                if event.event not in subscribed:
                    continue
                body = build_body(event.id, event.event, event.timestamp, webhook.id, event.data)
                rows.append({
                    "webhook_id": webhook.id, "event": event.event, "event_id": event.id,
                    "body": body.decode("utf-8"), "signature": fluentcrm_signature(webhook.secret, body),
                    "status": "pending", "attempts": 0, "next_attempt_at": now, "created_at": now,
                })
        for start in range(0, len(rows), INSERT_CHUNK):
            Delivery.insert_many(rows[start:start + INSERT_CHUNK]).execute()
        to_send = _ids_to_send(fresh, [w.id for w, _ in subscriptions if w.status == "active"]) if rows else []
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
        # A concurrent intake took some of them: go row by row to learn which are ours.
        ours = []
        for event in fresh:
            try:
                with database.atomic():
                    SeenEvent.insert(event_id=event.id, created_at=now).execute()
                ours.append(event)
            except IntegrityError:
                pass
        return ours


def _ids_to_send(events: list[IncomingEvent], active_webhook_ids: list[int]) -> list[int]:
    if not active_webhook_ids:
        return []
    ids: list[int] = []
    event_ids = [e.id for e in events]
    for start in range(0, len(event_ids), INSERT_CHUNK):
        query = Delivery.select(Delivery.id).where(
            Delivery.event_id.in_(event_ids[start:start + INSERT_CHUNK])
            & Delivery.webhook_id.in_(active_webhook_ids) & (Delivery.status == "pending"))
        ids.extend(row.id for row in query)
    return sorted(ids)


def forget_old_event_ids() -> int:
    return SeenEvent.delete().where(SeenEvent.created_at < utcnow() - timedelta(days=SEEN_EVENT_DAYS)).execute()


# --- delivery -----------------------------------------------------------------------------

def find_delivery(delivery_id: int) -> Delivery | None:
    return Delivery.get_or_none(Delivery.id == delivery_id)


DEADLOCK_ERRORS = (1213, 1205)  # InnoDB: deadlock, lock wait timeout (the transaction was rolled back)
DEADLOCK_RETRIES = 5


def _retrying_deadlocks(work: Callable[[], T]) -> T:
    """Run a transaction again when InnoDB chose it as a deadlock victim, as InnoDB's manual asks.
    On a small table the optimizer scans rather than seeks, so chunks of ids lock more rows than
    they name and two workers can deadlock; the victim was rolled back, so running again is safe."""
    for attempt in range(DEADLOCK_RETRIES):
        try:
            return work()
        except OperationalError as error:
            code = error.args[0] if error.args else None
            if code not in DEADLOCK_ERRORS or attempt == DEADLOCK_RETRIES - 1:
                raise
            time.sleep(0.01 * (attempt + 1))
    raise AssertionError("unreachable")


def claim_due_deliveries(delivery_ids: Sequence[int], lease_seconds: float) -> list[tuple[Delivery, Webhook]]:
    return _retrying_deadlocks(lambda: _claim_due_deliveries(delivery_ids, lease_seconds))


def _claim_due_deliveries(delivery_ids: Sequence[int], lease_seconds: float) -> list[tuple[Delivery, Webhook]]:
    """Take, in one transaction, every delivery among `delivery_ids` that is pending, due and of an
    active webhook, for one attempt each. The lease (a later next_attempt_at) keeps the sweeper and
    other workers off them; if this process dies mid-send, it runs out and they are sent again."""
    if not delivery_ids:
        return []
    now = utcnow()
    with _write_transaction():
        # Lock by primary key only: a range over (status, next_attempt_at) would also lock the
        # gaps intake inserts into, and deadlock with it. Rows are locked in id order, so two
        # claimers of overlapping chunks wait for each other instead of deadlocking.
        query = Delivery.select().where(Delivery.id.in_(sorted(delivery_ids))).order_by(Delivery.id)
        if database.obj.for_update:
            query = query.for_update()
        due = [d for d in query if d.status == "pending" and d.next_attempt_at is not None and d.next_attempt_at <= now]
        if not due:
            return []
        active = {webhook.id: webhook for webhook in Webhook.select().where(
            Webhook.id.in_(sorted({d.webhook_id for d in due})) & (Webhook.status == "active"))}
        claimed = [(delivery, active[delivery.webhook_id]) for delivery in due if delivery.webhook_id in active]
        if claimed:
            Delivery.update(next_attempt_at=now + timedelta(seconds=lease_seconds)).where(
                Delivery.id.in_([delivery.id for delivery, _ in claimed])).execute()
    return claimed


def extend_lease(delivery_ids: Sequence[int], lease_seconds: float) -> None:
    """Keep claimed deliveries ours a while longer (a chunk going slowly to a slow receiver)."""
    if delivery_ids:
        Delivery.update(next_attempt_at=utcnow() + timedelta(seconds=lease_seconds)).where(
            Delivery.id.in_(list(delivery_ids)) & (Delivery.status == "pending")).execute()


def _write_transaction():
    """A transaction that takes SQLite's write lock at once: a deferred one that reads and then
    writes fails with "database is locked" when another process wrote in between."""
    db = database.obj
    return db.atomic("IMMEDIATE") if isinstance(db, SqliteDatabase) else db.atomic()


@dataclass(frozen=True)
class AttemptRecord:
    delivery: Delivery
    result: AttemptResult
    headers: dict[str, str]
    attempted_at: datetime
    final_status: str  # success, failed, or pending (a retry is scheduled)
    next_attempt_at: datetime | None


def record_attempts(records: Sequence[AttemptRecord], counts_for_webhook: bool = True) -> list[int]:
    """Store a chunk of attempts and their outcomes in one transaction, a few statements in all.
    Returns the ids of the webhooks these outcomes disabled (too many deliveries failed in a row).
    Test sends do not count toward that (`counts_for_webhook=False`)."""
    return _retrying_deadlocks(lambda: _record_attempts(records, counts_for_webhook))


def _record_attempts(records: Sequence[AttemptRecord], counts_for_webhook: bool) -> list[int]:
    if not records:
        return []
    ids = [record.delivery.id for record in records]

    def per_delivery(field, values):
        return Case(Delivery.id, [(delivery_id, Value(value, converter=field.db_value, unpack=False))
                                  for delivery_id, value in zip(ids, values)])

    with database.atomic():
        Attempt.insert_many([{
            "delivery_id": r.delivery.id, "attempted_at": r.attempted_at, "response_code": r.result.response_code,
            "response_time": r.result.response_time, "response_body": _excerpt(r.result.response_body, 2048),
            "error": r.result.error,
            # Every header, signatures included: receivers see them anyway, and admins debug with them.
            "request_headers": json.dumps(r.headers),
        } for r in records]).execute()
        Delivery.update(
            status=per_delivery(Delivery.status, [r.final_status for r in records]),
            attempts=Delivery.attempts + 1,
            response_code=per_delivery(Delivery.response_code, [r.result.response_code for r in records]),
            response_time=per_delivery(Delivery.response_time, [r.result.response_time for r in records]),
            response_body=per_delivery(Delivery.response_body, [r.result.response_body for r in records]),
            error=per_delivery(Delivery.error, [r.result.error for r in records]),
            attempted_at=per_delivery(Delivery.attempted_at, [r.attempted_at for r in records]),
            next_attempt_at=per_delivery(Delivery.next_attempt_at, [r.next_attempt_at for r in records]),
        ).where(Delivery.id.in_(ids)).execute()
        if not counts_for_webhook:
            return []
        return [webhook_id for webhook_id, finals in _final_outcomes_by_webhook(records).items()
                if _count_outcomes(webhook_id, finals)]


def _final_outcomes_by_webhook(records: Sequence[AttemptRecord]) -> dict[int, list[str]]:
    finals: dict[int, list[str]] = {}
    for record in records:
        if record.final_status in ("success", "failed"):
            finals.setdefault(record.delivery.webhook_id, []).append(record.final_status)
    return finals


def _count_outcomes(webhook_id: int, finals: list[str]) -> bool:
    """Apply a run of final outcomes (in order) to a webhook's consecutive-failure count; True
    when that disabled the webhook. A success resets the count, so only failures after the last
    success count."""
    if "success" in finals:
        failures_after = len(finals) - 1 - max(i for i, status in enumerate(finals) if status == "success")
        # Only touch the webhook row when the count changes: it is a hot row.
        Webhook.update(consecutive_failures=failures_after).where(
            (Webhook.id == webhook_id) & (Webhook.consecutive_failures != failures_after)).execute()
    else:
        failures_after = len(finals)
        Webhook.update(consecutive_failures=Webhook.consecutive_failures + failures_after).where(
            Webhook.id == webhook_id).execute()
    if not failures_after:
        return False
    return bool(Webhook.update(status="failed", updated_at=utcnow()).where(
        (Webhook.id == webhook_id) & (Webhook.status == "active")
        & (Webhook.consecutive_failures >= AUTO_DISABLE_AFTER)).execute())


def _excerpt(text: str | None, limit: int) -> str | None:
    return None if text is None else text[:limit]


def overdue_delivery_ids(grace_seconds: float, limit: int = 1000) -> list[int]:
    """Pending deliveries of active webhooks past due (queue lost, worker killed, restart)."""
    cutoff = utcnow() - timedelta(seconds=grace_seconds)
    active = Webhook.select(Webhook.id).where(Webhook.status == "active")
    query = (Delivery.select(Delivery.id)
             .where((Delivery.status == "pending") & (Delivery.next_attempt_at <= cutoff)
                    & Delivery.webhook_id.in_(active))
             .order_by(Delivery.next_attempt_at).limit(limit))
    return [row.id for row in query]


def create_test_delivery(webhook: Webhook, body: bytes, event_id: str, event: str) -> Delivery:
    now = utcnow()
    return Delivery.create(webhook_id=webhook.id, event=event, event_id=event_id, body=body.decode("utf-8"),
                           signature=fluentcrm_signature(webhook.secret, body), status="pending",
                           attempts=0, next_attempt_at=None, created_at=now)


def redeliver(delivery: Delivery) -> None:
    """Send a delivery again with a fresh retry ladder (same id, same body)."""
    _restart_deliveries([delivery.id])


def recover_failed_since(webhook_id: int, since: datetime) -> list[int]:
    """Redeliver every failed delivery of the webhook created at or after `since` (tests excluded)."""
    with database.atomic():
        ids = [row.id for row in Delivery.select(Delivery.id).where(
            (Delivery.webhook_id == webhook_id) & (Delivery.status == "failed") & (Delivery.created_at >= since)
            & (Delivery.event != "webhook.test")).order_by(Delivery.id)]
        _restart_deliveries(ids)
    return ids


def _restart_deliveries(ids: list[int]) -> None:
    now = utcnow()
    for start in range(0, len(ids), INSERT_CHUNK):
        Delivery.update(status="pending", attempts=0, next_attempt_at=now).where(
            Delivery.id.in_(ids[start:start + INSERT_CHUNK])).execute()


def deliveries_page(webhook_id: int, status: str | None, page: int, per_page: int) -> tuple[list[Delivery], int]:
    where = Delivery.webhook_id == webhook_id
    if status:
        where &= Delivery.status == status
    total = Delivery.select(fn.COUNT(Delivery.id)).where(where).scalar() or 0
    rows = list(Delivery.select(*[f for f in Delivery._meta.sorted_fields if f.name not in ("body", "response_body")])
                .where(where).order_by(Delivery.id.desc()).paginate(page, per_page))
    return rows, total


def attempts_of(delivery_id: int) -> list[Attempt]:
    return list(Attempt.select().where(Attempt.delivery_id == delivery_id).order_by(Attempt.id))


# --- shapes -------------------------------------------------------------------------------

def delivery_dict(delivery: Delivery) -> dict[str, Any]:
    return {
        "id": delivery.id, "webhook_id": delivery.webhook_id, "event": delivery.event,
        "event_id": delivery.event_id, "status": delivery.status, "attempts": delivery.attempts,
        "response_code": delivery.response_code, "response_time": delivery.response_time,
        "error": delivery.error, "attempted_at": iso(delivery.attempted_at),
        "next_attempt_at": iso(delivery.next_attempt_at) if delivery.status == "pending" else None,
        "created_at": iso(delivery.created_at),
    }


def attempt_dict(attempt: Attempt) -> dict[str, Any]:
    return {
        "attempted_at": iso(attempt.attempted_at), "response_code": attempt.response_code,
        "response_time": attempt.response_time, "error": attempt.error, "response_body": attempt.response_body,
    }


def webhook_dict(webhook: Webhook, *, with_secret: bool) -> dict[str, Any]:
    last = last_delivery(webhook.id)
    shape = {
        "id": webhook.id, "name": webhook.name, "url": webhook.url, "events": webhook_events(webhook),
        "status": webhook.status,
    }
    if with_secret:
        shape["secret"] = webhook.secret
    shape.update({
        "consecutive_failures": webhook.consecutive_failures,
        "created_at": iso(webhook.created_at), "updated_at": iso(webhook.updated_at),
        "last_delivery": None if last is None else {
            "id": last.id, "event": last.event, "status": last.status,
            "response_code": last.response_code, "attempted_at": iso(last.attempted_at),
        },
        "held_deliveries": held_count(webhook),
    })
    return shape
