"""The parts a benchmark runs against: a test CA, the fast receiver process, MariaDB, sidecars.

The servers come from the test suite's own support modules (tests/support/), so the benchmarks
drive exactly what the tests drive: the real `fluentcrm-webhooks` command on a real MariaDB.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import requests
import trustme

from fluentcrm_webhooks.config import Settings

from .real_fluentcrm import fluentcrm_source, plugin_folder
from .site import BenchSite
from tests.scaleout.redis_server import RedisServer
from tests.support.mariadb import MariaDBServer
from tests.support.net import free_port
from tests.support.processes import ManagedProcess
from tests.support.sidecar import Sidecar, SidecarLauncher
from tests.support.waiting import wait_until

RECEIVER_SCRIPT = Path(__file__).with_name("receiver.py")
SECRET = "bench-secret"
# The test launcher's environment shortens timeouts and retries and keeps 4 attempts in flight; a
# benchmark measures what a site gets: the sidecar's own defaults (config.Settings), set explicitly.
_DEFAULTS = Settings()
PRODUCT_DEFAULTS = {
    "FCWH_WORKERS": str(_DEFAULTS.workers), "FCWH_WEBHOOK_CONCURRENCY": str(_DEFAULTS.webhook_concurrency),
    "FCWH_TIMEOUT": f"{_DEFAULTS.timeout:g}", "FCWH_RETRY_DELAYS": ",".join(map(str, _DEFAULTS.retry_delays)),
    "FCWH_SWEEP_INTERVAL": f"{_DEFAULTS.sweep_interval:g}", "FCWH_LOG_LEVEL": _DEFAULTS.log_level,
    "FCWH_HANDOVER": _DEFAULTS.handover, "FCWH_HANDOVER_INTERVAL": f"{_DEFAULTS.handover_interval:g}",
}
# All a `serve` on its defaults is told (`Bench.serve_on_defaults`): plain HTTP to loopback
# receivers. Its port, and its directory (its cwd: the SQLite database, queue and token land there).
LOOPBACK_RECEIVERS = {"FCWH_ALLOW_HTTP": "1", "FCWH_ALLOW_PRIVATE_TARGETS": "1"}


@dataclass(frozen=True)
class CertificateFiles:
    bundle: Path  # the CA certificate, for REQUESTS_CA_BUNDLE and PHP's curl
    cert: Path  # the receiver's chain for 127.0.0.1
    key: Path


def make_certificates(directory: Path) -> CertificateFiles:
    ca = trustme.CA()
    leaf = ca.issue_cert("127.0.0.1", "localhost")
    files = CertificateFiles(directory / "ca.pem", directory / "receiver.pem", directory / "receiver.key")
    ca.cert_pem.write_to_path(str(files.bundle))
    leaf.private_key_pem.write_to_path(str(files.key))
    with open(files.cert, "wb") as chain:
        for blob in leaf.cert_chain_pems:
            chain.write(blob.bytes())
    return files


def trusting_session(certs: CertificateFiles) -> requests.Session:
    """A session that trusts the bench CA (REQUESTS_CA_BUNDLE in the environment would override
    `verify` on a session that trusts the environment)."""
    session = requests.Session()
    session.trust_env = False
    session.verify = str(certs.bundle)
    return session


class FastReceiver:
    """bench/receiver.py as a child process; its control routes report what arrived.
    `tls=False`: plain HTTP; `delay`: seconds before each answer; `hold`: never answers."""

    def __init__(self, workdir: Path, certs: CertificateFiles, *, delay: float = 0.0,
                 secret: str | None = SECRET, name: str = "receiver", tls: bool = True,
                 hold: bool = False) -> None:
        self.port = free_port()
        self.tls = tls
        argv = [sys.executable, str(RECEIVER_SCRIPT), "--port", str(self.port), "--delay", str(delay)]
        if tls:
            argv += ["--cert", str(certs.cert), "--key", str(certs.key)]
        if secret is not None:
            argv += ["--secret", secret]
        if hold:
            argv.append("--hold")
        self.process = ManagedProcess(argv, cwd=workdir, env={"PATH": "/usr/bin:/bin"},
                                      log_path=workdir / f"{name}.log")
        self.control = trusting_session(certs)

    @property
    def url(self) -> str:
        return f"{'https' if self.tls else 'http'}://127.0.0.1:{self.port}/hook"

    def start(self) -> "FastReceiver":
        self.process.start()

        def up() -> bool:
            if not self.process.running:
                raise RuntimeError(f"receiver exited: {self.process.log_tail()}")
            try:
                return self.control.get(self._control_url("stats"), timeout=2).ok
            except requests.RequestException:
                return False

        wait_until(up, timeout=20, interval=0.05, message="the fast receiver to listen")
        return self

    def stop(self) -> None:
        self.control.close()
        self.process.stop()

    def _control_url(self, name: str) -> str:
        return f"{'https' if self.tls else 'http'}://127.0.0.1:{self.port}/_{name}"

    def stats(self) -> dict:
        return self.control.get(self._control_url("stats"), timeout=30).json()

    def arrivals(self) -> list[tuple[str, str, float]]:
        return [tuple(a) for a in self.control.get(self._control_url("arrivals"), timeout=60).json()]

    def reset(self) -> None:
        self.control.post(self._control_url("reset"), timeout=30).raise_for_status()

    def drop(self) -> int:
        """Close every connection that brought a webhook request: held attempts end at once."""
        return self.control.post(self._control_url("drop"), timeout=30).json()["dropped"]

    def wait_for(self, count: int, timeout: float) -> dict:
        """Stats once `count` requests arrived; raises AssertionError with the last stats otherwise."""
        seen: dict = {}

        def arrived() -> dict | None:
            nonlocal seen
            seen = self.stats()
            return seen if seen["received"] >= count else None

        return wait_until(arrived, timeout=timeout, interval=0.05,
                          message=lambda: f"{count} requests at the receiver; stats {seen}")


class Bench:
    """Everything one `make bench` run shares: a work directory, certificates, one MariaDB."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.certs = make_certificates(root)
        self.mariadb = MariaDBServer(root / "mariadb")
        self._launcher = SidecarLauncher(self._new_dir, self.certs.bundle)
        self._database_count = 0
        self._receivers: list[FastReceiver] = []
        self._defaults_sidecars: list[Sidecar] = []
        self._site: BenchSite | None = None
        self._real_site: BenchSite | None = None

    def _new_dir(self) -> Path:
        return Path(tempfile.mkdtemp(prefix="sidecar-", dir=self.root))

    def start(self) -> "Bench":
        self.mariadb.install()
        self.mariadb.start()
        return self

    def stop(self) -> None:
        for receiver in self._receivers:
            receiver.stop()
        for sidecar in self._defaults_sidecars:
            sidecar.shutdown()
        self._launcher.shutdown_all()
        for site in (self._site, self._real_site):
            if site is not None:
                site.stop()
        self.mariadb.stop()

    def site(self) -> BenchSite | None:
        """The WordPress site, started on first use; None when PHP or WordPress are missing here
        (the suites then skip their WordPress figures and say so)."""
        if self._site is None:
            if BenchSite.missing():
                return None
            self._site = BenchSite(self.root / "wordpress", self.mariadb, self.certs.bundle).start()
        return self._site

    def real_site(self) -> tuple[BenchSite | None, str]:
        """A second WordPress with a real FluentCRM instead of the stand-in (bench/real_fluentcrm.py),
        started on first use, and its label; (None, why not) when there is no FluentCRM or PHP."""
        source, label = fluentcrm_source()
        if source is None or BenchSite.missing():
            return None, label if source is None else "no PHP/WordPress on this machine"
        if self._real_site is None:
            plugin = plugin_folder(source, self.root / "fluent-crm-source")
            self._real_site = BenchSite(self.root / "wordpress-real", self.mariadb, self.certs.bundle,
                                        fluentcrm=plugin).start()
        return self._real_site, label

    def fresh_database(self) -> str:
        """A new empty database's name."""
        self._database_count += 1
        name = f"bench_{self._database_count}"
        self.mariadb.create_database(name)
        return name

    def receiver(self, **options) -> FastReceiver:
        options.setdefault("name", f"receiver-{len(self._receivers) + 1}")
        receiver = FastReceiver(self.root, self.certs, **options)
        self._receivers.append(receiver.start())
        return receiver

    def release(self, receiver: FastReceiver) -> None:
        receiver.stop()
        self._receivers.remove(receiver)

    @contextlib.contextmanager
    def serve_on_defaults(self, env: dict[str, str] | None = None) -> Iterator[Sidecar]:
        """`fluentcrm-webhooks serve` on its own defaults (SQLite, the queue beside it, the token it
        generates), told only LOOPBACK_RECEIVERS and its port, plus `env`; in a fresh directory.
        Stopped at the end of the block (SIGTERM: it lets attempts in flight end first, so drop a
        held receiver's connections before leaving the block)."""
        workdir = self._new_dir()
        settings = {name: value for name, value in os.environ.items() if not name.startswith("FCWH_")}
        settings.update({**LOOPBACK_RECEIVERS, "FCWH_PORT": str(free_port()), "PYTHONUNBUFFERED": "1",
                         **(env or {})})
        sidecar = Sidecar(workdir, settings)
        self._defaults_sidecars.append(sidecar)
        try:
            sidecar.start()
            sidecar.use_token((workdir / "fcwh.token").read_text().strip())
            yield sidecar
        finally:
            sidecar.shutdown()
            self._defaults_sidecars.remove(sidecar)

    @contextlib.contextmanager
    def deployment(self, *, processes: int = 1, queue: str = "sqlite", env: dict[str, str] | None = None,
                   database: str | None = None) -> Iterator["Deployment"]:
        """`serve` (which delivers too) plus `processes - 1` extra `fluentcrm-webhooks worker`
        processes, all with the sidecar's defaults unless `env` says, on `database` (e.g. the
        WordPress site's) or a fresh one dropped afterwards. `queue="redis"` gives them a fresh
        redis-server of their own (no task of an earlier run)."""
        name = database or self.fresh_database()
        settings = {**PRODUCT_DEFAULTS, **(env or {})}
        redis = None
        if queue == "redis":
            redis = RedisServer(Path(tempfile.mkdtemp(prefix="redis-", dir=self.root))).start()
            settings["FCWH_QUEUE_URL"] = redis.url
        sidecar = self._launcher.launch(database_url=self.mariadb.url(name), env=settings)
        try:
            for _ in range(processes - 1):
                worker = sidecar.start_worker()
                wait_until(lambda: "attempts in flight" in worker.log_text(), timeout=30, interval=0.05,
                           message=lambda: f"a worker to start; log:\n{worker.log_tail()}")
            yield Deployment(sidecar, self.mariadb, name)
        finally:
            sidecar.shutdown()
            self._launcher.launched.remove(sidecar)
            if database is None:
                self.mariadb.sql(f"DROP DATABASE IF EXISTS `{name}`")
            if redis is not None:
                redis.stop()


@dataclass
class Deployment:
    """A running sidecar (serve + workers) and the MariaDB database it keeps its tables in."""

    sidecar: Sidecar
    mariadb: MariaDBServer
    database: str

    @property
    def pids(self) -> dict[str, int]:
        pids = {"serve": self.sidecar.process.pid, "mariadb": self.mariadb.process.pid}
        pids.update({f"worker {i}": w.pid for i, w in enumerate(self.sidecar.workers, start=1)})
        return pids

    def delivery_counts(self) -> dict[str, int]:
        """Deliveries by status, read straight from the table (prefix wp_)."""
        rows = self.mariadb.sql("SELECT status, COUNT(*) FROM wp_fcwh_deliveries GROUP BY status",
                                database=self.database)
        return {status: count for status, count in rows}


@contextlib.contextmanager
def bench_stack(root: Path | None = None) -> Iterator[Bench]:
    with contextlib.ExitStack() as cleanup:
        if root is None:
            root = Path(cleanup.enter_context(tempfile.TemporaryDirectory(prefix="fcwh-bench-")))
        bench = Bench(root).start()
        cleanup.callback(bench.stop)
        yield bench


def sqlite_delivery_counts(sidecar: Sidecar) -> dict[tuple[int, str], int]:
    """(webhook id, status) -> deliveries, read straight from a `serve_on_defaults` database."""
    with contextlib.closing(sqlite3.connect(f"file:{sidecar.workdir / 'fcwh.sqlite3'}?mode=ro", uri=True,
                                            timeout=30)) as db:
        rows = db.execute("SELECT webhook_id, status, COUNT(*) FROM wp_fcwh_deliveries GROUP BY webhook_id, status")
        return {(webhook_id, status): count for webhook_id, status, count in rows}
