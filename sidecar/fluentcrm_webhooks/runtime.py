"""Assemble a running sidecar from settings: database, schema, delivery engine, doorbell."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass

from huey import Huey
from peewee import Database

from .config import Settings
from .db import open_database
from .engine import Engine
from .migrations import migrate
from .queue import Doorbell, create_consumer, create_huey


@dataclass
class Runtime:
    settings: Settings
    db: Database
    huey: Huey
    engine: Engine
    doorbell: Doorbell

    @contextlib.contextmanager
    def delivery_workers(self):
        """Run the delivery engine and the doorbell's consumer for the duration of the block."""
        consumer = create_consumer(self.huey)
        consumer.start()
        self.engine.start()
        try:
            yield
        finally:
            self.engine.stop()
            consumer.stop(graceful=True)


def build_runtime(settings: Settings, *, immediate: bool = False) -> Runtime:
    if settings.sqlite_path is not None:
        settings.sqlite_path.parent.mkdir(parents=True, exist_ok=True)
    db = open_database(settings)
    migrate(db)
    huey = create_huey(settings, immediate=immediate)
    engine = Engine(settings, db)
    return Runtime(settings, db, huey, engine, Doorbell(huey, engine.wake))
