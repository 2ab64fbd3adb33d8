"""A child process with its output in a log file, in a session of its own.

Stopping it stops its whole process group: `php -S` with PHP_CLI_SERVER_WORKERS forks workers
that outlive a parent killed alone.
"""

from __future__ import annotations

import os
import signal
import subprocess
from pathlib import Path
from typing import Mapping, Sequence


class ManagedProcess:
    def __init__(self, argv: Sequence[str], *, cwd: Path, env: Mapping[str, str], log_path: Path) -> None:
        self.argv = list(argv)
        self.cwd = cwd
        self.env = env  # read at every start: a caller may change a setting between restarts
        self.log_path = log_path
        self.popen: subprocess.Popen | None = None

    def start(self) -> None:
        if self.running:
            raise RuntimeError(f"{self.argv[0]} is already running (pid {self.pid})")
        # Append, so the log of a restarted process keeps what came before the restart.
        with open(self.log_path, "ab") as log:
            self.popen = subprocess.Popen(
                self.argv, cwd=self.cwd, env=self.env, stdin=subprocess.DEVNULL,
                stdout=log, stderr=subprocess.STDOUT,
                start_new_session=True,  # our signals reach this process, not the test runner
            )

    @property
    def pid(self) -> int | None:
        return self.popen.pid if self.popen else None

    @property
    def running(self) -> bool:
        return self.popen is not None and self.popen.poll() is None

    @property
    def returncode(self) -> int | None:
        return self.popen.poll() if self.popen else None

    def send_signal(self, sig: int) -> None:
        if self.running:
            os.kill(self.popen.pid, sig)

    def kill(self, sig: int = signal.SIGKILL, timeout: float = 30.0) -> None:
        """Send `sig` and wait for the process to end."""
        self.send_signal(sig)
        if self.popen is not None:
            self.popen.wait(timeout)

    def stop(self, timeout: float = 30.0) -> int | None:
        """SIGTERM (the graceful stop of uvicorn and huey), SIGKILL if it does not end in time;
        then whatever the process left behind in its group."""
        if self.popen is None:
            return None
        if self.running:
            os.kill(self.popen.pid, signal.SIGTERM)
            try:
                self.popen.wait(timeout)
            except subprocess.TimeoutExpired:
                os.kill(self.popen.pid, signal.SIGKILL)
                self.popen.wait(timeout)
        self._kill_group()
        return self.popen.returncode

    def _kill_group(self) -> None:
        try:
            os.killpg(self.popen.pid, signal.SIGKILL)  # start_new_session: the group id is our pid
        except (ProcessLookupError, PermissionError):
            pass

    def log_text(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def log_tail(self, lines: int = 60) -> str:
        return "\n".join(self.log_text().splitlines()[-lines:])
