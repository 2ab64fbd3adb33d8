"""The real `fluentcrm-webhooks` command as a subprocess, with a client for its API.

Each sidecar gets a fresh directory (its cwd: the SQLite database, queue and token land there),
a free port, a random token and short retry delays; everything is overridable per test.
"""

from __future__ import annotations

import os
import secrets
import shutil
import signal
import sys
from pathlib import Path
from typing import Callable, Mapping

import requests

from .net import free_port
from .processes import ManagedProcess
from .waiting import wait_until

STARTUP_DEADLINE = 30.0


def command_path() -> str:
    """`fluentcrm-webhooks` from the venv the tests run in (beside sys.executable)."""
    venv_bin = os.path.dirname(sys.executable)
    found = shutil.which("fluentcrm-webhooks", path=venv_bin)
    if found is None:
        raise RuntimeError(f"fluentcrm-webhooks is not installed in {venv_bin}: run `make test` "
                           "(or .venv/bin/pip install -e '.[test]')")
    return found


class ApiSession(requests.Session):
    """A requests.Session that sends the bearer token and accepts paths relative to the sidecar."""

    def __init__(self, base_url: str, token: str | None) -> None:
        super().__init__()
        self.base_url = base_url
        if token is not None:
            self.headers["Authorization"] = f"Bearer {token}"

    def url(self, path: str) -> str:
        return self.base_url + path

    def request(self, method: str, url: str, *args, **kwargs) -> requests.Response:
        kwargs.setdefault("timeout", 30)
        return super().request(method, self.url(url) if url.startswith("/") else url, *args, **kwargs)


def base_environment(workdir: Path, ca_bundle: Path | None, database_url: str | None,
                     api_token: str | None) -> dict[str, str]:
    """The environment of a test sidecar: none of the caller's FCWH_* settings leak in."""
    env = {name: value for name, value in os.environ.items() if not name.startswith("FCWH_")}
    env.update({
        "FCWH_DATABASE_URL": database_url or f"sqlite:///{workdir / 'fcwh.sqlite3'}",
        "FCWH_ALLOW_PRIVATE_TARGETS": "1",
        "FCWH_RETRY_DELAYS": "1,1,1,1,1",
        "FCWH_SWEEP_INTERVAL": "1",
        "FCWH_WORKERS": "4",
        "FCWH_TIMEOUT": "10",
        "FCWH_LOG_LEVEL": "INFO",
        # The plugin's POST /v2/events path, which most tests are about; the hand-over through the
        # WordPress database (the default on MySQL) is tested by tests/wordpress/test_handover.py.
        "FCWH_HANDOVER": "off",
        "PYTHONUNBUFFERED": "1",
    })
    if api_token is not None:
        env["FCWH_API_TOKEN"] = api_token
    if ca_bundle is not None:
        # requests trusts the test CA through this, exactly as an operator would configure it.
        env["REQUESTS_CA_BUNDLE"] = str(ca_bundle)
    return env


class Sidecar:
    """`fluentcrm-webhooks serve`; `.start()` again after `.stop()` or `.kill()` reuses env and db."""

    def __init__(self, workdir: Path, env: Mapping[str, str]) -> None:
        self.workdir = workdir
        self.env = dict(env)
        self.token = self.env.get("FCWH_API_TOKEN")
        self.env.setdefault("FCWH_PORT", str(free_port()))
        self.process = ManagedProcess([command_path(), "serve"], cwd=workdir, env=self.env,
                                      log_path=workdir / "serve.log")
        self.workers: list[ManagedProcess] = []
        self.api = ApiSession(self.url, self.token)

    @property
    def port(self) -> int:
        return int(self.env["FCWH_PORT"])

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> "Sidecar":
        self.process.start()
        self.wait_healthy()
        return self

    def wait_healthy(self, timeout: float = STARTUP_DEADLINE) -> None:
        def healthy() -> bool:
            if not self.process.running:
                raise AssertionError(f"fluentcrm-webhooks serve exited with {self.process.returncode}; "
                                     f"its log:\n{self.log_tail()}")
            try:
                return requests.get(self.url + "/healthz", timeout=2).status_code == 200
            except requests.RequestException:
                return False

        wait_until(healthy, timeout=timeout, interval=0.1,
                   message=lambda: f"{self.url}/healthz to answer 200; log:\n{self.log_tail()}")

    def use_token(self, token: str) -> None:
        """Send this token from now on (for a sidecar that generated its own)."""
        self.token = token
        self.api.headers["Authorization"] = f"Bearer {token}"

    def kill(self, sig: int = signal.SIGKILL) -> None:
        self.process.kill(sig)

    def stop(self) -> None:
        self.process.stop()

    def start_worker(self) -> ManagedProcess:
        """A `fluentcrm-webhooks worker` process with the same environment (scale-out tests)."""
        index = len(self.workers) + 1
        worker = ManagedProcess([command_path(), "worker"], cwd=self.workdir, env=self.env,
                                log_path=self.workdir / f"worker-{index}.log")
        worker.start()
        self.workers.append(worker)
        return worker

    def shutdown(self) -> None:
        for worker in self.workers:
            worker.stop()
        self.stop()
        self.api.close()

    def log_text(self) -> str:
        return self.process.log_text()

    def log_tail(self, lines: int = 60) -> str:
        return self.process.log_tail(lines)

    def logs_for_report(self, lines: int = 80) -> str:
        parts = [f"--- serve.log (last {lines} lines) ---", self.log_tail(lines)]
        for worker in self.workers:
            parts += [f"--- {worker.log_path.name} ---", worker.log_tail(lines)]
        return "\n".join(parts)


def new_token() -> str:
    return secrets.token_urlsafe(24)


GENERATE = object()  # token argument: make a random token (the default)


class SidecarLauncher:
    """Starts sidecars in fresh directories and stops every one of them at the end."""

    def __init__(self, make_dir: Callable[[], Path], ca_bundle: Path | None) -> None:
        self.make_dir = make_dir
        self.ca_bundle = ca_bundle
        self.launched: list[Sidecar] = []

    def launch(self, database_url: str | None = None, env: Mapping[str, str] | None = None,
               token: object = GENERATE, start: bool = True) -> Sidecar:
        """`token=None` starts the sidecar without FCWH_API_TOKEN (it generates one)."""
        workdir = self.make_dir()
        api_token = new_token() if token is GENERATE else token
        full_env = base_environment(workdir, self.ca_bundle, database_url, api_token)
        full_env.update(env or {})
        sidecar = Sidecar(workdir, full_env)
        self.launched.append(sidecar)
        return sidecar.start() if start else sidecar

    def shutdown_all(self) -> None:
        for sidecar in self.launched:
            sidecar.shutdown()
