"""A background thread that re-queues overdue pending deliveries and forgets old event ids.

It is what makes the deliveries table, not the queue, the record: after a kill -9, a flushed
Redis or a lost SQLite queue file, every pending delivery is found here and sent.
"""

from __future__ import annotations

import logging
import threading
import time

from peewee import Database, InterfaceError, OperationalError

from . import queries
from .queue import DeliveryQueue

log = logging.getLogger("fluentcrm_webhooks.sweeper")

# A delivery is "overdue" only this long after it was due, so the sweeper does not race the
# queue's own on-time wake-ups (a race would be harmless, only wasted work: claims are atomic).
GRACE_SECONDS = 2.0
FORGET_EVERY_SECONDS = 3600.0


class Sweeper:
    def __init__(self, db: Database, queue: DeliveryQueue, interval: float) -> None:
        self.db = db
        self.queue = queue
        self.interval = interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="fcwh-sweeper", daemon=True)
        self._last_forget = 0.0

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=10)

    def sweep_once(self) -> int:
        with self.db.connection_context():
            ids = queries.overdue_delivery_ids(GRACE_SECONDS)
            if time.monotonic() - self._last_forget > FORGET_EVERY_SECONDS:
                queries.forget_old_event_ids()
                self._last_forget = time.monotonic()
        if ids:
            log.info("sweeper: re-queued %d overdue deliveries", len(ids))
            self.queue.send(ids)
        return len(ids)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.sweep_once()
            except (OperationalError, InterfaceError) as exc:  # the database may be restarting
                log.warning("sweeper: database unavailable (%s); trying again in %gs", exc, self.interval)
            except Exception:
                log.exception("sweeper: round failed; trying again in %gs", self.interval)
            self._stop.wait(self.interval)
