"""The delivery engine (docs/delivery.md) under the conditions it was built for: a dead receiver
beside a healthy one, receivers far away, one event behind another webhook's backlog, intake
while deliveries run, and ten thousand attempts in flight.

Every run here is `fluentcrm-webhooks serve` on its own defaults (`Bench.serve_on_defaults`:
SQLite, 256 attempts in flight, 100 per webhook, 30 s timeout; only plain HTTP to loopback is
allowed on top) in a fresh directory, against bench/receiver.py processes speaking plain HTTP,
with `--delay` for a far receiver and `--hold` for a dead one. Each run ends by checking what
arrived: every delivery once, correctly signed, or the run fails.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from dataclasses import dataclass, field

import requests

from tests.support.api import create_webhook, new_event, send_events
from tests.support.sidecar import ApiSession, Sidecar
from tests.support.waiting import wait_until

from .measure import CpuMeter, peak_rss_mb, rss_mb
from .stack import SECRET, Bench, FastReceiver, sqlite_delivery_counts
from .throughput import DeliveryRun
from .workload import EVENT, batches, email_sent, post_events

OTHER_EVENT = "contact.created"  # what the fairness run's second webhook subscribes to


def check_delivered_once(sidecar: Sidecar, webhook_id: int, receiver: FastReceiver, count: int,
                         timeout: float = 60) -> None:
    """The receiver got `count` distinct, correctly signed deliveries, and the table says success."""
    stats = receiver.stats()
    if stats["unique"] != count or stats["duplicates"] or stats["bad_signatures"]:
        raise AssertionError(f"receiver saw {stats}, expected {count} unique, correctly signed deliveries")
    wait_until(lambda: sqlite_delivery_counts(sidecar).get((webhook_id, "success")) == count, timeout=timeout,
               interval=0.2, message=lambda: f"{count} deliveries of webhook {webhook_id} recorded as success; "
                                             f"table: {sqlite_delivery_counts(sidecar)}")


# --- isolation: a dead receiver beside a healthy one ----------------------------------------------

@dataclass(frozen=True)
class IsolationRun:
    seconds: float  # first POST -> the healthy webhook's last arrival
    held: int  # attempts of the dead webhook its receiver held open meanwhile (0 without it)


def isolation_run(bench: Bench, healthy: FastReceiver, dead: FastReceiver | None, count: int) -> IsolationRun:
    """`count` events, subscribed by webhook B (`healthy`) and, unless None, by webhook A whose
    receiver accepts every request and never answers (past the 30 s timeout)."""
    payload = list(batches(count))
    with bench.serve_on_defaults() as sidecar:
        api = sidecar.api
        b = create_webhook(api, healthy.url, [EVENT], name="B (answers at once)", secret=SECRET)
        if dead is not None:
            create_webhook(api, dead.url, [EVENT], name="A (never answers)", secret=SECRET)
            dead.reset()
        healthy.reset()
        try:
            started = time.time()
            for batch in payload:
                post_events(api, batch)
            stats = healthy.wait_for(count, timeout=60)
            held = dead.stats()["in_flight"] if dead is not None else 0
            check_delivered_once(sidecar, b["id"], healthy, count)
        finally:
            if dead is not None:
                dead.drop()  # A's attempts end now, so `serve` stops at once instead of after 30 s
    return IsolationRun(stats["last"] - started, held)


# --- far receivers --------------------------------------------------------------------------------

@dataclass(frozen=True)
class FarRun:
    run: DeliveryRun
    max_in_flight: int  # the most requests the receiver held at once


def far_run(bench: Bench, receiver: FastReceiver, count: int, env: dict[str, str] | None = None) -> FarRun:
    """`count` events to one webhook; timed from the first POST to the last arrival."""
    payload = list(batches(count))
    with bench.serve_on_defaults(env) as sidecar:
        api = sidecar.api
        webhook = create_webhook(api, receiver.url, [EVENT], name="far", secret=SECRET)
        receiver.reset()
        meter = CpuMeter({"serve": sidecar.process.pid, "receiver": receiver.process.pid}).start()
        started = time.time()
        for batch in payload:
            post_events(api, batch)
        stats = receiver.wait_for(count, timeout=60 + count / 50)
        meter.stop()
        check_delivered_once(sidecar, webhook["id"], receiver, count)
    return FarRun(DeliveryRun(count, stats["last"] - started, meter.per_unit_ms(count)), stats["max_in_flight"])


# --- fairness: one event behind another webhook's backlog -----------------------------------------

@dataclass(frozen=True)
class FairnessRun:
    seconds: float  # B's event: POST sent -> arrived at B's receiver
    backlog_left: int  # A's deliveries not yet arrived when B's event was sent


def fairness_run(bench: Bench, slow: FastReceiver, instant: FastReceiver, backlog: int) -> FairnessRun:
    """`backlog` events for webhook A (`slow`, far away) queued first, then one event for B."""
    payload = list(batches(backlog))
    with bench.serve_on_defaults() as sidecar:
        api = sidecar.api
        a = create_webhook(api, slow.url, [EVENT], name="A (backlog)", secret=SECRET)
        b = create_webhook(api, instant.url, [OTHER_EVENT], name="B (one event)", secret=SECRET)
        slow.reset()
        instant.reset()
        for batch in payload:
            post_events(api, batch)
        arrived_at_a = slow.stats()["received"] if backlog else 0
        sent = time.time()
        send_events(api, new_event(OTHER_EVENT))
        stats = instant.wait_for(1, timeout=60)
        if backlog:
            slow.wait_for(backlog, timeout=60 + backlog / 50)
            check_delivered_once(sidecar, a["id"], slow, backlog)
        check_delivered_once(sidecar, b["id"], instant, 1)
    return FairnessRun(stats["first"] - sent, backlog - arrived_at_a)


# --- intake while deliveries run ------------------------------------------------------------------

@dataclass(frozen=True)
class IntakeRun:
    batches: int
    seconds: float  # the first POST sent -> the last one answered
    refused: Counter  # answers other than 200 (status code, or the exception's name)
    delivered_meanwhile: int  # deliveries that arrived at the receiver while the POSTs went on

    @property
    def rate(self) -> float:
        return self.batches / self.seconds


def intake_run(bench: Bench, receiver: FastReceiver, *, batch_count: int, batch_size: int, threads: int,
               deliver: bool) -> IntakeRun:
    """`batch_count` POST /v2/events of `batch_size` events, from `threads` threads at once.
    `deliver`: the receiver answers at once and every delivery is checked afterwards; otherwise the
    receiver never answers and the webhook takes one attempt at a time (max_concurrency 1), so
    intake records the same rows with (almost) no delivery beside it."""
    payload = [[email_sent(index * batch_size + i) for i in range(batch_size)] for index in range(batch_count)]
    refused: Counter = Counter()
    lock = threading.Lock()
    with bench.serve_on_defaults() as sidecar:
        fields = {} if deliver else {"max_concurrency": 1}
        webhook = create_webhook(sidecar.api, receiver.url, [EVENT], name="intake", secret=SECRET, **fields)
        receiver.reset()

        def post_share(share: list[list[dict]]) -> None:
            with ApiSession(sidecar.url, sidecar.token) as api:
                for events in share:
                    try:
                        status = api.post("/v2/events", json={"events": events}, timeout=30).status_code
                    except requests.RequestException as error:
                        status = error.__class__.__name__
                    if status != 200:
                        with lock:
                            refused[status] += 1

        workers = [threading.Thread(target=post_share, args=(payload[n::threads],), daemon=True)
                   for n in range(threads)]
        try:
            started = time.perf_counter()
            for worker in workers:
                worker.start()
            for worker in workers:
                worker.join(timeout=600)
            seconds = time.perf_counter() - started
            if any(worker.is_alive() for worker in workers):
                raise AssertionError("intake threads still posting after 600 s")
            delivered = receiver.stats()["received"]
            total = batch_count * batch_size - sum(refused.values()) * batch_size
            if deliver:
                receiver.wait_for(total, timeout=60 + total / 50)
                check_delivered_once(sidecar, webhook["id"], receiver, total)
        finally:
            if not deliver:
                receiver.drop()
    return IntakeRun(batch_count, seconds, refused, delivered)


# --- memory at thousands of attempts in flight ----------------------------------------------------

@dataclass(frozen=True)
class MemoryRun:
    idle_mb: float  # serve's resident memory after start, a webhook created, nothing sent yet
    peak_mb: float  # serve's peak resident memory (VmHWM) by the end of the run
    max_in_flight: int  # the most requests the receiver held at once
    seconds: float  # first POST -> last arrival
    samples: list[tuple[float, int, float]] = field(default_factory=list)  # (s, in flight, serve RSS MB)

    @property
    def kb_per_attempt(self) -> float:
        return 1024 * (self.peak_mb - self.idle_mb) / self.max_in_flight if self.max_in_flight else 0.0


def memory_run(bench: Bench, receiver: FastReceiver, *, count: int, workers: int, concurrency: int) -> MemoryRun:
    """`count` events to one webhook whose receiver holds every request (`--delay`), with
    FCWH_WORKERS / FCWH_WEBHOOK_CONCURRENCY raised; serve's memory and the receiver's in-flight
    count are sampled all along."""
    payload = list(batches(count))
    env = {"FCWH_WORKERS": str(workers), "FCWH_WEBHOOK_CONCURRENCY": str(concurrency)}
    with bench.serve_on_defaults(env) as sidecar:
        pid = sidecar.process.pid
        webhook = create_webhook(sidecar.api, receiver.url, [EVENT], name="memory", secret=SECRET)
        receiver.reset()
        time.sleep(1.0)  # let the start settle (imports, first connections) before the idle reading
        idle = rss_mb(pid)
        samples: list[tuple[float, int, float]] = []
        stop = threading.Event()

        def sample() -> None:
            with requests.Session() as control:
                while not stop.wait(0.5):
                    try:
                        in_flight = control.get(receiver._control_url("stats"), timeout=10).json()["in_flight"]
                        samples.append((time.time() - started, in_flight, rss_mb(pid)))
                    except (requests.RequestException, OSError):
                        pass

        started = time.time()
        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        try:
            for batch in payload:
                post_events(sidecar.api, batch)
            stats = receiver.wait_for(count, timeout=120 + count / 100)
            check_delivered_once(sidecar, webhook["id"], receiver, count, timeout=120)
            peak = peak_rss_mb(pid)  # after the last answers came in and were recorded
        finally:
            stop.set()
            sampler.join(timeout=15)
    return MemoryRun(idle, peak, stats["max_in_flight"], stats["last"] - started, samples)
