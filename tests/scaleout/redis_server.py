"""A throwaway `redis-server` on a loopback port, without persistence, stopped by its PID.

Without persistence (`--save ''`, `--appendonly no`) a restart empties it: exactly the "queue
lost" case the deliveries table must survive.
"""

from __future__ import annotations

import shutil
import socket
from pathlib import Path

from tests.support.net import free_port
from tests.support.processes import ManagedProcess
from tests.support.waiting import wait_until


def redis_binary() -> str | None:
    return shutil.which("redis-server", path="/usr/bin:/usr/local/bin:/usr/sbin")


class RedisServer:
    def __init__(self, base_dir: Path) -> None:
        self.base_dir = base_dir
        self.port = 0
        self.process: ManagedProcess | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> "RedisServer":
        """Start on the same port as before (a restart), or on a free port the first time."""
        binary = redis_binary()
        if binary is None:
            raise FileNotFoundError("redis-server")
        self.base_dir.mkdir(parents=True, exist_ok=True)
        if not self.port:
            self.port = free_port()
        self.process = ManagedProcess(
            [binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--dir", str(self.base_dir), "--daemonize", "no", "--protected-mode", "yes"],
            cwd=self.base_dir, env={"PATH": "/usr/bin:/bin"}, log_path=self.base_dir / "redis.log")
        self.process.start()
        wait_until(self._ready, timeout=30, interval=0.05,
                   message=lambda: f"redis-server on port {self.port}; log:\n{self.process.log_tail()}")
        return self

    def _ready(self) -> bool:
        if not self.process.running:
            raise RuntimeError(f"redis-server exited; log:\n{self.process.log_tail()}")
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=1) as sock:
                sock.sendall(b"PING\r\n")
                return sock.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def stop(self) -> None:
        if self.process is not None:
            self.process.stop()

    def restart(self) -> None:
        """Stop and start empty on the same port (no persistence: every queued task is gone)."""
        self.stop()
        self.start()
