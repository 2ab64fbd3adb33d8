"""Assemble a running sidecar from settings: database, schema, queue, workers, sweeper."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass

from huey import Huey
from peewee import Database

from .config import Settings
from .db import open_database
from .migrations import migrate
from .queue import DeliveryQueue, create_consumer, create_huey, create_queue
from .sweeper import Sweeper


@dataclass
class Runtime:
    settings: Settings
    db: Database
    huey: Huey
    queue: DeliveryQueue

    @contextlib.contextmanager
    def delivery_workers(self):
        """Run Huey's worker threads and the sweeper for the duration of the block."""
        consumer = create_consumer(self.huey, self.settings)
        sweeper = Sweeper(self.db, self.queue, self.settings.sweep_interval)
        consumer.start()
        sweeper.start()
        try:
            yield
        finally:
            sweeper.stop()
            consumer.stop(graceful=True)


def build_runtime(settings: Settings, *, immediate: bool = False) -> Runtime:
    if settings.sqlite_path is not None:
        settings.sqlite_path.parent.mkdir(parents=True, exist_ok=True)
    db = open_database(settings)
    migrate(db)
    huey = create_huey(settings, immediate=immediate)
    queue = create_queue(settings, db, huey)
    return Runtime(settings, db, huey, queue)
