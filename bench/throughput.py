"""Delivery throughput, end to end: events in through `/v2/events`, rows in MariaDB, signed HTTPS
POSTs at the fast receiver. Baseline in the same run: a bare `requests.Session` POST loop."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

from tests.support.api import create_webhook
from tests.support.waiting import wait_until

from .measure import CpuMeter
from .profile import profiled
from .stack import SECRET, Bench, CertificateFiles, FastReceiver, trusting_session
from .workload import EVENT, batches, post_events, sample_body


@dataclass(frozen=True)
class DeliveryRun:
    deliveries: int
    seconds: float
    cpu_ms: dict[str, float] = field(default_factory=dict)  # CPU per delivery, by process

    @property
    def rate(self) -> float:
        return self.deliveries / self.seconds


def bare_loop(receiver: FastReceiver, certs: CertificateFiles, count: int) -> DeliveryRun:
    """The ceiling: one thread, one kept-alive session, pre-built body and headers, no database."""
    body = sample_body()
    headers = {"Content-Type": "application/json", "X-FluentCRM-Signature": "sha256=" + "0" * 64}
    session = trusting_session(certs)
    try:
        session.post(receiver.url, data=body, headers=headers).content  # connect outside the timing
        receiver.reset()
        started = time.perf_counter()
        for index in range(count):
            headers["X-FluentCRM-Delivery"] = str(index)
            session.post(receiver.url, data=body, headers=headers).content
        return DeliveryRun(count, time.perf_counter() - started)
    finally:
        session.close()


def sidecar_run(bench: Bench, receiver: FastReceiver, *, processes: int, count: int, queue: str = "redis",
                env: dict[str, str] | None = None, profile_dir: Path | None = None) -> DeliveryRun:
    """`count` events through serve + (processes - 1) workers; timed from the first POST to the
    last arrival. Checks the table afterwards: every delivery `success`, none sent twice."""
    payload = list(batches(count))  # built before the clock starts
    with bench.deployment(processes=processes, queue=queue, env=env) as deployment:
        api = deployment.sidecar.api
        create_webhook(api, receiver.url, [EVENT], name="throughput", secret=SECRET)
        receiver.reset()
        with profiled(deployment.pids, profile_dir, f"throughput-{processes}-processes"):
            meter = CpuMeter({**deployment.pids, "receiver": receiver.process.pid}).start()
            started = time.time()
            for batch in payload:
                post_events(api, batch)
            stats = receiver.wait_for(count, timeout=60 + count / 20)
            meter.stop()
        check_all_delivered_once(deployment, receiver, count)
    return DeliveryRun(count, stats["last"] - started, meter.per_unit_ms(count))


def check_all_delivered_once(deployment, receiver: FastReceiver, count: int) -> None:
    """A benchmark figure is only worth printing if nothing was lost, doubled or badly signed."""
    wait_until(lambda: deployment.delivery_counts().get("success") == count, timeout=60, interval=0.2,
               message=lambda: f"{count} deliveries recorded as success; table: {deployment.delivery_counts()}")
    stats = receiver.stats()
    if stats["unique"] != count or stats["duplicates"] or stats["bad_signatures"]:
        raise AssertionError(f"receiver saw {stats}, expected {count} unique, correctly signed deliveries")
