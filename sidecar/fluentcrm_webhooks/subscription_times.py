"""When a webhook subscribed to each of its event types (issue 10): an event counts for a webhook
only from the time the webhook subscribed to its type, so adding a type later does not deliver
that type's older events still on their way (the plugin's outbox, a re-sent batch). Pure.

Stored in Webhook.event_subscribed_at as JSON {event type: ISO time, whole seconds, UTC}."""

from __future__ import annotations

import json
from datetime import datetime

from .stored_json import string_map
from .timeutil import iso, parse_iso


def decode(text: str | None) -> dict[str, str]:
    """The stored times; anything unreadable counts as none (intake then uses created_at)."""
    return string_map(text)


def subscribed_since(text: str | None, event_type: str, created_at: datetime) -> datetime:
    """From when `event_type` counts for the webhook: its stored time, else the webhook's creation."""
    stored = decode(text).get(event_type)
    if stored is not None:
        try:
            return parse_iso(stored)
        except ValueError:
            pass
    return created_at


def after_change(previous: dict[str, str], events: list[str], now: datetime) -> dict[str, str]:
    """The times once subscribed to `events`: kept types keep theirs, new ones get now, dropped
    ones are forgotten (re-adding a type later starts it afresh)."""
    return {event: previous.get(event) or iso(now) for event in events}


def encode(times: dict[str, str]) -> str:
    return json.dumps(times)
