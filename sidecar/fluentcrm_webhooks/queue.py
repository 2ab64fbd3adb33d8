"""The Huey queue that wakes delivery workers, from FCWH_QUEUE_URL, and the task that sends.

Tasks carry delivery ids, never payloads; losing the queue loses nothing because the sweeper
rebuilds it from the deliveries table.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Callable

from huey import Huey, MemoryHuey, RedisHuey, SqliteHuey
from huey.consumer import Consumer
from peewee import Database

from .config import Settings
from .delivery import attempt_deliveries

log = logging.getLogger("fluentcrm_webhooks.queue")

# Deliveries handed to one task: enough to keep the per-task queue overhead small, few enough
# that the work spreads over every worker thread.
TASK_CHUNK = 20


def create_huey(settings: Settings, immediate: bool = False) -> Huey:
    url = settings.resolved_queue_url
    common = dict(results=False, utc=True, immediate=immediate)
    if url.startswith("sqlite:///"):
        return SqliteHuey("fcwh", filename=url[len("sqlite:///"):], **common)
    if url.startswith(("redis://", "rediss://")):
        return RedisHuey("fcwh", url=url, blocking=True, read_timeout=1, **common)
    return MemoryHuey("fcwh", **common)


@dataclass
class DeliveryQueue:
    """The queue plus the one task it runs; `send` is how everything else hands work over."""

    huey: Huey
    workers: int
    enqueue_ids: Callable[[list[int]], None]
    schedule_retry: Callable[[int, float], None]

    def send(self, delivery_ids: list[int]) -> None:
        """Wake workers for these (committed) deliveries. A queue that cannot be reached (Redis
        restarting) is not the caller's failure: the sweeper sends the rows once it is back."""
        try:
            for chunk in chunks(delivery_ids, self.workers):
                self.enqueue_ids(chunk)
        except Exception as error:  # redis.ConnectionError, sqlite3.OperationalError, ...
            log.warning("queue unreachable (%s): %d deliveries wait for the sweeper",
                        error.__class__.__name__, len(delivery_ids))


def chunks(ids: list[int], workers: int) -> list[list[int]]:
    """Split ids into at least `workers` tasks when there are that many, at most TASK_CHUNK each."""
    if not ids:
        return []
    size = max(1, min(TASK_CHUNK, -(-len(ids) // max(1, workers))))
    return [ids[i:i + size] for i in range(0, len(ids), size)]


def create_queue(settings: Settings, db: Database, huey: Huey) -> DeliveryQueue:
    @huey.task(name="deliver")
    def deliver(delivery_ids: list[int]) -> None:
        with db.connection_context():
            try:
                attempt_deliveries(settings, delivery_ids, schedule_retry)
            except Exception:  # the leases run out and the sweeper sends them again
                log.exception("deliveries %s: chunk crashed; the sweeper will pick them up", delivery_ids)

    def enqueue_ids(ids: list[int]) -> None:
        deliver(ids)

    def schedule_retry(delivery_id: int, delay: float) -> None:
        try:
            deliver.schedule(args=([delivery_id],), delay=delay)
        except Exception as error:  # the row holds next_attempt_at: the sweeper sends it when due
            log.warning("delivery %s: queue unreachable (%s); the sweeper will retry it",
                        delivery_id, error.__class__.__name__)

    return DeliveryQueue(huey, settings.workers, enqueue_ids, schedule_retry)


class EmbeddedConsumer(Consumer):
    """Huey's consumer run inside our own process (serve, worker): we own the signal handling."""

    def _set_signal_handlers(self) -> None:
        pass


def create_consumer(huey: Huey, settings: Settings) -> EmbeddedConsumer:
    return EmbeddedConsumer(
        huey, workers=settings.workers, worker_type="thread", periodic=False,
        # Poll an idle queue often: an event should reach its receiver well within a second.
        initial_delay=0.05, backoff=1.3, max_delay=0.5,
        check_worker_health=True, shutdown_timeout=settings.timeout + 5,
    )
