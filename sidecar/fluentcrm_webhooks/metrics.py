"""Prometheus metrics (docs/deployment.md, "Metrics", lists every series).

Two kinds:
- counted in this process, as things happen: attempts by outcome and their latency (observed by the
  engine where an outcome is decided), intake batches, events and refusals (the POST /v2/events
  route). They start at zero when the process starts, like every Prometheus counter; `worker`
  processes count their own attempts (FCWH_METRICS_PORT exposes them, opsserver.py).
- read from the database at scrape time by `DatabaseCollector`, the same whatever process answers:
  deliveries by webhook and status, the queue's depth and age, webhooks by status and paced. Two
  queries per scrape (snapshot.py), none between scrapes.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable

from peewee import Database
from prometheus_client import CollectorRegistry, Counter, Histogram, ProcessCollector, disable_created_metrics
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.exposition import choose_encoder
from prometheus_client.registry import Collector

from . import snapshot
from .lifecycle import DeliveryStatus, WebhookStatus, is_success
from .sender import AttemptResult
from .timeutil import utcnow

log = logging.getLogger("fluentcrm_webhooks.metrics")

# No `_created` series beside every counter and histogram: they double the series and the start time
# is process_start_time_seconds already.
disable_created_metrics()

# The outcomes of an attempt, as the `outcome` label says them.
SUCCESS = "success"  # a 2xx
FAILURE = "failure"  # an answer that is not a 2xx (3xx: redirects are not followed, 4xx, 5xx)
TIMEOUT = "timeout"  # no complete answer within FCWH_TIMEOUT
CONNECTION_ERROR = "connection_error"  # refused, reset, DNS, TLS: no answer at all
FORBIDDEN_TARGET = "forbidden_target"  # not sent: the URL or its addresses are not allowed
OUTCOMES = (SUCCESS, FAILURE, TIMEOUT, CONNECTION_ERROR, FORBIDDEN_TARGET)

# Seconds; receivers are 5 ms to 300 ms away, a dead one takes FCWH_TIMEOUT (30 s by default, 300 at most).
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0)

# Process-wide, registered in no registry of their own: `registry()` puts them in each one it builds.
ATTEMPTS = Counter("fcwh_attempts", "Delivery attempts made by this process, by webhook and outcome.",
                   ["webhook", "outcome"], registry=None)
ATTEMPT_SECONDS = Histogram("fcwh_attempt_duration_seconds",
                            "How long attempts made by this process took, connect to the whole answer, by outcome.",
                            ["outcome"], buckets=LATENCY_BUCKETS, registry=None)
INTAKE_BATCHES = Counter("fcwh_intake_batches", "Batches of events recorded by POST /v2/events.", registry=None)
INTAKE_EVENTS = Counter("fcwh_intake_events", "Events in recorded batches: accepted (new) or duplicate (id seen).",
                        ["result"], registry=None)
INTAKE_DELIVERIES = Counter("fcwh_intake_deliveries", "Deliveries recorded by intake (events x subscribed webhooks).",
                            registry=None)
INTAKE_REFUSED = Counter("fcwh_intake_refused", "POST /v2/events requests answered with an error, by HTTP status.",
                         ["status"], registry=None)
PROCESS_METRICS = (ATTEMPTS, ATTEMPT_SECONDS, INTAKE_BATCHES, INTAKE_EVENTS, INTAKE_DELIVERIES, INTAKE_REFUSED)


def attempt_outcome(result: AttemptResult) -> str:
    """The outcome label of one attempt's result (sender.py names the error by its exception class)."""
    if result.response_code is not None:
        return SUCCESS if is_success(result.response_code) else FAILURE
    error = result.error or ""
    if error.startswith("TimeoutError"):
        return TIMEOUT
    if error.startswith(("ForbiddenTarget", "UrlRejected")):
        return FORBIDDEN_TARGET
    return CONNECTION_ERROR


def observe_attempt(webhook_id: int, result: AttemptResult) -> None:
    outcome = attempt_outcome(result)
    ATTEMPTS.labels(webhook=str(webhook_id), outcome=outcome).inc()
    ATTEMPT_SECONDS.labels(outcome=outcome).observe(result.response_time / 1000)


def observe_intake(accepted: int, duplicates: int, deliveries: int) -> None:
    INTAKE_BATCHES.inc()
    INTAKE_EVENTS.labels(result="accepted").inc(accepted)
    INTAKE_EVENTS.labels(result="duplicate").inc(duplicates)
    INTAKE_DELIVERIES.inc(deliveries)


class DatabaseCollector(Collector):
    """Gauges read from the database when scraped. A database that cannot be read makes
    fcwh_database_up 0 and leaves the database's gauges out; the process's counters still answer."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def collect(self) -> Iterable[GaugeMetricFamily]:
        started = time.monotonic()
        try:
            with self.db.connection_context():
                now = utcnow()
                counts = snapshot.delivery_counts()
                backlogs = snapshot.webhook_backlogs(now)
        except Exception as error:  # any driver error: the scrape still answers, and says so
            log.warning("metrics: the database could not be read (%s)", error.__class__.__name__)
            yield _gauge("fcwh_database_up", "1 when this scrape could read the database, else 0.", 0)
            return
        yield _gauge("fcwh_database_up", "1 when this scrape could read the database, else 0.", 1)
        yield from database_families(counts, backlogs, now)
        yield _gauge("fcwh_metrics_query_seconds", "How long this scrape's database queries took.",
                     time.monotonic() - started)

    def describe(self) -> Iterable[GaugeMetricFamily]:
        return []  # collected only when scraped: registering must not query the database


def database_families(counts: list[tuple[int, str, int]], backlogs: list[snapshot.WebhookBacklog],
                      now) -> list[GaugeMetricFamily]:
    """The database's gauges from the two queries' rows (pure: unit-tested with rows made by hand)."""
    deliveries = GaugeMetricFamily("fcwh_deliveries", "Deliveries in the log, by webhook and status "
                                   "(pending includes retrying, in flight and held).", labels=["webhook", "status"])
    for webhook_id, status, count in sorted(counts):
        deliveries.add_metric([str(webhook_id), status], count)
    for backlog in backlogs:  # a webhook with no deliveries yet still shows, with zeros
        for status in DeliveryStatus:
            if not any(c[0] == backlog.webhook_id and c[1] == status.value for c in counts):
                deliveries.add_metric([str(backlog.webhook_id), status.value], 0)
    active = [b for b in backlogs if b.status == WebhookStatus.ACTIVE.value]
    oldest_due = min((b.oldest_due_at for b in active if b.oldest_due_at is not None), default=None)
    oldest_pending = min((b.oldest_pending_at for b in active if b.oldest_pending_at is not None), default=None)
    webhooks = GaugeMetricFamily("fcwh_webhooks", "Webhooks by status (failed: disabled by the sidecar).",
                                 labels=["status"])
    for status in WebhookStatus:
        webhooks.add_metric([status.value], sum(1 for b in backlogs if b.status == status.value))
    return [
        deliveries,
        _gauge("fcwh_queue_depth", "Pending deliveries of active webhooks due now, not yet claimed.",
               sum(b.due for b in active)),
        _gauge("fcwh_queue_lag_seconds", "How long the most overdue of those has been due (0: none is waiting).",
               _age(now, oldest_due)),
        _gauge("fcwh_oldest_pending_age_seconds", "Age of the oldest pending delivery of an active webhook, "
               "retrying or in flight included (0: none).", _age(now, oldest_pending)),
        webhooks,
        _gauge("fcwh_webhooks_paced", "Active webhooks whose endpoint is in trouble: one attempt at a time.",
               sum(1 for b in active if b.paced)),
    ]


def _age(now, then) -> float:
    return max(0.0, (now - then).total_seconds()) if then is not None else 0.0


def _gauge(name: str, documentation: str, value: float) -> GaugeMetricFamily:
    return GaugeMetricFamily(name, documentation, value=value)


class EngineCollector(Collector):
    """This process's delivery engine, read when scraped: attempts in flight, outcomes not yet committed."""

    def __init__(self, engine) -> None:
        self.engine = engine

    def collect(self) -> Iterable[GaugeMetricFamily]:
        vitals = self.engine.vitals()
        yield _gauge("fcwh_attempts_in_flight", "Attempts this process has in flight now.", vitals.in_flight)
        yield _gauge("fcwh_outcomes_uncommitted", "Outcomes this process holds in memory, not yet committed "
                     "(they grow while the database is away).", vitals.uncommitted)

    def describe(self) -> Iterable[GaugeMetricFamily]:
        return []


def registry(db: Database | None = None, engine=None) -> CollectorRegistry:
    """A registry for one /metrics endpoint: this process's counters, its CPU and memory, and the
    database's gauges (`db`) and the engine's (`engine`) when given."""
    built = CollectorRegistry(auto_describe=False)
    for metric in PROCESS_METRICS:
        built.register(metric)
    ProcessCollector(registry=built)
    if engine is not None:
        built.register(EngineCollector(engine))
    if db is not None:
        built.register(DatabaseCollector(db))
    return built


def exposition(built: CollectorRegistry, accept: str | None) -> tuple[bytes, str]:
    """The scrape's body and content type: the Prometheus text format, or OpenMetrics when asked."""
    encoder, content_type = choose_encoder(accept or "")
    return encoder(built), content_type
