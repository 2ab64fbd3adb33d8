"""A campaign-sized burst: tens of thousands of `email.sent` events at once. Time until every one
is delivered, nothing lost or doubled, and the peak memory of each process, at a tenth of the
size and at full size: memory should not grow with the number of events.

Two sources of events: the sidecar's API in the plugin's batches (no WordPress needed), and the
real path, one WordPress request sending a whole campaign through the plugin."""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass
from typing import Protocol

from tests.support.api import create_webhook

from .measure import peak_rss_mb
from .site import BURST_HELPER, OURS, BenchSite
from .stack import SECRET, Bench, Deployment, FastReceiver
from .throughput import check_all_delivered_once
from .workload import EVENT, batches, post_events


@dataclass(frozen=True)
class BurstRun:
    events: int
    seconds: float  # first event sent -> last delivery received
    peak_mb: dict[str, float]  # peak memory by process

    @property
    def rate(self) -> float:
        return self.events / self.seconds


class EventSource(Protocol):
    database: str | None  # the database the sidecar must use (None: a fresh one)

    def prepare(self, deployment: Deployment, count: int) -> None:
        """Untimed setup."""

    def send(self, deployment: Deployment, count: int) -> dict[str, float]:
        """Produce the events; returns the peak memory (MB) of whatever produced them, by name."""


class ThroughTheApi:
    """The plugin's batches of 100, posted one after another."""

    database = None

    def prepare(self, deployment: Deployment, count: int) -> None:
        self.payload = list(batches(count))

    def send(self, deployment: Deployment, count: int) -> dict[str, float]:
        for batch in self.payload:
            post_events(deployment.sidecar.api, batch)
        return {}


class ThroughThePlugin:
    """One WordPress request sends a whole campaign (bench/wp-plugins/campaign-burst); the plugin
    buffers, parks in its outbox past 500 events, and flushes at the end of the request and on
    its cron, which is run back to back here until the outbox is empty."""

    def __init__(self, site: BenchSite) -> None:
        self.site = site
        self.database = site.database

    def prepare(self, deployment: Deployment, count: int) -> None:
        self.site.connect(deployment.sidecar)
        self.site.activate_only(OURS, BURST_HELPER)
        self.campaign_id = fill_campaign(self.site, count)

    def send(self, deployment: Deployment, count: int) -> dict[str, float]:
        self.site.rest("POST", f"/fcwh-bench/v1/campaigns/{self.campaign_id}/send-all", timeout=1800)
        peak = self.site.read_peak_memory_mb()
        while self.site.outbox_size():
            self.site.run_cron_hook("fcwh_flush_outbox")
        return {"WordPress request": peak}


def fill_campaign(site: BenchSite, count: int) -> int:
    """`count` contacts and a campaign with one scheduled email to each, inserted in bulk."""
    p, tag = site.prefix, uuid.uuid4().hex[:8]
    site.sql(f"INSERT INTO {p}fc_subscribers (email, first_name, last_name, status, created_at, updated_at) "
             f"SELECT CONCAT('burst-{tag}-', seq, '@example.com'), 'José', 'Müller', 'subscribed', NOW(), NOW() "
             f"FROM seq_1_to_{count}")
    site.sql(f"INSERT INTO {p}fc_campaigns (title, status, email_subject, recipients_count, created_at, updated_at) "
             f"VALUES ('Burst {tag}', 'working', 'Our autumn newsletter', {count}, NOW(), NOW())")
    campaign_id = int(site.sql(f"SELECT MAX(id) FROM {p}fc_campaigns")[0][0])
    site.sql(f"INSERT INTO {p}fc_campaign_emails (campaign_id, subscriber_id, email_address, email_subject, "
             f"status, scheduled_at, created_at, updated_at) SELECT {campaign_id}, id, email, "
             f"'Our autumn newsletter', 'scheduled', NOW(), NOW(), NOW() FROM {p}fc_subscribers "
             f"WHERE email LIKE 'burst-{tag}-%' ORDER BY id")
    return campaign_id


def burst_run(bench: Bench, receiver: FastReceiver, *, count: int, processes: int, source: EventSource,
              queue: str = "redis") -> BurstRun:
    with bench.deployment(processes=processes, queue=queue, database=source.database) as deployment:
        webhook = create_webhook(deployment.sidecar.api, receiver.url, [EVENT], name="burst", secret=SECRET)
        try:
            source.prepare(deployment, count)
            receiver.reset()
            started = time.time()
            source_peaks = source.send(deployment, count)
            stats = receiver.wait_for(count, timeout=120 + count / 20)
            check_all_delivered_once(deployment, receiver, count)
            peaks = {name: peak_rss_mb(pid) for name, pid in deployment.pids.items() if name != "mariadb"}
        finally:
            deployment.sidecar.api.delete(f"/v2/webhooks/{webhook['id']}")
    return BurstRun(count, stats["last"] - started, {**source_peaks, **peaks})
