"""Event-to-receiver latency at a steady rate: one event per `POST /v2/events`, as a site sends
them one request at a time, paced on a fixed schedule."""

from __future__ import annotations

import time
from dataclasses import dataclass

from tests.support.api import create_webhook

from .measure import percentile
from .stack import SECRET, Bench, FastReceiver
from .throughput import check_all_delivered_once
from .workload import EVENT, email_sent, post_events


@dataclass(frozen=True)
class LatencyRun:
    rate: float
    events: int
    p50_ms: float
    p99_ms: float
    max_ms: float


def steady_run(bench: Bench, receiver: FastReceiver, *, rate: float, seconds: float, processes: int = 1,
               queue: str = "sqlite", env: dict[str, str] | None = None) -> LatencyRun:
    """Latency is measured from each event's scheduled send time (not from when the POST left, so
    a slow intake counts against us) to its arrival at the receiver."""
    count = int(rate * seconds)
    events = [email_sent(i) for i in range(count)]
    with bench.deployment(processes=processes, queue=queue, env=env) as deployment:
        api = deployment.sidecar.api
        create_webhook(api, receiver.url, [EVENT], name="latency", secret=SECRET)
        receiver.reset()
        post_events(api, [email_sent(-1)])  # warm the path (connections, first task) before measuring
        receiver.wait_for(1, timeout=30)
        scheduled: dict[str, float] = {}
        start = time.time() + 0.05
        for index, event in enumerate(events):
            due = start + index / rate
            pause = due - time.time()
            if pause > 0:
                time.sleep(pause)
            scheduled[event["id"]] = due
            post_events(api, [event])
        receiver.wait_for(count + 1, timeout=60 + seconds)
        arrivals = receiver.arrivals()
        check_all_delivered_once(deployment, receiver, count + 1)
    latencies = [1000 * (arrived - scheduled[event_id]) for _, event_id, arrived in arrivals if event_id in scheduled]
    return LatencyRun(rate, count, percentile(latencies, 0.50), percentile(latencies, 0.99), max(latencies))
