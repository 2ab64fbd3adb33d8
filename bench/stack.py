"""The parts a benchmark runs against: a test CA, the fast receiver process, MariaDB, sidecars.

The servers come from the test suite's own support modules (tests/support/), so the benchmarks
drive exactly what the tests drive: the real `fluentcrm-webhooks` command on a real MariaDB.
"""

from __future__ import annotations

import contextlib
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import requests
import trustme

from .site import BenchSite
from tests.scaleout.redis_server import RedisServer
from tests.support.mariadb import MariaDBServer
from tests.support.net import free_port
from tests.support.processes import ManagedProcess
from tests.support.sidecar import Sidecar, SidecarLauncher
from tests.support.waiting import wait_until

RECEIVER_SCRIPT = Path(__file__).with_name("receiver.py")
SECRET = "bench-secret"
# The test launcher's environment shortens timeouts and retries and uses 4 threads; a benchmark
# measures what a site gets: the sidecar's own defaults (README), set explicitly.
PRODUCT_DEFAULTS = {
    "FCWH_WORKERS": "8", "FCWH_TIMEOUT": "30", "FCWH_RETRY_DELAYS": "60,300,1800,7200,86400",
    "FCWH_SWEEP_INTERVAL": "30", "FCWH_LOG_LEVEL": "INFO",
}


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
    """bench/receiver.py as a child process; its control routes report what arrived."""

    def __init__(self, workdir: Path, certs: CertificateFiles, *, delay: float = 0.0,
                 secret: str | None = SECRET, name: str = "receiver") -> None:
        self.port = free_port()
        argv = [sys.executable, str(RECEIVER_SCRIPT), "--port", str(self.port),
                "--cert", str(certs.cert), "--key", str(certs.key), "--delay", str(delay)]
        if secret is not None:
            argv += ["--secret", secret]
        self.process = ManagedProcess(argv, cwd=workdir, env={"PATH": "/usr/bin:/bin"},
                                      log_path=workdir / f"{name}.log")
        self.control = trusting_session(certs)

    @property
    def url(self) -> str:
        return f"https://127.0.0.1:{self.port}/hook"

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
        return f"https://127.0.0.1:{self.port}/_{name}"

    def stats(self) -> dict:
        return self.control.get(self._control_url("stats"), timeout=30).json()

    def arrivals(self) -> list[tuple[str, str, float]]:
        return [tuple(a) for a in self.control.get(self._control_url("arrivals"), timeout=60).json()]

    def reset(self) -> None:
        self.control.post(self._control_url("reset"), timeout=30).raise_for_status()

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
        self._site: BenchSite | None = None

    def _new_dir(self) -> Path:
        return Path(tempfile.mkdtemp(prefix="sidecar-", dir=self.root))

    def start(self) -> "Bench":
        self.mariadb.install()
        self.mariadb.start()
        return self

    def stop(self) -> None:
        for receiver in self._receivers:
            receiver.stop()
        self._launcher.shutdown_all()
        if self._site is not None:
            self._site.stop()
        self.mariadb.stop()

    def site(self) -> BenchSite | None:
        """The WordPress site, started on first use; None when PHP or WordPress are missing here
        (the suites then skip their WordPress figures and say so)."""
        if self._site is None:
            if BenchSite.missing():
                return None
            self._site = BenchSite(self.root / "wordpress", self.mariadb, self.certs.bundle).start()
        return self._site

    def fresh_database(self) -> str:
        """A new empty database's name."""
        self._database_count += 1
        name = f"bench_{self._database_count}"
        self.mariadb.create_database(name)
        return name

    def receiver(self, **options) -> FastReceiver:
        receiver = FastReceiver(self.root, self.certs, name=f"receiver-{len(self._receivers) + 1}", **options)
        self._receivers.append(receiver.start())
        return receiver

    def release(self, receiver: FastReceiver) -> None:
        receiver.stop()
        self._receivers.remove(receiver)

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
                wait_until(lambda: "delivery threads" in worker.log_text(), timeout=30, interval=0.05,
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
