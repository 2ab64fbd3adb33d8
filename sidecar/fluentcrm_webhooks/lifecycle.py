"""The delivery lifecycle as pure decisions: what an attempt's outcome means for its delivery and
for its webhook. No I/O and no clock of its own: the delivery loop (engine.py) gathers the facts,
the ledger (ledger.py) stores what is decided here.

The rules (docs/delivery.md says how they combine):
- Success is a 2xx. A 3xx is a failure: redirects are not followed.
- A failed attempt is retried after the schedule's next entry (FCWH_RETRY_DELAYS); Retry-After on
  429/503 moves that delay within [entry, 2 x entry]. Past the last entry the delivery is `failed`.
- 410 Gone disables the webhook at once (Standard Webhooks); the delivery stays held, so it is sent
  when the webhook is re-activated.
- A webhook whose last AUTO_DISABLE_AFTER deliveries all ended `failed` turns `failed`.
- Endpoint trouble (no answer, a timeout, 5xx, 408, 429) paces the webhook: one attempt in flight,
  probes spaced by `probe_backoff`, until an answer that is not trouble.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from enum import StrEnum


class DeliveryStatus(StrEnum):
    PENDING = "pending"  # waiting for its next attempt, in flight, or held by a webhook not active
    SUCCESS = "success"
    FAILED = "failed"  # retries used up


class WebhookStatus(StrEnum):
    ACTIVE = "active"
    INACTIVE = "inactive"  # set by clients: nothing recorded, pending deliveries held
    FAILED = "failed"  # set by the sidecar only: events recorded and held until re-activated


class Verdict(StrEnum):
    SUCCESS = "success"
    RETRY = "retry"
    GIVE_UP = "give_up"
    DISABLE = "disable"  # 410 Gone: the webhook turns failed now, the delivery is held


# Deliveries that end failed in a row before the webhook is disabled (webhooks-api.md).
AUTO_DISABLE_AFTER = 5
# Status codes whose Retry-After header we honour (DESIGN.md).
RETRY_AFTER_STATUSES = (429, 503)
# Answers that mean "the endpoint is in trouble", not "this message is refused".
TROUBLE_STATUSES = frozenset({408, 429}) | frozenset(range(500, 600))
GONE = 410
# Probes of a paced webhook start this far apart and double, up to PROBE_BACKOFF_MAX or the first
# retry delay, whichever is shorter: a probe never waits longer than a retry would.
PROBE_BACKOFF_START = 1.0
PROBE_BACKOFF_MAX = 60.0


@dataclass(frozen=True)
class AttemptFacts:
    attempt: int  # 1 for the first attempt of this delivery (counting this one)
    response_code: int | None  # None: no answer (refused, reset, timed out)
    retry_after: float | None = None  # seconds, already parsed


@dataclass(frozen=True)
class Decision:
    verdict: Verdict
    retry_in: float | None = None  # seconds until the next attempt (RETRY only)
    trouble: bool = False  # the endpoint is in trouble: pace the webhook

    @property
    def delivery_status(self) -> DeliveryStatus:
        if self.verdict is Verdict.SUCCESS:
            return DeliveryStatus.SUCCESS
        if self.verdict is Verdict.GIVE_UP:
            return DeliveryStatus.FAILED
        return DeliveryStatus.PENDING

    @property
    def is_final(self) -> bool:
        """Final outcomes are what the consecutive-failure count is made of."""
        return self.verdict in (Verdict.SUCCESS, Verdict.GIVE_UP)


def is_success(response_code: int | None) -> bool:
    """2xx only: a 3xx is a failure because redirects are not followed."""
    return response_code is not None and 200 <= response_code < 300


def is_trouble(response_code: int | None) -> bool:
    return response_code is None or response_code in TROUBLE_STATUSES


def decide(facts: AttemptFacts, delays: tuple[int, ...]) -> Decision:
    """What one attempt's outcome means for its delivery."""
    if is_success(facts.response_code):
        return Decision(Verdict.SUCCESS)
    if facts.response_code == GONE:
        return Decision(Verdict.DISABLE)
    trouble = is_trouble(facts.response_code)
    delay = next_delay(facts.attempt, delays, facts.response_code, facts.retry_after)
    if delay is None:
        return Decision(Verdict.GIVE_UP, trouble=trouble)
    return Decision(Verdict.RETRY, retry_in=delay, trouble=trouble)


def next_delay(attempts_made: int, delays: tuple[int, ...], response_code: int | None = None,
               retry_after: float | None = None) -> float | None:
    """Seconds to wait before the next attempt, or None when the retries are used up.

    `attempts_made` counts the attempt that just failed (1 after the first). A Retry-After on 429
    or 503 moves the delay within [schedule entry, 2 x entry], so a receiver can slow us down but
    neither stall a delivery for a day nor make us hammer it.
    """
    if attempts_made < 1 or attempts_made > len(delays):
        return None
    entry = float(delays[attempts_made - 1])
    if retry_after is not None and response_code in RETRY_AFTER_STATUSES:
        return min(max(retry_after, entry), 2 * entry)
    return entry


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds from a Retry-After header (delta-seconds or an HTTP date); None when absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    if value.isascii() and value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    now = now or datetime.now(UTC)
    if now.tzinfo is None:
        now = now.replace(tzinfo=UTC)
    return max(0.0, (when - now).total_seconds())


def run_after(current: int, outcomes: Iterable[bool]) -> int:
    """A run counter folded over outcomes in order: True adds one, False resets to zero.

    Used for both of a webhook's counters: deliveries ended failed in a row (True = failed,
    False = success) and attempts in trouble in a row (True = trouble, False = any other answer).
    """
    for counts in outcomes:
        current = current + 1 if counts else 0
    return current


@dataclass(frozen=True)
class WebhookState:
    status: WebhookStatus
    consecutive_failures: int  # deliveries ended failed since the last success
    pace_failures: int  # attempts in trouble since the last answer that was not trouble (0: healthy)


def webhook_after(state: WebhookState, decisions: Iterable[Decision]) -> WebhookState:
    """A webhook's state after a run of its attempts' decisions, in the order they ended."""
    decisions = list(decisions)
    finals = [d.verdict is Verdict.GIVE_UP for d in decisions if d.is_final]
    consecutive = run_after(state.consecutive_failures, finals)
    pace = run_after(state.pace_failures, [d.trouble for d in decisions])
    status = state.status
    if status is WebhookStatus.ACTIVE and (
            any(d.verdict is Verdict.DISABLE for d in decisions) or consecutive >= AUTO_DISABLE_AFTER):
        status = WebhookStatus.FAILED
    return WebhookState(status, consecutive, pace)


def probe_backoff(pace_failures: int, delays: tuple[int, ...]) -> float:
    """Seconds between probes of a paced webhook after `pace_failures` attempts in trouble in a row."""
    if pace_failures < 1:
        return 0.0
    ceiling = min(PROBE_BACKOFF_MAX, float(delays[0])) if delays else PROBE_BACKOFF_MAX
    return min(PROBE_BACKOFF_START * 2 ** min(pace_failures - 1, 30), ceiling)
