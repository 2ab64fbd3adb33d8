"""Retention's figures (pruner.py), on MariaDB as a WordPress site runs it:

- `prune`: intake latency (POST /v2/events, one batch at a time) while `serve` prunes a log of a
  million old finished deliveries and their attempts, against the same `serve` with the same log
  and retention off, in the same run.
- `year`: the delivery log's size over a simulated year of weekly campaigns to two webhooks, with
  the default retention against none (the same rows, pruned or not, by the product's own `prune`).
"""

from __future__ import annotations

import json
import time
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from playhouse.db_url import connect

from fluentcrm_webhooks import pruner
from fluentcrm_webhooks.config import Settings
from fluentcrm_webhooks.db import bind
from fluentcrm_webhooks.migrations import migrate
from fluentcrm_webhooks.models import Attempt, Delivery, Webhook
from fluentcrm_webhooks.timeutil import utcnow

from .measure import median, percentile
from .report import Report, Row, ratio
from .stack import Bench
from .suites import Options
from tests.support.api import create_webhook, now_iso

PRUNE_ROWS = 1_000_000
INTAKE_SECONDS = 20.0  # of POST /v2/events (10 events each, one at a time) measured per run
YEAR_WEEKS = 52
CAMPAIGN_EMAILS = 5_000  # a tenth of the 50,000 per week: the shape is the same, the run 10x shorter
BODY = json.dumps({"id": "x", "event": "email.sent", "timestamp": "2024-01-15T10:30:00Z", "webhook_id": 1,
                   "data": {"contact": {"id": 1, "email": "someone@example.com", "first_name": "Someone"},
                            "email": {"id": 1, "subject": "This week's news", "contact_id": 1,
                                      "campaign_id": 1, "sent_at": "2024-01-15T10:30:00Z"}}})


def _sql(bench: Bench, database_name: str, statement: str, args=None) -> None:
    bench.mariadb.sql(statement, args, database=database_name)


def fill_old_log(bench: Bench, database_name: str, webhook_id: int, rows: int, days_old: int) -> None:
    """`rows` finished deliveries of `webhook_id`, each with one attempt, `days_old` days old:
    1,000 inserted, then doubled by INSERT ... SELECT until there are enough."""
    then = utcnow() - timedelta(days=days_old)
    table, attempts = "wp_fcwh_deliveries", "wp_fcwh_attempts"
    columns = "webhook_id, event, event_id, body, status, attempts, response_code, response_time, attempted_at, " \
              "created_at, contact_id"
    seed = [(webhook_id, "email.sent", str(uuid.uuid4()), BODY, "success", 1, 200, 20, then, then, index % 5000 + 1)
            for index in range(1000)]
    marks = "(" + ", ".join(["%s"] * len(seed[0])) + ")"
    _sql(bench, database_name, f"INSERT INTO {table} ({columns}) VALUES " + ", ".join([marks] * len(seed)),
         [value for row in seed for value in row])
    count = 1000
    while count < rows:
        take = min(count, rows - count)
        _sql(bench, database_name, f"INSERT INTO {table} ({columns}) SELECT {columns.replace('event_id', 'UUID()')} "
                                   f"FROM {table} LIMIT {take}")
        count += take
    _sql(bench, database_name, f"INSERT INTO {attempts} (delivery_id, attempted_at, response_code, response_time) "
                               f"SELECT id, attempted_at, 200, 20 FROM {table}")


def _count(bench: Bench, database_name: str, table: str) -> int:
    return int(bench.mariadb.sql(f"SELECT COUNT(*) FROM {table}", database=database_name)[0][0])


@dataclass(frozen=True)
class IntakeDuringPrune:
    p50_ms: float
    p99_ms: float
    pruned: int  # deliveries deleted while intake was measured
    seconds: float


def intake_latency(bench: Bench, *, retention_days: int, rows: int, seconds: float) -> IntakeDuringPrune:
    """A fresh database with `rows` 60-day-old deliveries; `serve` with the given retention (0: off)
    and its first prune a few seconds after start; timed POST /v2/events for `seconds`."""
    env = {"FCWH_RETENTION_DAYS": str(retention_days), "FCWH_PRUNE_INTERVAL": "86400"}
    with bench.deployment(env=env) as deployment:
        sidecar = deployment.sidecar
        webhook = create_webhook(sidecar.api, "https://127.0.0.1:9/unused", ["contact.created"], name="old log")
        fill_old_log(bench, deployment.database, webhook["id"], rows, days_old=60)
        # Restarted, so its first prune (pruner.FIRST_PASS_AFTER) meets the full log.
        sidecar.stop()
        sidecar.start()
        time.sleep(pruner.FIRST_PASS_AFTER + 0.5)
        before = _count(bench, deployment.database, "wp_fcwh_deliveries")
        latencies = []
        started = time.perf_counter()
        index = 0
        while time.perf_counter() - started < seconds:
            index += 1
            events = [{"id": str(uuid.uuid4()), "event": "campaign.sent", "timestamp": now_iso(),
                       "data": {"campaign": {"id": index}}} for _ in range(10)]
            sent = time.perf_counter()
            answer = sidecar.api.post("/v2/events", json={"events": events}, timeout=60)
            latencies.append((time.perf_counter() - sent) * 1000)
            assert answer.status_code == 200, answer.text
        seconds = time.perf_counter() - started
        pruned = before - _count(bench, deployment.database, "wp_fcwh_deliveries")
    return IntakeDuringPrune(median(latencies), percentile(latencies, 0.99), pruned, seconds)


def prune_under_intake(bench: Bench, report: Report, options: Options) -> None:
    rows, seconds = (100_000, 5.0) if options.quick else (PRUNE_ROWS, INTAKE_SECONDS)
    without = intake_latency(bench, retention_days=0, rows=rows, seconds=seconds)
    during = intake_latency(bench, retention_days=30, rows=rows, seconds=seconds)
    met = during.p99_ms <= 1.5 * without.p99_ms
    report.add(Row(f"12. intake p99 while {rows:,} old deliveries are pruned (MariaDB)",
                   f"{during.p99_ms:.1f} ms", f"no prune {without.p99_ms:.1f} ms",
                   ratio(during.p99_ms, without.p99_ms), "<= 1.5x", met))
    report.note(f"prune: intake p50 {during.p50_ms:.1f} ms during / {without.p50_ms:.1f} ms without; "
                f"{during.pruned:,} of {rows:,} deliveries (and their attempts) pruned during the "
                f"{during.seconds:.0f} s of measured intake ({during.pruned / during.seconds:,.0f}/s, batches of {pruner.PRUNE_BATCH} "
                f"in the gaps of intake, paced to a third of the time at most); "
                f"retention off pruned {without.pruned}")


def simulate_year(bench: Bench, retention_days: int, weeks: int, emails: int) -> list[tuple[int, int, int]]:
    """(week, deliveries, attempts) after each week's campaign and prune."""
    name = bench.fresh_database()
    db = connect(bench.mariadb.url(name))
    bind(db, "wp_")
    settings = Settings(retention_days=retention_days)
    sizes = []
    start = datetime(2025, 1, 6, 9, 0, 0)
    with db.connection_context():
        migrate(db)
        hooks = [Webhook.create(name=f"hook {n}", url="https://127.0.0.1:9/", events='["email.sent"]', status="active",
                                secret="s", consecutive_failures=0, created_at=start, updated_at=start,
                                pace_failures=0) for n in range(2)]
        for week in range(1, weeks + 1):
            sent_at = start + timedelta(weeks=week - 1)
            for hook in hooks:
                for offset in range(0, emails, 1000):
                    with db.atomic():
                        Delivery.insert_many([{
                            "webhook_id": hook.id, "event": "email.sent", "event_id": str(uuid.uuid4()), "body": BODY,
                            "status": "success", "attempts": 1, "response_code": 200, "response_time": 20,
                            "attempted_at": sent_at, "created_at": sent_at, "contact_id": offset + n + 1,
                        } for n in range(min(1000, emails - offset))]).execute()
            ids = [row.id for row in Delivery.select(Delivery.id).where(Delivery.created_at == sent_at)]
            for offset in range(0, len(ids), 1000):
                Attempt.insert_many([{"delivery_id": i, "attempted_at": sent_at, "response_code": 200,
                                      "response_time": 20} for i in ids[offset:offset + 1000]]).execute()
            pruner.prune(settings, now=sent_at + timedelta(hours=1), pause=0)
            sizes.append((week, Delivery.select().count(), Attempt.select().count()))
    db.close()
    bench.mariadb.sql(f"DROP DATABASE IF EXISTS `{name}`")
    return sizes


def year_of_campaigns(bench: Bench, report: Report, options: Options) -> None:
    weeks, emails = (12, 500) if options.quick else (YEAR_WEEKS, CAMPAIGN_EMAILS)
    kept = simulate_year(bench, Settings().retention_days, weeks, emails)
    unpruned = simulate_year(bench, 0, weeks, emails)
    steady = max(rows for week, rows, _ in kept if week >= 6)  # after the first 30 days have passed
    flat = kept[-1][1] <= steady and kept[-1][1] <= 2 * emails * 5  # at most five weeks' worth, ever
    report.add(Row(f"12. delivery log after {weeks} weekly campaigns of {emails:,} emails to 2 webhooks",
                   f"{kept[-1][1]:,} rows (peak after week 6: {steady:,})", f"no retention {unpruned[-1][1]:,} rows",
                   ratio(kept[-1][1], unpruned[-1][1]), "flat: at most 5 weeks' worth", flat))
    marks = [week for week in (4, 13, 26, 39, 52) if week <= weeks]
    report.note("year: deliveries (attempts) kept at weeks " + ", ".join(
        f"{week}: {kept[week - 1][1]:,} ({kept[week - 1][2]:,}) vs {unpruned[week - 1][1]:,}" for week in marks)
        + f"; the issue's 50,000 emails a week is 10x these rows, the same shape")


RETENTION_SUITES = {"prune": prune_under_intake, "year": year_of_campaigns}
