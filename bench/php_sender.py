"""The Action Scheduler-style PHP sender (bench/wp-plugins/as-style-sender) in the same WordPress:
events become queued actions, and the queue runner (WP-cron's job) is fired back to back until the
queue is empty, which is the best case for it: real WP-cron runs at most once a minute."""

from __future__ import annotations

import time

from .site import AS_BASELINE, BenchSite
from .stack import SECRET, Bench, FastReceiver
from .throughput import DeliveryRun
from .workload import EVENT, email_sent


def php_sender_run(bench: Bench, site: BenchSite, receiver: FastReceiver, count: int) -> DeliveryRun:
    """From the request that enqueues `count` deliveries to the last one received."""
    events = [email_sent(i) for i in range(count)]
    with bench.deployment(database=site.database) as deployment:  # it owns the webhooks table
        site.connect(deployment.sidecar)
        site.activate_only(AS_BASELINE)
        webhook = deployment.sidecar.api.post("/v2/webhooks", json={
            "name": "php sender", "url": receiver.url, "events": [EVENT], "secret": SECRET}).json()["webhook"]
        receiver.reset()
        try:
            started = time.time()
            site.rest("POST", "/fcwh-bench/v1/actions", webhook_id=webhook["id"], events=events)
            while site.rest("POST", "/fcwh-bench/v1/run-queue")["pending"]:
                pass
            stats = receiver.wait_for(count, timeout=60)
        finally:
            site.delete_all_webhooks()
            site.sql(f"DELETE FROM {site.prefix}fcwh_bench_actions")
    if stats["unique"] != count or stats["bad_signatures"]:
        raise AssertionError(f"the PHP sender's receiver saw {stats}")
    return DeliveryRun(count, stats["last"] - started)
