"""UTC time in one format: naive UTC datetimes in the database, ISO 8601 with Z on the wire."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import overload


def utcnow() -> datetime:
    """Now, as the naive UTC datetime the database stores (whole seconds: MySQL DATETIME has no fraction)."""
    return datetime.now(UTC).replace(tzinfo=None, microsecond=0)


@overload
def iso(value: datetime) -> str: ...
@overload
def iso(value: datetime | None) -> str | None: ...
def iso(value: datetime | None) -> str | None:
    if value is None:
        return None
    value = stored_datetime(value)
    if value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    return value.replace(microsecond=0).isoformat() + "Z"


def stored_datetime(value: datetime | str) -> datetime:
    """A datetime read from the database: SQLite hands back text for aggregates, grouped columns
    and some expressions, where MySQL hands back a datetime."""
    return datetime.fromisoformat(value) if isinstance(value, str) else value


def parse_iso(value: str) -> datetime:
    """Parse an ISO 8601 timestamp (a `Z` or an offset; none means UTC) into naive UTC. Raises ValueError."""
    if not isinstance(value, str) or not value:
        raise ValueError("not a timestamp")
    parsed = datetime.fromisoformat(value.replace("Z", "+00:00").replace("z", "+00:00"))
    if parsed.tzinfo is not None:
        try:
            parsed = parsed.astimezone(UTC).replace(tzinfo=None)
        except OverflowError:  # 0001-01-01T00:00:00+01:00 is in year 0 in UTC, which datetime lacks
            raise ValueError("the timestamp is out of range") from None
    return parsed
