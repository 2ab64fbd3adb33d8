"""Assemble a running sidecar from settings: database, schema, delivery engine, doorbell."""

from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass
from pathlib import Path

from huey import Huey
from peewee import Database

from . import metrics
from .config import Settings
from .db import open_database
from .engine import Engine
from .handover import HandOver
from .handover import enabled as handover_enabled
from .intake import IntakeResult
from .migrations import migrate
from .pruner import Pruner
from .queue import Doorbell, create_consumer, create_huey


@dataclass
class Runtime:
    settings: Settings
    db: Database
    huey: Huey
    engine: Engine
    doorbell: Doorbell

    @contextlib.contextmanager
    def delivery_workers(self, prune: bool = True, handover: bool = True):
        """Run the delivery engine, the doorbell's consumer and (for `serve`) the pruner and the
        hand-over from the plugin's outbox table for the duration of the block."""
        consumer = create_consumer(self.huey)
        consumer.start()
        self.engine.start()
        pruner = Pruner(self.settings, self.db) if prune else None
        if pruner is not None:
            pruner.start()
        taker = None
        if handover and handover_enabled(self.settings.handover, self.db):
            taker = HandOver(self.db, self.settings.table_prefix, self.settings.handover_interval, self.recorded)
            taker.start()
        try:
            yield
        finally:
            if taker is not None:
                taker.stop()
            if pruner is not None:
                pruner.stop()
            self.engine.stop()
            consumer.stop(graceful=True)


    def recorded(self, result: IntakeResult) -> None:
        """After events from the hand-over are committed: what POST /v2/events does after intake."""
        metrics.observe_intake(result.accepted, result.duplicates, result.deliveries)
        if result.to_send:
            self.doorbell.ring()


def keep_private(path: Path) -> None:
    """Create the SQLite file 0600 (or make an existing one so) before SQLite opens it: SQLite gives
    its -wal and -shm files the main file's mode, so they are private too."""
    path.parent.mkdir(parents=True, exist_ok=True)
    os.close(os.open(path, os.O_RDWR | os.O_CREAT, 0o600))
    for part in (path, Path(f"{path}-wal"), Path(f"{path}-shm"), Path(f"{path}-journal")):
        if part.exists():
            os.chmod(part, 0o600)


def build_runtime(settings: Settings, *, immediate: bool = False) -> Runtime:
    if settings.sqlite_path is not None:
        settings.sqlite_path.parent.mkdir(parents=True, exist_ok=True)
        keep_private(settings.sqlite_path)  # it holds the webhooks' secrets, like the token file
    queue_url = settings.resolved_queue_url
    if queue_url.startswith("sqlite:///") and not immediate:
        keep_private(Path(queue_url[len("sqlite:///"):]))
    db = open_database(settings)
    migrate(db)
    huey = create_huey(settings, immediate=immediate)
    engine = Engine(settings, db)
    return Runtime(settings, db, huey, engine, Doorbell(huey, engine.wake))
