"""The webhooks table: create, read, update, delete, and what the API shows beside each webhook
(its last delivery, its held deliveries), read for many webhooks at once. SQL only."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import timedelta
from typing import Any, cast

from peewee import fn

from . import custom_headers, ledger, subscription_times
from .db import write_transaction
from .events import TEST_EVENT
from .lifecycle import DeliveryStatus, WebhookStatus
from .models import Attempt, Delivery, Webhook, database
from .timeutil import utcnow


def all_webhooks() -> list[Webhook]:
    return list(Webhook.select().order_by(Webhook.id))


def find_webhook(webhook_id: int) -> Webhook | None:
    return Webhook.get_or_none(Webhook.id == webhook_id)


def create_webhook(*, name: str, url: str, events: list[str], status: str, secret: str,
                   max_concurrency: int | None = None, ordered: bool = False,
                   retention_days: int | None = None, headers: dict[str, str] | None = None,
                   conditions: dict[str, Any] | None = None, auto_recover: bool = True) -> Webhook:
    now = utcnow()
    return Webhook.create(name=name, url=url, events=json.dumps(events), status=status, secret=secret,
                          consecutive_failures=0, created_at=now, updated_at=now,
                          max_concurrency=max_concurrency, ordered=ordered, pace_failures=0,
                          retention_days=retention_days, headers=custom_headers.encode_for_storage(headers),
                          conditions=_encode_conditions(conditions), auto_recover=auto_recover,
                          recovery_probes=0,
                          event_subscribed_at=subscription_times.encode(
                              subscription_times.after_change({}, events, now)))


def _encode_conditions(conditions: dict[str, Any] | None) -> str | None:
    return json.dumps(conditions) if conditions else None


def update_webhook(webhook: Webhook, changes: dict[str, Any]) -> int:
    """Apply validated changes; return how many held deliveries were released (re-activated).
    A new secret needs nothing else: deliveries are signed when they are sent. Probing turned on
    for a webhook already failed is planned by the engine's recovery loop (recovery_store.py)."""
    released = 0
    now = utcnow()
    with write_transaction(database.obj):
        becomes_active = (changes.get("status") == WebhookStatus.ACTIVE.value
                          and webhook.status != WebhookStatus.ACTIVE.value)
        status_changes = "status" in changes and changes["status"] != webhook.status
        if "secret" in changes and changes["secret"] != webhook.secret:
            # A secret set outright replaces at once (rotate_secret is the way with an overlap): a
            # secret rotated away because it leaked must not keep signing.
            webhook.previous_secret = None
            webhook.previous_secret_expires_at = None
        for field, value in changes.items():
            if field == "events":
                webhook.event_subscribed_at = subscription_times.encode(subscription_times.after_change(
                    subscription_times.decode(webhook.event_subscribed_at), value, now))
                value = json.dumps(value)
            elif field == "headers":
                value = custom_headers.encode_for_storage(value)
            elif field == "conditions":
                value = _encode_conditions(value)
            setattr(webhook, field, value)
        if changes.get("status") == WebhookStatus.ACTIVE.value:
            webhook.consecutive_failures = 0
        if becomes_active:
            # A fresh start: whatever paced it before the pause is old news.
            webhook.pace_failures = 0
            webhook.next_probe_at = None
        if status_changes or changes.get("auto_recover") is False:
            # Someone decided about a failed webhook (or turned probing off): stop probing it.
            # (A recovery probe's own re-activation comes through here too.)
            webhook.recovery_probe_at = None
            webhook.recovery_probes = 0
        webhook.updated_at = now
        webhook.save()
        if becomes_active:
            released = ledger.release_held(webhook.id)
    return released


def rotate_secret(webhook: Webhook, new_secret: str, overlap_seconds: int) -> None:
    """The new secret signs from now; the one it replaces still signs beside it for `overlap_seconds`
    (0: dropped at once). Rotating again within an overlap drops the oldest: two secrets at most."""
    now = utcnow()
    with write_transaction(database.obj):
        webhook.previous_secret = webhook.secret if overlap_seconds > 0 else None
        webhook.previous_secret_expires_at = now + timedelta(seconds=overlap_seconds) if overlap_seconds > 0 else None
        webhook.secret = new_secret
        webhook.updated_at = now
        webhook.save()


def delete_webhook(webhook: Webhook) -> None:
    with write_transaction(database.obj):
        delivery_ids = Delivery.select(Delivery.id).where(Delivery.webhook_id == webhook.id)
        Attempt.delete().where(Attempt.delivery_id.in_(delivery_ids)).execute()
        Delivery.delete().where(Delivery.webhook_id == webhook.id).execute()
        webhook.delete_instance()


def last_deliveries(webhook_ids: Sequence[int]) -> dict[int, Delivery]:
    """Each webhook's most recently attempted delivery that is not a test, in two queries for any
    number of webhooks."""
    if not webhook_ids:
        return {}
    # Test sends (POST /test, recovery probes) say nothing about how real deliveries go.
    real = Delivery.event != TEST_EVENT
    latest = (Delivery.select(Delivery.webhook_id, fn.MAX(Delivery.attempted_at).alias("latest"))
              .where(Delivery.webhook_id.in_(list(webhook_ids)) & Delivery.attempted_at.is_null(False) & real)
              .group_by(Delivery.webhook_id))
    # Aliased columns are not on the model's type: read them as Any.
    wanted = {(row.webhook_id, str(cast(Any, row).latest)) for row in latest.objects()}
    if not wanted:
        return {}
    fields = [Delivery.id, Delivery.webhook_id, Delivery.event, Delivery.status, Delivery.response_code,
              Delivery.attempted_at]
    found: dict[int, Delivery] = {}
    candidates = Delivery.select(*fields).where(
        Delivery.webhook_id.in_(sorted({w for w, _ in wanted}))
        & Delivery.attempted_at.in_(sorted({t for _, t in wanted})) & real)
    for row in candidates:
        if (row.webhook_id, str(row.attempted_at)) in wanted:
            best = found.get(row.webhook_id)
            if best is None or row.id > best.id:
                found[row.webhook_id] = row
    return found


def held_counts(webhooks: Sequence[Webhook]) -> dict[int, int]:
    """Pending deliveries not being sent because their webhook is not active, per webhook."""
    waiting = [w.id for w in webhooks if w.status != WebhookStatus.ACTIVE.value]
    if not waiting:
        return {}
    rows = (Delivery.select(Delivery.webhook_id, fn.COUNT(Delivery.id).alias("held"))
            .where(Delivery.webhook_id.in_(waiting) & (Delivery.status == DeliveryStatus.PENDING.value))
            .group_by(Delivery.webhook_id))
    return {row.webhook_id: cast(Any, row).held for row in rows.objects()}
