"""One attempt of one delivery, start to finish: claim it, sign it, send it, record the outcome,
and decide what comes next. The deliveries table is the record; the queue only wakes workers."""

from __future__ import annotations

import calendar
import logging
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


def attempt_delivery(settings: Settings, delivery_id: int,
                     schedule_retry: Callable[[int, float], None]) -> Outcome | None:
    """Make one attempt if the delivery is due and its webhook active; None when there is nothing to do."""
    delivery = queries.find_delivery(delivery_id)
    if delivery is None or delivery.status != "pending":
        return None
    webhook = queries.find_webhook(delivery.webhook_id)
    if webhook is None or webhook.status != "active":
        return None  # held: sent when the webhook is set active again
    if not queries.claim_delivery(delivery, lease_seconds(settings)):
        return None
    return _send_and_record(settings, delivery, webhook, schedule_retry)


def _send_and_record(settings: Settings, delivery: Delivery, webhook: Webhook,
                     schedule_retry: Callable[[int, float], None]) -> Outcome:
    attempted_at = utcnow()
    result, headers = send_once(settings, delivery, webhook)
    attempts_made = delivery.attempts + 1
    if is_success(result.response_code):
        status, delay = "success", None
    else:
        retry_after = parse_retry_after(result.retry_after)
        delay = next_delay(attempts_made, settings.retry_delays, result.response_code, retry_after)
        status = "failed" if delay is None else "pending"
    next_at = attempted_at + timedelta(seconds=delay) if delay is not None else None
    webhook_status = queries.record_attempt(delivery, result, headers, attempted_at=attempted_at,
                                            final_status=status, next_attempt_at=next_at)
    log.info("delivery %s webhook %s event %s attempt %s: %s (%s, %s ms)%s", delivery.id, webhook.id,
             delivery.event, attempts_made, status, result.response_code or result.error, result.response_time,
             f", retry in {delay:g}s" if delay is not None else "")
    if webhook_status == "failed":
        log.warning("webhook %s disabled after failed deliveries in a row; its events are held", webhook.id)
    if delay is not None:
        schedule_retry(delivery.id, delay)
    return Outcome(delivery.id, status, result, delay)


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
    queries.record_attempt(delivery, result, headers, attempted_at=attempted_at,
                           final_status="success" if is_success(result.response_code) else "failed",
                           next_attempt_at=None, counts_for_webhook=False)
    return result
