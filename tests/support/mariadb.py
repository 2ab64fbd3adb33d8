"""A throwaway MariaDB server: private datadir, loopback TCP port, root without password.

Started once per test session (a few seconds), stopped by its PID. It keeps the grant tables:
root@127.0.0.1 has no password, as `mariadb-install-db --auth-root-authentication-method=normal`
creates it.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pymysql

from .net import free_port
from .processes import ManagedProcess
from .waiting import wait_until

SERVER_BINARIES = ("mariadb-install-db", "mariadbd")


def _find(name: str) -> str | None:
    # Debian puts mariadbd in /usr/sbin, which a non-root PATH may lack.
    return shutil.which(name, path=os.environ.get("PATH", "") + os.pathsep + "/usr/sbin:/usr/local/sbin")


def missing_binaries() -> list[str]:
    """The MariaDB server commands that are not installed."""
    return [name for name in SERVER_BINARIES if _find(name) is None]


def _binary(name: str) -> str:
    found = _find(name)
    if found is None:
        raise FileNotFoundError(f"{name} is not installed (apt-get install mariadb-server)")
    return found


class MariaDBServer:
    def __init__(self, base_dir: Path) -> None:
        self.base_dir = base_dir
        self.datadir = base_dir / "data"
        self.socket = base_dir / "mariadb.sock"
        self.port = 0
        self.process: ManagedProcess | None = None

    # -- lifecycle -------------------------------------------------------------------------------
    def install(self) -> None:
        self.base_dir.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [_binary("mariadb-install-db"), "--no-defaults", "--auth-root-authentication-method=normal",
             f"--datadir={self.datadir}", "--user=root", "--skip-test-db"],
            check=True, stdin=subprocess.DEVNULL, capture_output=True, timeout=120,
        )

    def start(self, attempts: int = 3) -> None:
        """Start on the same port as before (restart), or on a new free port the first time."""
        for _ in range(attempts):
            if not self.port:
                self.port = free_port()
            # Its own temporary directory: a cleaner of /tmp cannot pull a temporary table away mid-query.
            tmpdir = self.base_dir / "tmp"
            tmpdir.mkdir(parents=True, exist_ok=True)
            self.process = ManagedProcess(
                [_binary("mariadbd"), "--no-defaults", "--user=root", f"--datadir={self.datadir}", f"--tmpdir={tmpdir}",
                 f"--socket={self.socket}", f"--port={self.port}", "--bind-address=127.0.0.1",
                 f"--pid-file={self.base_dir / 'mariadb.pid'}", "--skip-name-resolve", "--skip-log-bin",
                 "--innodb-buffer-pool-size=64M", "--innodb-flush-log-at-trx-commit=2"],
                cwd=self.base_dir, env=os.environ, log_path=self.base_dir / "mariadb.log",
            )
            self.process.start()
            if self._wait_ready():
                return
            if "Address already in use" in self.process.log_text():
                self.port = 0  # someone took the port between free_port() and the bind: pick another
                continue
            break
        raise RuntimeError(f"MariaDB did not start; its log:\n{self.process.log_tail()}")

    def _wait_ready(self, timeout: float = 60.0) -> bool:
        def ready() -> bool:
            if not self.process.running:
                return True  # stop waiting; the caller sees it is not running
            try:
                self.connect().close()
                return True
            except pymysql.err.OperationalError:
                return False

        wait_until(ready, timeout=timeout, interval=0.2, message="MariaDB to accept connections")
        return self.process.running

    def stop(self) -> None:
        if self.process is not None:
            self.process.stop(timeout=60)

    def restart(self) -> None:
        """Stop and start again on the same port and datadir (clients must reconnect)."""
        self.stop()
        self.start()

    # -- use -------------------------------------------------------------------------------------
    def connect(self, database: str | None = None) -> pymysql.connections.Connection:
        return pymysql.connect(host="127.0.0.1", port=self.port, user="root", database=database,
                               charset="utf8mb4", autocommit=True, connect_timeout=5)

    def sql(self, query: str, args: Any = None, database: str | None = None) -> tuple:
        """Run one statement and return its rows (empty for statements without a result)."""
        connection = self.connect(database)
        try:
            with connection.cursor() as cursor:
                cursor.execute(query, args)
                return cursor.fetchall()
        finally:
            connection.close()

    def create_database(self, name: str) -> str:
        """A fresh, empty utf8mb4 database (dropped first if it exists); returns its URL."""
        if not re.fullmatch(r"[A-Za-z0-9_]{1,64}", name):
            raise ValueError(f"database name {name!r}: letters, digits and underscores only")
        self.sql(f"DROP DATABASE IF EXISTS `{name}`")
        self.sql(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci")
        return self.url(name)

    def url(self, database: str) -> str:
        return f"mysql://root@127.0.0.1:{self.port}/{database}"
