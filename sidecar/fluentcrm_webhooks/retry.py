"""Pure delivery decisions: did an attempt succeed, and when does the next one go."""

from __future__ import annotations

from datetime import datetime, timezone
from email.utils import parsedate_to_datetime

# Deliveries that end failed in a row before the webhook is disabled (webhooks-api.md).
AUTO_DISABLE_AFTER = 5

# Status codes whose Retry-After header we honour (DESIGN.md).
RETRY_AFTER_STATUSES = (429, 503)


def is_success(response_code: int | None) -> bool:
    """2xx only: a 3xx is a failure because redirects are not followed."""
    return response_code is not None and 200 <= response_code < 300


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds from a Retry-After header (delta-seconds or an HTTP date); None when absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    now = now or datetime.now(timezone.utc)
    if now.tzinfo is None:
        now = now.replace(tzinfo=timezone.utc)
    return max(0.0, (when - now).total_seconds())


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
