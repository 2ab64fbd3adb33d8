"""What a FluentCRM REST call costs the site: `POST /fluent-crm/v2/subscribers` (create a contact,
which fires contact.created) with 10 webhooks subscribed to a receiver that takes 2 s to answer.

Three configurations of the same WordPress, measured in rounds so noise hits all of them:
the plugin inactive, the plugin active, and the synchronous `wp_remote_post` baseline plugin
(bench/wp-plugins/sync-remote-post) instead of ours.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from tests.support.waiting import wait_until

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
        site.open_handover()  # the sidecar shares the site's database: the plugin's default path
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


# -- the same call on a real FluentCRM ---------------------------------------------------------------
# A pause before every timed call, the same for every configuration: the sidecar's work for the
# previous event (taking it, recording 10 deliveries, opening 10 connections to the receiver) is
# then over, so what is timed is the request itself, not the benchmark's own sidecar competing for
# the two cores (the sidecar's CPU per delivery is the throughput figures' subject).
SETTLE_SECONDS = 0.3
RECORDED_POLL_SECONDS = 0.01


@dataclass(frozen=True)
class Configuration:
    label: str
    mode: str  # the X-FCWH-Bench header (bench/mu-plugins/fcwh-bench-switch.php); "": the plugin as installed


INACTIVE = Configuration("plugin inactive", "inactive")
OURS_HTTP = Configuration("ours, events over HTTP (POST /v2/events)", "http")
OURS_HANDOVER = Configuration("ours, hand-over through the database", "")
REAL_CONFIGURATIONS = (INACTIVE, OURS_HTTP, OURS_HANDOVER)


@dataclass
class RealSiteCost:
    timings: dict[Configuration, list[CallTiming]]
    # Hand-over calls: seconds from the end of the request until the sidecar had taken the event
    # and recorded its deliveries (sending starts at once: the doorbell rings after that commit).
    handover_latency: list[float] = field(default_factory=list)


def measure_real_site_cost(bench: Bench, site: BenchSite, *, rounds: int, calls_per_round: int) -> RealSiteCost:
    """Real FluentCRM's create-contact call to the end of the request (php -S ends it after the
    shutdown work): the plugin inactive, active sending over HTTP as every event went before the
    hand-over, and active handing its events over through the database. The configurations
    alternate call by call (a request header picks one), in an order that turns every round.
    Every event of the active calls must then be recorded as 10 deliveries, or the run fails."""
    cost = RealSiteCost({config: [] for config in REAL_CONFIGURATIONS})
    receiver = bench.receiver(delay=SLOW_RECEIVER_SECONDS)
    with bench.deployment(database=site.database) as deployment:
        site.connect(deployment.sidecar)
        site.activate_only(OURS)
        ids = ",".join(map(str, site.create_webhooks(receiver.url, ["contact.created"], WEBHOOKS, SECRET)))
        count = f"SELECT COUNT(*) FROM {site.prefix}fcwh_deliveries WHERE webhook_id IN ({ids})"
        site.open_handover()
        calls, events = 0, 0
        try:
            for round_number in range(rounds):
                turn = round_number % len(REAL_CONFIGURATIONS)
                order = REAL_CONFIGURATIONS[turn:] + REAL_CONFIGURATIONS[:turn]
                for call in range(calls_per_round + (round_number == 0)):  # round 1's first calls warm caches
                    for config in order:
                        time.sleep(SETTLE_SECONDS)
                        timing = site.timed_create_contact(calls, headers={"X-FCWH-Bench": config.mode})
                        ended = time.perf_counter()
                        calls += 1
                        events += config is not INACTIVE
                        if round_number == 0 and not call:
                            continue
                        cost.timings[config].append(timing)
                        if config is OURS_HANDOVER:
                            cost.handover_latency.append(_until_recorded(site, count, WEBHOOKS * events) - ended)
            wait_until(lambda: site.sql(count)[0][0] >= WEBHOOKS * events, timeout=60, interval=0.1,
                       message=lambda: f"{WEBHOOKS * events} deliveries recorded")
            recorded = site.sql(count)[0][0]
            if recorded != WEBHOOKS * events:
                raise AssertionError(f"{recorded} deliveries recorded for {events} events x {WEBHOOKS} webhooks")
        finally:
            site.delete_all_webhooks()
    bench.release(receiver)
    return cost


def _until_recorded(site: BenchSite, count: str, expected: int, timeout: float = 10) -> float:
    """When the deliveries table holds `expected` rows (perf_counter time)."""
    deadline = time.perf_counter() + timeout
    while site.sql(count)[0][0] < expected:
        if time.perf_counter() > deadline:
            raise AssertionError(f"the hand-over did not record {expected} deliveries within {timeout:g} s")
        time.sleep(RECORDED_POLL_SECONDS)
    return time.perf_counter()
