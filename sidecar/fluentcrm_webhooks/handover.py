"""The hand-over: events the plugin left in its outbox table, taken from the WordPress database
this sidecar shares (docs/outbox.md, "The hand-over").

When the sidecar keeps its tables in the WordPress database (MySQL, the same table prefix), the
plugin need not call it at all: at the end of a request it writes the request's events into
`{prefix}fcwh_outbox` in one multi-row INSERT (wp-plugin/includes/handover.php) and is done.
`serve` looks at that table every FCWH_HANDOVER_INTERVAL (0.2 s) and, for the pending rows, in ONE
transaction: locks them (only them, at READ COMMITTED: the plugin's INSERTs of new rows never wait
for a take; see OutboxTable), records
their deliveries (intake.record_events, the same function POST /v2/events calls: event ids seen
before are dropped there) and deletes them. Either all of it commits or none: an event is in the
outbox or recorded, never both and never neither, whatever stops in between (the process killed,
the database gone).

Rows a copy of the site wrote `held` (before its sidecar confirmed the pause: staging.php) are not
pending, so they are not taken until the plugin puts them back in line.

A row whose event cannot be read (not JSON, an event type this sidecar does not know) is marked
`rejected`, as the plugin marks an event POST /v2/events refuses; a row that fails on its own while
the database works gets a strike, waits FCWH_OUTBOX_RETRY_PAUSE, and at the fifth strike is
`set_aside` (the plugin's rules, wp-plugin/includes/outbox.php). A database that is down costs no
row a strike: the look simply fails and is tried again.

The plugin learns that this path is open from the `handover` row of `fcwh_state`, which this
module writes every HEARTBEAT_EVERY seconds while it takes the table; a row older than the plugin's
limit (2 minutes) sends the plugin back to POST /v2/events.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from peewee import Database, InterfaceError, OperationalError, ProgrammingError

from . import errors, validation
from .api.plumbing import parse_json_body
from .background import BackgroundJob
from .db import is_mysql, retrying_deadlocks
from .events import IncomingEvent
from .intake import IntakeResult, record_events
from .models import SidecarState
from .timeutil import utcnow

log = logging.getLogger("fluentcrm_webhooks.handover")

OUTBOX_TABLE = "fcwh_outbox"  # the plugin's table, under the same prefix as ours
STATE_KEY = "handover"
READ_SIZE = 500  # rows per transaction, as the plugin's own flush reads them
HEARTBEAT_EVERY = 30.0  # seconds between refreshes of the `handover` state row
TABLE_CHECK_EVERY = 10.0  # seconds between looks for the plugin's table while it does not exist
MAX_TRIES = 5  # the plugin's FCWH_OUTBOX_MAX_TRIES
RETRY_PAUSE = 30  # the plugin's FCWH_OUTBOX_RETRY_PAUSE, seconds
PENDING, REJECTED, SET_ASIDE = "pending", "rejected", "set_aside"  # "held": a copy of the site, not taken
TAKE_ISOLATION = "READ COMMITTED"
BINLOG_REFUSES_ISOLATION = 1665  # ER_BINLOG_STMT_MODE_AND_ROW_ENGINE: binlog_format=STATEMENT


@dataclass(frozen=True)
class OutboxRow:
    id: int
    payload: str


@dataclass(frozen=True)
class Take:
    """What one look at the table did."""

    rows: int  # rows read
    result: IntakeResult | None  # what intake recorded (None: nothing to record)
    rejected: int
    struck: int


def read_event(payload: str) -> IncomingEvent | str:
    """The row's event, checked as POST /v2/events checks one; or why it cannot be taken. Pure."""
    try:
        document = parse_json_body(payload.encode("utf-8"))
        [event] = validation.events_batch({"events": [document]})
    except errors.ApiError as error:  # what POST /v2/events would have answered (400)
        params = error.data.get("params")
        return (error.message + (" " + json.dumps(params) if params else ""))[:1000]
    except UnicodeError:
        return "the event is not valid UTF-8"
    return event


def outbox_table(prefix: str) -> str:
    return prefix + OUTBOX_TABLE


class OutboxTable:
    """The SQL on the plugin's table (its schema: wp-plugin/includes/outbox.php).

    The transaction that takes rows runs at READ COMMITTED: under InnoDB's default REPEATABLE READ,
    locking the newest rows (even by primary key) also locks the gap after them, and the plugin's
    INSERT of the next request's events would wait for the take to commit: time a visitor waits.
    At READ COMMITTED only the rows named are locked. A server whose binary log is in STATEMENT
    format refuses writes at that level (error 1665); the take then falls back to the default.
    """

    def __init__(self, db: Database, prefix: str) -> None:
        self.db = db
        self.name = outbox_table(prefix)
        self.isolation: str | None = TAKE_ISOLATION

    def exists(self) -> bool:
        cursor = self.db.execute_sql("SELECT 1 FROM information_schema.tables WHERE table_schema = DATABASE() "
                                     "AND table_name = %s", (self.name,))
        return cursor.fetchone() is not None

    def due(self, limit: int) -> list[OutboxRow]:
        """Pending rows, oldest first; a row struck earlier waits out its pause. A plain read: the
        rows are locked only in the transaction that takes them."""
        paused = utcnow() - timedelta(seconds=RETRY_PAUSE)
        cursor = self.db.execute_sql(
            f"SELECT id, payload FROM `{self.name}` WHERE status = %s AND (strikes = 0 OR last_attempt_at <= %s) "
            "ORDER BY id LIMIT %s", (PENDING, paused, limit))
        return [OutboxRow(int(row[0]), row[1]) for row in cursor.fetchall()]

    def lock(self, ids: list[int]) -> set[int]:
        """Lock these rows (record locks by primary key: no gap lock, so the plugin's INSERTs go on)
        and return the ones still pending: a concurrent taker or the plugin's own flush may have
        taken some already."""
        cursor = self.db.execute_sql(
            f"SELECT id FROM `{self.name}` WHERE id IN ({_placeholders(ids)}) AND status = %s FOR UPDATE",
            (*ids, PENDING))
        return {int(row[0]) for row in cursor.fetchall()}

    def delete(self, ids: list[int]) -> None:
        self.db.execute_sql(f"DELETE FROM `{self.name}` WHERE id IN ({_placeholders(ids)})", tuple(ids))

    def mark(self, ids: list[int], status: str, error: str) -> None:
        self.db.execute_sql(
            f"UPDATE `{self.name}` SET status = %s, attempts = attempts + 1, last_error = %s, last_attempt_at = %s "
            f"WHERE id IN ({_placeholders(ids)})", (status, error[:1000], utcnow(), *ids))

    def strike(self, row_id: int, error: str) -> bool:
        """One failure against a row; set aside at the MAX_TRIES-th. Returns whether it now is."""
        with self.db.atomic():
            self.db.execute_sql(
                f"UPDATE `{self.name}` SET strikes = strikes + 1, attempts = attempts + 1, last_error = %s, "
                "last_attempt_at = %s WHERE id = %s", (error[:1000], utcnow(), row_id))
            cursor = self.db.execute_sql(
                f"UPDATE `{self.name}` SET status = %s WHERE id = %s AND strikes >= %s", (SET_ASIDE, row_id, MAX_TRIES))
            return bool(cursor.rowcount)


def _placeholders(ids: list[int]) -> str:
    return ", ".join(["%s"] * len(ids))


def take(table: OutboxTable, limit: int = READ_SIZE) -> Take:
    """One look: read what is due, set apart what cannot be read, and take the rest in one
    transaction with their deliveries. A batch that fails is taken row by row, so one row that
    trips the database up cannot hold the others back."""
    rows = table.due(limit)
    if not rows:
        return Take(0, None, 0, 0)
    events: dict[int, IncomingEvent] = {}
    unreadable: dict[str, list[int]] = {}
    for row in rows:
        event = read_event(row.payload)
        if isinstance(event, str):
            unreadable.setdefault(event, []).append(row.id)
        else:
            events[row.id] = event
    for why, ids in unreadable.items():
        table.mark(ids, REJECTED, why)
        log.warning("hand-over: %d event(s) in %s cannot be taken (%s); marked rejected", len(ids), table.name, why)
    rejected = sum(len(ids) for ids in unreadable.values())
    if not events:
        return Take(len(rows), None, rejected, 0)
    try:
        return Take(len(rows), _take_together(table, events), rejected, 0)
    except (OperationalError, InterfaceError):
        raise  # the database is away: nobody's fault, the rows wait as they are
    except Exception:
        log.exception("hand-over: a batch of %d events failed; taking them one by one", len(events))
    results, struck = [], 0
    for row_id, event in events.items():
        try:
            results.append(_take_together(table, {row_id: event}))
        except (OperationalError, InterfaceError):
            raise
        except Exception as error:
            struck += 1
            if table.strike(row_id, f"{error.__class__.__name__}: {error}"):
                log.error("hand-over: event %s failed %d times; set aside in %s", event.id, MAX_TRIES, table.name)
    return Take(len(rows), _sum(results), rejected, struck)


def _take_together(table: OutboxTable, events: dict[int, IncomingEvent]) -> IntakeResult:
    """Lock the rows, record their events' deliveries, delete the rows: one transaction. A row
    another taker (a second `serve`) or the plugin's own flush got first is no longer pending, or
    gone: it is left out, and an event recorded twice all the same is dropped by its id."""
    def transaction() -> IntakeResult:
        with table.db.atomic(isolation_level=table.isolation):
            present = table.lock(list(events))
            taken = [event for row_id, event in events.items() if row_id in present]
            result = record_events(taken) if taken else IntakeResult(accepted=0, duplicates=0, deliveries=0, to_send=0)
            if present:
                table.delete(sorted(present))
            return result

    try:
        return retrying_deadlocks(transaction)
    except Exception as error:
        if table.isolation is None or not error.args or error.args[0] != BINLOG_REFUSES_ISOLATION:
            raise
        log.warning("hand-over: the binary log (binlog_format=STATEMENT) refuses READ COMMITTED; taking rows at "
                    "the server's default isolation, so a take may hold up the plugin's INSERT until it commits")
        table.isolation = None
        return retrying_deadlocks(transaction)


def _sum(results: list[IntakeResult]) -> IntakeResult | None:
    if not results:
        return None
    return IntakeResult(**{name: sum(getattr(r, name) for r in results)
                           for name in ("accepted", "duplicates", "deliveries", "to_send")})


def heartbeat(table: OutboxTable) -> None:
    """Tell the plugin (which reads this row from the same database) that its table is taken."""
    value = json.dumps({"table": table.name})
    now = utcnow()
    SidecarState.insert(key=STATE_KEY, value=value, updated_at=now).on_conflict(
        update={SidecarState.value: value, SidecarState.updated_at: now}).execute()


def enabled(mode: str, db: Database) -> bool:
    """FCWH_HANDOVER=auto takes the plugin's table on MySQL (the WordPress database); SQLite can
    never be WordPress's database, so events come only through POST /v2/events there."""
    return mode == "auto" and is_mysql(db)


class HandOver(BackgroundJob):
    """The look at the plugin's table, on a thread of its own. `recorded` is told what each take
    recorded, after its commit (to ring the doorbell and count it, as POST /v2/events does)."""

    thread_name = "fcwh-handover"

    def __init__(self, db: Database, prefix: str, interval: float, recorded: Callable[[IntakeResult], Any]) -> None:
        super().__init__()
        self.table = OutboxTable(db, prefix)
        self.interval = interval
        self.recorded = recorded
        self._away = False

    def _run(self) -> None:
        table_seen = False
        next_heartbeat = 0.0
        next_table_check = 0.0
        wait = 0.0
        while not self._stop.wait(wait):
            wait = self.interval
            try:
                with self.table.db.connection_context():
                    if not table_seen:
                        if time.monotonic() < next_table_check:
                            continue
                        next_table_check = time.monotonic() + TABLE_CHECK_EVERY
                        table_seen = self.table.exists()
                        if not table_seen:
                            continue
                        log.info("hand-over: taking the events the plugin leaves in %s", self.table.name)
                    if time.monotonic() >= next_heartbeat:
                        heartbeat(self.table)
                        next_heartbeat = time.monotonic() + HEARTBEAT_EVERY
                    taken = take(self.table)
                if self._away:
                    log.info("hand-over: the database answers again")
                    self._away = False
                if taken.result is not None and taken.result.accepted + taken.result.duplicates:
                    self.recorded(taken.result)
                if taken.rows >= READ_SIZE:
                    wait = 0.0  # a backlog: the next read at once
            except ProgrammingError as error:
                if not _missing_table(error):
                    log.exception("hand-over: look at %s failed; trying again", self.table.name)
                table_seen = False  # dropped (the plugin was deleted): look for it again later
                wait = max(self.interval, 1.0)
            except (OperationalError, InterfaceError) as error:
                if not self._away:
                    log.warning("hand-over: database unavailable (%s); the events wait in %s",
                                error.__class__.__name__, self.table.name)
                    self._away = True
                wait = max(self.interval, 1.0)
            except Exception:
                log.exception("hand-over: look at %s failed; trying again", self.table.name)
                wait = max(self.interval, 1.0)


def _missing_table(error: Exception) -> bool:
    return bool(error.args) and error.args[0] == 1146  # ER_NO_SUCH_TABLE
