"""Open the database a URL names, and bind the models to it under WordPress's table prefix."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar
from urllib.parse import unquote, urlsplit

from peewee import ConnectionContext, Database, MySQLDatabase, OperationalError, SqliteDatabase
from playhouse.pool import PooledMySQLDatabase
from playhouse.shortcuts import ReconnectMixin

from .config import Settings
from .models import ALL_MODELS, BASE_TABLE_NAMES, database

MYSQL_TABLE_SETTINGS = ["ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci"]

# Threads of one process that may hold a connection at once: the HTTP threadpool (capped in
# app.py to this size), the delivery engine's ledger thread, Huey's doorbell thread, the pruner and spares.
HTTP_THREADS = 16
ENGINE_CONNECTIONS = 4


class _ReconnectSafeContext(ConnectionContext):
    """peewee's connection_context, but a reconnect inside the block (which resets the
    connection state, context stack included) no longer breaks the block's exit."""

    def __exit__(self, exc_type, exc_val, exc_tb):
        if self.db._state.ctx:
            self.db._state.ctx.pop()
        if not self.db._state.ctx:
            self.db.close()


class ReconnectingPooledMySQLDatabase(ReconnectMixin, PooledMySQLDatabase):
    """A pool that pings on checkout and reconnects when the server dropped the connection
    (restart, or `wait_timeout` on shared hosts: "MySQL server has gone away")."""

    def connection_context(self):
        return _ReconnectSafeContext(self)


def open_database(settings: Settings) -> Database:
    url = settings.database_url
    if url.startswith("sqlite:///"):
        db: Database = SqliteDatabase(
            url[len("sqlite:///"):],
            pragmas={"journal_mode": "wal", "busy_timeout": 15000, "synchronous": "normal"},
            autoconnect=False,
        )
    else:
        db = _mysql(url, pool_size=HTTP_THREADS + ENGINE_CONNECTIONS)
    bind(db, settings.table_prefix)
    return db


def _mysql(url: str, pool_size: int) -> MySQLDatabase:
    parts = urlsplit(url)
    host = parts.hostname or "127.0.0.1"
    options = dict(
        host=host,
        port=parts.port or 3306,
        user=unquote(parts.username or "root"),
        password=unquote(parts.password or ""),
        charset="utf8mb4",
        max_connections=pool_size,
        # Wait for a free connection rather than failing at once (the pool's default).
        timeout=30,
        # Recycle idle connections before a shared host's wait_timeout kills them.
        stale_timeout=50,
        autoconnect=False,
    )
    if host in ("127.0.0.1", "localhost", "::1"):
        # PyMySQL negotiates TLS on every connect; on loopback it only costs CPU.
        options["ssl_disabled"] = True
    return ReconnectingPooledMySQLDatabase(parts.path.lstrip("/"), **options)


def bind(db: Database, prefix: str) -> None:
    database.initialize(db)
    for model in ALL_MODELS:
        model._meta.set_table_name(prefix + BASE_TABLE_NAMES[model])
        model._meta.table_settings = MYSQL_TABLE_SETTINGS if isinstance(db, MySQLDatabase) else []


def is_mysql(db: Database) -> bool:
    return isinstance(db, MySQLDatabase)


def write_transaction(db: Database):
    """A transaction that takes SQLite's write lock at once (BEGIN IMMEDIATE): a deferred one that
    reads and then writes fails at once with "database is locked" when another connection wrote in
    between, and busy_timeout does not help it (STACK-NOTES trap 12). Intake, claims and outcome
    commits all start this way, so on the embedded default they queue for the lock instead."""
    return db.atomic("IMMEDIATE") if isinstance(db, SqliteDatabase) else db.atomic()


T = TypeVar("T")
DEADLOCK_ERRORS = (1213, 1205)  # InnoDB: deadlock, lock wait timeout (the transaction was rolled back)
DEADLOCK_RETRIES = 5


def retrying_deadlocks(work: Callable[[], T]) -> T:
    """Run a transaction again when InnoDB chose it as a deadlock victim, as InnoDB's manual asks.
    On a small table the optimizer scans rather than seeks, so statements naming a few ids can lock
    more rows than they name and two processes can deadlock; the victim was rolled back, so
    running it again is safe."""
    for attempt in range(DEADLOCK_RETRIES):
        try:
            return work()
        except OperationalError as error:
            code = error.args[0] if error.args else None
            if code not in DEADLOCK_ERRORS or attempt == DEADLOCK_RETRIES - 1:
                raise
            time.sleep(0.01 * (attempt + 1))
    raise AssertionError("unreachable")
