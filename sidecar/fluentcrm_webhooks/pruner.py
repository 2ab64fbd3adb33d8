"""Retention: finished deliveries (success or failed) older than their webhook's retention are
deleted with their attempts, so the delivery log (and the personal data in its bodies) stays small.

Pending deliveries, whether due, waiting for a retry or held by a paused webhook, are never pruned:
they are events not yet delivered. "Older" is by the last attempt (when the delivery finished), so
a held delivery sent today after a month's pause is kept a full retention from today.

Deletes go in batches of PRUNE_BATCH rows, each its own short transaction, with a pause after each
(at least twice as long as the batch took), and each batch waits for a gap in this process's API
requests (activity.py): intake and the ledger get the write lock between batches (SQLite), and the
database's disk and CPU go to intake first (MariaDB, where a delete also rewrites every secondary
index), so a prune of a million rows does not slow intake (docs/benchmarks.md measures it).

`serve` prunes (it sees the intake it yields to); `worker` processes do not. Several `serve`
processes may prune at once: a row deleted twice is simply gone.
"""

from __future__ import annotations

import logging
import threading
import time
from datetime import datetime, timedelta

from peewee import Database, InterfaceError, OperationalError

from .activity import REQUESTS, RequestActivity
from .background import BackgroundJob
from .config import Settings
from .db import write_transaction
from .lifecycle import DeliveryStatus
from .models import Attempt, Delivery, Webhook, database
from .timeutil import utcnow

log = logging.getLogger("fluentcrm_webhooks.pruner")

PRUNE_BATCH = 100
PRUNE_PAUSE = 0.05  # seconds between batches at least
PRUNE_DUTY = 1 / 3  # and long enough that pruning takes at most this share of the time
FIRST_PASS_AFTER = 5.0  # seconds after start, so a restart does not wait a whole interval
FINISHED = (DeliveryStatus.SUCCESS.value, DeliveryStatus.FAILED.value)


def retention_days(webhook_days: int | None, default_days: int) -> int:
    """The webhook's own retention when it sets one, else FCWH_RETENTION_DAYS; 0 keeps everything."""
    return default_days if webhook_days is None else webhook_days


def cutoff(now: datetime, days: int) -> datetime | None:
    """Finished deliveries that last changed before this are pruned; None: keep them all."""
    return None if days <= 0 else now - timedelta(days=days)


def prune(settings: Settings, now: datetime | None = None, *, batch: int = PRUNE_BATCH,
          pause: float = PRUNE_PAUSE, stop: threading.Event | None = None,
          activity: RequestActivity | None = None) -> int:
    """One pass over every webhook; returns how many deliveries were deleted. With `activity`,
    each batch waits for a gap in those requests first."""
    now = now or utcnow()
    stop = stop or threading.Event()
    deleted = 0
    for webhook in list(Webhook.select(Webhook.id, Webhook.retention_days).order_by(Webhook.id)):
        limit = cutoff(now, retention_days(webhook.retention_days, settings.retention_days))
        if limit is None:
            continue
        # Finished by an attempt: by when that attempt was. Finished without one (erased while
        # pending): by when it was recorded.
        for older in ((Delivery.attempted_at < limit),
                      (Delivery.attempted_at.is_null() & (Delivery.created_at < limit))):
            while not stop.is_set():
                if activity is not None:
                    activity.wait_for_gap(stop)
                started = time.monotonic()
                count = _delete_batch(webhook.id, older, batch)
                deleted += count
                if count < batch:
                    break
                took = time.monotonic() - started
                stop.wait(max(pause, took * (1 - PRUNE_DUTY) / PRUNE_DUTY) if pause else 0)
    return deleted


def _delete_batch(webhook_id: int, older, batch: int) -> int:
    # An erased delivery is finished whatever its status says (an attempt in flight at the erasure
    # may have scheduled a retry that is never claimed: ledger.claim skips erased rows).
    finished = Delivery.status.in_(FINISHED) | Delivery.erased_at.is_null(False)
    ids = [row.id for row in Delivery.select(Delivery.id).where(
        (Delivery.webhook_id == webhook_id) & finished & older).limit(batch)]
    if not ids:
        return 0
    with write_transaction(database.obj):
        Attempt.delete().where(Attempt.delivery_id.in_(ids)).execute()
        # Checked again: a redeliver between the read and now made it pending, so it stays.
        Delivery.delete().where(Delivery.id.in_(ids) & finished).execute()
    return len(ids)


class Pruner(BackgroundJob):
    """Runs `prune` every FCWH_PRUNE_INTERVAL on a thread of its own (never the ledger's, whose
    commits must not wait behind a long prune)."""

    thread_name = "fcwh-pruner"

    def __init__(self, settings: Settings, db: Database) -> None:
        super().__init__()
        self.settings = settings
        self.db = db

    def _run(self) -> None:
        wait = min(FIRST_PASS_AFTER, self.settings.prune_interval)
        while not self._stop.wait(wait):
            wait = self.settings.prune_interval
            try:
                with self.db.connection_context():
                    deleted = prune(self.settings, stop=self._stop, activity=REQUESTS)
                if deleted:
                    log.info("pruned %d finished deliveries past their retention", deleted)
            except (OperationalError, InterfaceError) as error:
                log.warning("prune skipped: database unavailable (%s); trying again in %g s",
                            error.__class__.__name__, wait)
            except Exception:
                log.exception("prune failed; trying again in %g s", wait)
