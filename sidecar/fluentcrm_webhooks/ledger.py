"""The delivery ledger: every statement that claims, records and releases deliveries. No HTTP and
no decisions of its own: what an outcome means is lifecycle.py's, how many to claim is lanes.py's.

The deliveries table is the queue as well as the record. A claim leases rows by pushing their
next_attempt_at past the attempt's deadline (and stamping a claim token), so the same row is never
attempted twice at once, by this process or another; a process killed mid-send leaves leases that
simply run out, and the rows are claimed again.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from peewee import Case, MySQLDatabase, Value, fn

from . import lifecycle, recovery
from .db import retrying_deadlocks, write_transaction
from .lifecycle import Decision, DeliveryStatus, WebhookState, WebhookStatus
from .models import Attempt, Delivery, Webhook, database
from .sender import AttemptResult
from .timeutil import utcnow

CHUNK = 100  # ids per IN (...) list: keeps statements small on both databases
RESPONSE_EXCERPT = 2048  # of each attempt's answer, in the attempts table


def _chunks(ids: Sequence[int], size: int = CHUNK) -> Iterable[list[int]]:
    for start in range(0, len(ids), size):
        yield list(ids[start:start + size])


# --- claiming -------------------------------------------------------------------------------------

def active_webhooks() -> list[Webhook]:
    return list(Webhook.select().where(Webhook.status == WebhookStatus.ACTIVE.value).order_by(Webhook.id))


def due_candidates(webhook_id: int, limit: int, ordered: bool, now: datetime,
                   retries_first: bool = False) -> list[int]:
    """Up to `limit` due deliveries of one webhook, oldest due first, without locking anything.
    For an ordered webhook, only those with no earlier delivery of the same contact still pending
    (waiting, retrying or in flight): each contact's events go one after another.
    `retries_first` (a paced webhook's probe): deliveries already on their retry ladder come before
    fresh ones, so their ladders keep to schedule while the endpoint is in trouble."""
    if limit <= 0:
        return []
    due = ((Delivery.webhook_id == webhook_id) & (Delivery.status == DeliveryStatus.PENDING.value)
           & (Delivery.next_attempt_at <= now))
    if ordered:
        Earlier = Delivery.alias("earlier")
        blocked = (Earlier.select(Earlier.id)
                   .where((Earlier.webhook_id == webhook_id) & (Earlier.order_key == Delivery.order_key)
                          & (Earlier.status == DeliveryStatus.PENDING.value) & (Earlier.id < Delivery.id)))
        due &= Delivery.order_key.is_null() | ~fn.EXISTS(blocked)
    order = [Delivery.next_attempt_at, Delivery.id]
    if retries_first:
        order.insert(0, Delivery.attempts.desc())
    query = Delivery.select(Delivery.id).where(due).order_by(*order).limit(limit)
    return [row.id for row in query]


def claim(chosen: Mapping[int, Sequence[int]], probes: set[int], lease_until: datetime,
          now: datetime) -> list[Delivery]:
    """Lease the chosen deliveries (webhook id -> delivery ids) that are still due, in one
    transaction, and return them in full. For a webhook in `probes` (paced) its probe lease is
    taken first; when another process holds it, that webhook's deliveries are left alone."""
    return retrying_deadlocks(lambda: _claim(chosen, probes, lease_until, now))


def _claim(chosen: Mapping[int, Sequence[int]], probes: set[int], lease_until: datetime,
           now: datetime) -> list[Delivery]:
    token = secrets.token_hex(12)
    with write_transaction(database.obj):
        # Webhook rows first, then deliveries, in id order: the same order as `record`, so two
        # processes wait for each other rather than deadlock.
        ids: list[int] = []
        for webhook_id in sorted(chosen):
            if webhook_id in probes:
                taken = Webhook.update(next_probe_at=lease_until).where(
                    (Webhook.id == webhook_id) & (Webhook.status == WebhookStatus.ACTIVE.value)
                    & (Webhook.next_probe_at.is_null() | (Webhook.next_probe_at <= now))).execute()
                if not taken:
                    continue
            ids.extend(chosen[webhook_id])
        ids.sort()
        active = Webhook.select(Webhook.id).where(Webhook.status == WebhookStatus.ACTIVE.value)
        for part in _chunks(ids):
            Delivery.update(next_attempt_at=lease_until, claim_token=token).where(
                Delivery.id.in_(part) & (Delivery.status == DeliveryStatus.PENDING.value)
                & (Delivery.next_attempt_at <= now) & Delivery.webhook_id.in_(active)
                & Delivery.erased_at.is_null()).execute()  # erased: its data is gone, never sent
        claimed: list[Delivery] = []
        for part in _chunks(ids):
            claimed.extend(Delivery.select().where(Delivery.id.in_(part) & (Delivery.claim_token == token)))
    return sorted(claimed, key=lambda d: d.id)


def release(deliveries: Sequence[Delivery], now: datetime | None = None) -> None:
    """Give back claimed deliveries that were not attempted (the process is stopping)."""
    now = now or utcnow()
    for delivery in deliveries:
        Delivery.update(next_attempt_at=now, claim_token=None).where(
            (Delivery.id == delivery.id) & (Delivery.claim_token == delivery.claim_token)
            & (Delivery.status == DeliveryStatus.PENDING.value)).execute()


# --- recording ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class AttemptRecord:
    delivery_id: int
    webhook_id: int
    event: str
    attempt: int  # 1 for the delivery's first attempt
    result: AttemptResult
    headers: dict[str, str]
    attempted_at: datetime
    decision: Decision
    next_attempt_at: datetime | None


@dataclass(frozen=True)
class WebhookChange:
    webhook_id: int
    before: WebhookState
    after: WebhookState


def record(records: Sequence[AttemptRecord], delays: tuple[int, ...],
           counts_for_webhook: bool = True, recovery_interval: float | None = None) -> list[WebhookChange]:
    """Store a batch of attempts and their outcomes in one transaction (the group commit), and
    apply them to their webhooks' counters. Returns the webhooks whose state changed.
    Test sends do not count for the webhook (`counts_for_webhook=False`). A webhook that turns
    failed gets its first recovery probe `recovery_interval` seconds later (recovery.py) when its
    auto_recover is on; None plans none here (the engine's recovery round plans it soon after)."""
    return retrying_deadlocks(lambda: _record(records, delays, counts_for_webhook, recovery_interval))


def _record(records: Sequence[AttemptRecord], delays: tuple[int, ...],
            counts_for_webhook: bool, recovery_interval: float | None) -> list[WebhookChange]:
    if not records:
        return []
    now = utcnow()
    changes: list[WebhookChange] = []
    with write_transaction(database.obj):
        if counts_for_webhook:
            changes = _apply_to_webhooks(records, delays, now, recovery_interval)
        Attempt.insert_many([{
            "delivery_id": r.delivery_id, "attempted_at": r.attempted_at, "response_code": r.result.response_code,
            "response_time": r.result.response_time, "response_body": _excerpt(r.result.response_body),
            "error": r.result.error,
            # Every header, signatures included: receivers see them anyway, and admins debug with them.
            "request_headers": json.dumps(r.headers),
        } for r in records]).execute()
        for part in _chunks(range(len(records))):
            batch = [records[i] for i in part]
            ids = [r.delivery_id for r in batch]

            def per_delivery(field, values, ids=ids):
                return Case(Delivery.id, [(delivery_id, Value(value, converter=field.db_value, unpack=False))
                                          for delivery_id, value in zip(ids, values, strict=False)])

            Delivery.update(
                status=per_delivery(Delivery.status, [r.decision.delivery_status.value for r in batch]),
                attempts=Delivery.attempts + 1,
                response_code=per_delivery(Delivery.response_code, [r.result.response_code for r in batch]),
                response_time=per_delivery(Delivery.response_time, [r.result.response_time for r in batch]),
                response_body=per_delivery(Delivery.response_body, [r.result.response_body for r in batch]),
                error=per_delivery(Delivery.error, [r.result.error for r in batch]),
                attempted_at=per_delivery(Delivery.attempted_at, [r.attempted_at for r in batch]),
                next_attempt_at=per_delivery(Delivery.next_attempt_at, [r.next_attempt_at for r in batch]),
                claim_token=None,
            ).where(Delivery.id.in_(ids)).execute()
    return changes


def _apply_to_webhooks(records: Sequence[AttemptRecord], delays: tuple[int, ...],
                       now: datetime, recovery_interval: float | None) -> list[WebhookChange]:
    by_webhook: dict[int, list[Decision]] = {}
    for r in sorted(records, key=lambda r: r.attempted_at):
        by_webhook.setdefault(r.webhook_id, []).append(r.decision)
    query = Webhook.select().where(Webhook.id.in_(sorted(by_webhook))).order_by(Webhook.id)
    if isinstance(database.obj, MySQLDatabase):
        query = query.for_update()  # read-modify-write of hot counters by several processes
    changes = []
    for webhook in query:
        before = WebhookState(WebhookStatus(webhook.status), webhook.consecutive_failures, webhook.pace_failures)
        after = lifecycle.webhook_after(before, by_webhook[webhook.id])
        if after == before and after.pace_failures == 0:
            continue  # the hot row is only written when something changes
        fields: dict = {"consecutive_failures": after.consecutive_failures, "pace_failures": after.pace_failures}
        if after.pace_failures or before.pace_failures:
            backoff = lifecycle.probe_backoff(after.pace_failures, delays)
            fields["next_probe_at"] = now + timedelta(seconds=backoff) if after.pace_failures else None
        if after.status != before.status:
            fields.update(status=after.status.value, updated_at=now)
        if after.status is WebhookStatus.FAILED and before.status is not WebhookStatus.FAILED:
            # A fresh failure: probes start over, whatever an earlier failure left behind.
            fields["recovery_probes"] = 0
            fields["recovery_probe_at"] = (recovery.first_probe_at(now, recovery_interval)
                                           if webhook.auto_recover and recovery_interval is not None else None)
        Webhook.update(**fields).where(Webhook.id == webhook.id).execute()
        if after != before:
            changes.append(WebhookChange(webhook.id, before, after))
    return changes


def _excerpt(text: str | None) -> str | None:
    return None if text is None else text[:RESPONSE_EXCERPT]


# --- putting deliveries back in line --------------------------------------------------------------

def release_held(webhook_id: int) -> int:
    """A webhook re-activated: its held deliveries are due now. Returns how many."""
    return (Delivery.update(next_attempt_at=utcnow(), claim_token=None)
            .where((Delivery.webhook_id == webhook_id) & (Delivery.status == DeliveryStatus.PENDING.value))
            .execute())


def restart(delivery_ids: Sequence[int]) -> None:
    """Send deliveries again with a fresh retry ladder (same ids, same bodies). One in flight right
    now is left to its attempt: restarting it would let a second attempt start beside it."""
    now = utcnow()
    in_flight = ((Delivery.status == DeliveryStatus.PENDING.value) & Delivery.claim_token.is_null(False)
                 & (Delivery.next_attempt_at > now))
    for part in _chunks(list(delivery_ids)):
        Delivery.update(status=DeliveryStatus.PENDING.value, attempts=0, next_attempt_at=now,
                        claim_token=None).where(Delivery.id.in_(part) & ~in_flight).execute()


def recover_failed_since(webhook_id: int, since: datetime) -> list[int]:
    """Redeliver every failed delivery of the webhook created at or after `since` (tests excluded)."""
    with write_transaction(database.obj):
        ids = [row.id for row in Delivery.select(Delivery.id).where(
            (Delivery.webhook_id == webhook_id) & (Delivery.status == DeliveryStatus.FAILED.value)
            & (Delivery.created_at >= since) & (Delivery.event != "webhook.test")
            & Delivery.erased_at.is_null()).order_by(Delivery.id)]
        restart(ids)
    return ids


def create_test_delivery(webhook: Webhook, body: bytes, event_id: str, event: str) -> Delivery:
    """A `webhook.test` delivery, logged like any other but never claimed (no next attempt)."""
    return Delivery.create(webhook_id=webhook.id, event=event, event_id=event_id, body=body.decode("utf-8"),
                           status=DeliveryStatus.PENDING.value, attempts=0, next_attempt_at=None,
                           created_at=utcnow())

