"""Attempts, start to finish: claim, sign, send, record the outcome, decide what comes next.

A task's chunk of deliveries is claimed in one transaction and recorded in one: per delivery the
database work is a share of a few statements, not eight round trips of its own (profiling showed
those round trips costing twice the HTTP send). The deliveries table is the record; the queue
only wakes workers."""

from __future__ import annotations

import calendar
import logging
import time
from dataclasses import dataclass
from datetime import timedelta
from typing import Callable

from . import queries, sender
from .config import Settings
from .models import Delivery, Webhook
from .payloads import build_headers
from .retry import is_success, next_delay, parse_retry_after
from .timeutil import utcnow

log = logging.getLogger("fluentcrm_webhooks.delivery")


@dataclass(frozen=True)
class Outcome:
    delivery_id: int
    status: str  # success, failed, or pending (a retry is scheduled)
    result: sender.AttemptResult
    retry_in: float | None = None


def lease_seconds(settings: Settings) -> float:
    """How long a claimed delivery is kept from others: connect + read timeouts and a margin."""
    return 2 * settings.timeout + 5


def attempt_deliveries(settings: Settings, delivery_ids: list[int],
                       schedule_retry: Callable[[int, float], None]) -> list[Outcome]:
    """One attempt for each due delivery among `delivery_ids`: claimed together, sent one after
    another on this thread's kept-alive session, recorded together. A handful of statements per
    chunk instead of eight per delivery: the database round trips were most of the CPU."""
    bound = lease_seconds(settings)
    claimed = queries.claim_due_deliveries(delivery_ids, 2 * bound)
    lease_ends = time.monotonic() + 2 * bound
    records: list[queries.AttemptRecord] = []
    outcomes: list[Outcome] = []
    for index, (delivery, webhook) in enumerate(claimed):
        if lease_ends - time.monotonic() < bound:
            # Slow receivers: record what is done and keep the rest ours for another two bounds.
            outcomes += _record(records, schedule_retry)
            records = []
            queries.extend_lease([d.id for d, _ in claimed[index:]], 2 * bound)
            lease_ends = time.monotonic() + 2 * bound
        records.append(_attempt(settings, delivery, webhook))
    return outcomes + _record(records, schedule_retry)


def _attempt(settings: Settings, delivery: Delivery, webhook: Webhook) -> queries.AttemptRecord:
    attempted_at = utcnow()
    result, headers = send_once(settings, delivery, webhook)
    if is_success(result.response_code):
        status, delay = "success", None
    else:
        retry_after = parse_retry_after(result.retry_after)
        delay = next_delay(delivery.attempts + 1, settings.retry_delays, result.response_code, retry_after)
        status = "failed" if delay is None else "pending"
    next_at = attempted_at + timedelta(seconds=delay) if delay is not None else None
    return queries.AttemptRecord(delivery, result, headers, attempted_at, status, next_at)


def _record(records: list[queries.AttemptRecord], schedule_retry: Callable[[int, float], None]) -> list[Outcome]:
    if not records:
        return []
    disabled = queries.record_attempts(records)
    outcomes = []
    for record in records:
        delivery, result = record.delivery, record.result
        delay = (record.next_attempt_at - record.attempted_at).total_seconds() if record.next_attempt_at else None
        log.info("delivery %s webhook %s event %s attempt %s: %s (%s, %s ms)%s", delivery.id, delivery.webhook_id,
                 delivery.event, delivery.attempts + 1, record.final_status, result.response_code or result.error,
                 result.response_time, f", retry in {delay:g}s" if delay is not None else "")
        if delay is not None:
            schedule_retry(delivery.id, delay)  # after the commit: the retry must see the new row
        outcomes.append(Outcome(delivery.id, record.final_status, result, delay))
    for webhook_id in disabled:
        log.warning("webhook %s disabled after failed deliveries in a row; its events are held", webhook_id)
    return outcomes


def send_once(settings: Settings, delivery: Delivery, webhook: Webhook) -> tuple[sender.AttemptResult, dict[str, str]]:
    body = delivery.body.encode("utf-8")
    now = utcnow()
    headers = build_headers(event=delivery.event, webhook_id=webhook.id, delivery_id=delivery.id,
                            signature=delivery.signature, secret=webhook.secret, body=body,
                            attempt_time=calendar.timegm(now.timetuple()))
    result = sender.post(webhook.url, body, headers, timeout=settings.timeout,
                         allow_private=settings.allow_private_targets)
    return result, headers


def send_test(settings: Settings, delivery: Delivery, webhook: Webhook) -> sender.AttemptResult:
    """POST /test: one attempt now, no retries, not counted toward auto-disable."""
    attempted_at = utcnow()
    result, headers = send_once(settings, delivery, webhook)
    final_status = "success" if is_success(result.response_code) else "failed"
    queries.record_attempts([queries.AttemptRecord(delivery, result, headers, attempted_at, final_status, None)],
                            counts_for_webhook=False)
    return result
