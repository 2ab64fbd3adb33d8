"""The doorbell between processes: a Huey task that tells delivery engines "new work is due".

The deliveries table is the queue (ledger.py); a wake-up task carries nothing. Intake in `serve`
wakes its own engine directly, and rings the doorbell for `worker` processes elsewhere
(FCWH_QUEUE_URL: a SQLite file for one host, Redis for several). A lost doorbell costs only
latency: every engine looks at the table every FCWH_SWEEP_INTERVAL anyway.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from huey import Huey, MemoryHuey, RedisHuey, SqliteHuey
from huey.consumer import Consumer

from .config import Settings

log = logging.getLogger("fluentcrm_webhooks.queue")

# Rings closer together than this share one wake-up task: a burst of batches is one ring.
RING_EVERY = 0.05


def create_huey(settings: Settings, immediate: bool = False) -> Huey:
    url = settings.resolved_queue_url
    common = dict(results=False, utc=True, immediate=immediate)
    if url.startswith("sqlite:///"):
        return SqliteHuey("fcwh", filename=url[len("sqlite:///"):], **common)
    if url.startswith(("redis://", "rediss://")):
        return RedisHuey("fcwh", url=url, blocking=True, read_timeout=1, **common)
    return MemoryHuey("fcwh", **common)


class Doorbell:
    """`ring()` after committing work: wakes this process's engine now and the others soon."""

    def __init__(self, huey: Huey, wake_local: Callable[[], None]) -> None:
        self.huey = huey
        self._wake_local = wake_local
        self._last_ring = 0.0
        self._lock = threading.Lock()
        self._unreachable = False

        @huey.task(name="wake")
        def wake() -> None:
            wake_local()

        self._task = wake

    def ring(self) -> None:
        self._wake_local()
        with self._lock:
            if time.monotonic() - self._last_ring < RING_EVERY:
                return
            self._last_ring = time.monotonic()
        try:
            self._task()
            self._unreachable = False
        except Exception as error:  # redis.ConnectionError, sqlite3.OperationalError, ...
            if not self._unreachable:  # once per outage, not once per batch
                log.warning("queue unreachable (%s): other processes find the new work on their next look",
                            error.__class__.__name__)
            self._unreachable = True


class EmbeddedConsumer(Consumer):
    """Huey's consumer run inside our own process (serve, worker): we own the signal handling."""

    def _set_signal_handlers(self) -> None:
        pass


def create_consumer(huey: Huey) -> EmbeddedConsumer:
    # One thread is plenty: a wake-up task only sets an event.
    return EmbeddedConsumer(huey, workers=1, worker_type="thread", periodic=False,
                            initial_delay=0.05, backoff=1.3, max_delay=0.5,
                            check_worker_health=True, shutdown_timeout=2)
