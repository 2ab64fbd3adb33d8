"""Is this process ready to do its work: the database answers, the queue answers, and the delivery
workers are alive. /healthz answers it (api/health.py; a `worker` on FCWH_METRICS_PORT too).

- database: `SELECT 1` on a connection of the pool.
- queue: the doorbell's storage answers a length query (Redis LLEN, or a COUNT on the SQLite file),
  on a thread of its own under QUEUE_DEADLINE, so a Redis that drops packets cannot hold the
  request threads: while one probe hangs, the next answer is "error" at once, no second one starts.
- workers: the delivery engine's two threads are alive and come round. The ledger thread's round
  takes milliseconds (up to a database timeout); the sender loop beats every second. Either silent
  for STALLED_AFTER means no delivery moves: "stalled". Stopped, or a thread dead: "stopped".
Each part says "ok" or what is wrong; the whole is 200 only when all are ok, else 503.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from typing import Any

from .engine import Vitals

log = logging.getLogger("fluentcrm_webhooks.health")

OK = "ok"
ERROR = "error"
STOPPED = "stopped"  # the engine was stopped, or one of its threads died
STALLED = "stalled"  # its threads are alive but one has not come round for STALLED_AFTER
NONE = "none"  # this process runs no delivery workers (an app built without them)
WORKER_STATES = (OK, STOPPED, STALLED, NONE)
STALLED_AFTER = 120.0  # seconds: longer than any database wait a round may sit in (the pool's 30 s, InnoDB's 50 s)
QUEUE_DEADLINE = 3.0


@dataclass(frozen=True)
class Readiness:
    database: str
    queue: str
    workers: str

    @property
    def ok(self) -> bool:
        return self.database == OK and self.queue == OK and self.workers in (OK, NONE)

    def document(self, version: str) -> dict[str, str]:
        return {"status": OK if self.ok else ERROR, "database": self.database, "queue": self.queue,
                "workers": self.workers, "version": version}


def workers_state(vitals: Vitals | None, stalled_after: float = STALLED_AFTER) -> str:
    if vitals is None:
        return NONE
    if not vitals.running:
        return STOPPED
    if vitals.round_busy_for is not None and vitals.round_busy_for > stalled_after:
        return STALLED
    if vitals.loop_silent_for is None or vitals.loop_silent_for > stalled_after:
        return STALLED
    return OK


def database_state(db) -> str:
    try:
        with db.connection_context():
            db.execute_sql("SELECT 1")
        return OK
    except Exception as exc:  # any driver error means "not ready", said in the log once per probe
        log.warning("health check: database unreachable: %s", exc.__class__.__name__)
        return ERROR


class QueueProbe:
    """Asks the queue on a daemon thread of its own (never joined, so a hung probe cannot hold up
    the process's exit), never more than one question at a time."""

    def __init__(self, deadline: float = QUEUE_DEADLINE) -> None:
        self.deadline = deadline
        self._running: threading.Thread | None = None
        self._lock = threading.Lock()

    def state(self, huey: Any) -> str:
        outcome: list[BaseException | None] = []
        answered = threading.Event()

        def ask() -> None:
            try:
                huey.storage.queue_size()
                outcome.append(None)
            except BaseException as exc:  # reported to the caller, not raised in this thread
                outcome.append(exc)
            finally:
                answered.set()

        with self._lock:
            if self._running is not None and self._running.is_alive():
                log.warning("health check: the queue has not answered the last probe yet")
                return ERROR
            self._running = threading.Thread(target=ask, name="fcwh-queue-probe", daemon=True)
            self._running.start()
        if not answered.wait(self.deadline):
            log.warning("health check: the queue did not answer within %g s", self.deadline)
            return ERROR
        if outcome[0] is not None:  # redis.ConnectionError, sqlite3.OperationalError, ...
            log.warning("health check: queue unreachable: %s", outcome[0].__class__.__name__)
            return ERROR
        return OK


QUEUE_PROBE = QueueProbe()  # one queue per process, so one probe thread


def readiness(db, huey: Any, engine) -> Readiness:
    """Blocking (database and queue round trips): call it from a worker thread."""
    return Readiness(database_state(db), QUEUE_PROBE.state(huey),
                     workers_state(engine.vitals() if engine is not None else None))
