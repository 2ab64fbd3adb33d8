"""Shared fixtures: throwaway MariaDB, HTTPS receivers with a test CA, the sidecar as a process.

Every server runs on loopback on a port of its own, started by the tests and stopped by PID.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from typing import Callable, Iterator

import pytest

from tests.support.mariadb import MariaDBServer, missing_binaries
from tests.support.receiver import Receiver
from tests.support.sidecar import Sidecar, SidecarLauncher
from tests.support.tls import CertificateAuthority

REPORTS = pytest.StashKey[dict]()


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")


def skip_or_fail(reason: str) -> None:
    """Missing tools skip a local run but fail in CI, where .ci/run installs everything."""
    if in_ci():
        pytest.fail(f"{reason} (CI=true: the install script should have provided it)")
    pytest.skip(reason)


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    # Keep each phase's report on the item so fixtures can tell, at teardown, whether it failed.
    report = yield
    item.stash.setdefault(REPORTS, {})[report.when] = report
    return report


def failed(request: pytest.FixtureRequest) -> bool:
    reports = request.node.stash.get(REPORTS, {})
    return any(report.failed for report in reports.values())


# -- MariaDB --------------------------------------------------------------------------------------
@pytest.fixture(scope="session")
def mariadb_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MariaDBServer]:
    missing = missing_binaries()
    if missing:
        skip_or_fail(f"MariaDB server binaries not found: {', '.join(missing)} "
                     "(apt-get install mariadb-server, or run scripts/install-system-deps.sh)")
    server = MariaDBServer(tmp_path_factory.mktemp("mariadb"))
    server.install()
    server.start()
    try:
        yield server
    finally:
        server.stop()


def database_name_for(request: pytest.FixtureRequest) -> str:
    """A database name unique to the test (MariaDB names: 64 characters, no punctuation)."""
    return "t_" + hashlib.sha1(request.node.nodeid.encode()).hexdigest()[:16]


@dataclass(frozen=True)
class Backend:
    name: str  # "sqlite" or "mariadb"
    database_url: str | None  # None: the sidecar's SQLite file in its own directory


@pytest.fixture(params=["sqlite", pytest.param("mariadb", marks=pytest.mark.mariadb)])
def backend(request: pytest.FixtureRequest) -> Iterator[Backend]:
    """The database behind the sidecar; tests using it run once on each."""
    if request.param == "sqlite":
        yield Backend("sqlite", None)
        return
    server: MariaDBServer = request.getfixturevalue("mariadb_server")
    name = database_name_for(request)
    yield Backend("mariadb", server.create_database(name))
    server.sql(f"DROP DATABASE IF EXISTS `{name}`")


# -- HTTPS receivers ------------------------------------------------------------------------------
@pytest.fixture(scope="session")
def https_ca(tmp_path_factory: pytest.TempPathFactory) -> CertificateAuthority:
    return CertificateAuthority.create(tmp_path_factory.mktemp("ca"))


@pytest.fixture
def receiver_factory(https_ca: CertificateAuthority) -> Iterator[Callable[..., Receiver]]:
    """`receiver_factory(tls=True)` starts another receiver; all are stopped after the test."""
    started: list[Receiver] = []

    def start(tls: bool = True, path: str = "/hook") -> Receiver:
        receiver = Receiver(https_ca.server_context() if tls else None, path=path).start()
        started.append(receiver)
        return receiver

    yield start
    for receiver in started:
        receiver.stop()


@pytest.fixture
def receiver(receiver_factory: Callable[..., Receiver]) -> Receiver:
    """An HTTPS receiver at https://127.0.0.1:PORT/hook with a certificate from `https_ca`."""
    return receiver_factory()


@pytest.fixture
def http_receiver(receiver_factory: Callable[..., Receiver]) -> Receiver:
    return receiver_factory(tls=False)


# -- the sidecar ----------------------------------------------------------------------------------
@pytest.fixture
def sidecar_factory(tmp_path_factory: pytest.TempPathFactory, https_ca: CertificateAuthority,
                    request: pytest.FixtureRequest) -> Iterator[Callable[..., Sidecar]]:
    """`sidecar_factory(database_url=None, env={...}, token=..., start=True)`: see SidecarLauncher."""
    launcher = SidecarLauncher(lambda: tmp_path_factory.mktemp("sidecar"), https_ca.bundle)
    yield launcher.launch
    if failed(request):
        for sidecar in launcher.launched:
            print(f"\n=== sidecar {sidecar.url} in {sidecar.workdir} ===\n{sidecar.logs_for_report()}")
    launcher.shutdown_all()


@pytest.fixture
def sidecar(sidecar_factory: Callable[..., Sidecar], backend: Backend) -> Sidecar:
    """A running `fluentcrm-webhooks serve` on the test's backend (sqlite and mariadb)."""
    return sidecar_factory(database_url=backend.database_url)
