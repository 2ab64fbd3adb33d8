"""What a FluentCRM REST call costs the site: `POST /fluent-crm/v2/subscribers` (create a contact,
which fires contact.created) with 10 webhooks subscribed to a receiver that takes 2 s to answer.

Three configurations of the same WordPress, measured in rounds so noise hits all of them:
the plugin inactive, the plugin active, and the synchronous `wp_remote_post` baseline plugin
(bench/wp-plugins/sync-remote-post) instead of ours.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .site import OURS, SYNC_BASELINE, BenchSite, CallTiming
from .stack import SECRET, Bench

WEBHOOKS = 10
SLOW_RECEIVER_SECONDS = 2.0


@dataclass
class SiteCost:
    inactive: list[CallTiming] = field(default_factory=list)
    ours: list[CallTiming] = field(default_factory=list)
    synchronous: list[CallTiming] = field(default_factory=list)


def measure_site_cost(bench: Bench, site: BenchSite, *, rounds: int, calls_per_round: int) -> SiteCost:
    cost = SiteCost()
    receiver = bench.receiver(delay=SLOW_RECEIVER_SECONDS)
    with bench.deployment(database=site.database) as deployment:
        site.connect(deployment.sidecar)
        site.activate_only(OURS)
        site.create_webhooks(receiver.url, ["contact.created"], WEBHOOKS, SECRET)
        calls = 0
        try:
            for _ in range(rounds):
                for plugins, timings in (((), cost.inactive), ((OURS,), cost.ours)):
                    site.activate_only(*plugins)
                    site.timed_create_contact(calls)  # the first call after a switch warms caches
                    calls += 1
                    for _ in range(calls_per_round):
                        timings.append(site.timed_create_contact(calls))
                        calls += 1
                # 10 x 2 s per call: one per round is plenty to show it.
                site.activate_only(SYNC_BASELINE)
                cost.synchronous.append(site.timed_create_contact(calls))
                calls += 1
        finally:
            site.activate_only(OURS)
            site.delete_all_webhooks()
    bench.release(receiver)
    return cost
