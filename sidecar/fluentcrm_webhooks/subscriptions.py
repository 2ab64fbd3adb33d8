"""Which webhooks an event belongs to: subscribed to its type, subscribed when it happened, and
passing the webhook's conditions (conditions.py). Pure; intake.py reads the webhooks and asks.

The time rule (docs/sidecar-api.md): a webhook receives the events that happened while it was
subscribed to their type, however late they reach the sidecar (an event may wait in the plugin's
outbox while the sidecar is down). "While subscribed" is from the time the type was added to the
webhook (`event_subscribed_at`), or the webhook's creation when that is not known, compared at
whole seconds: timestamps on the wire and times in the database both have no finer precision.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from . import conditions, subscription_times
from .events import IncomingEvent
from .stored_json import object_or_none
from .timeutil import parse_iso


@dataclass(frozen=True)
class Subscription:
    webhook_id: int
    events: frozenset[str]
    created_at: datetime
    since: Mapping[str, datetime]  # event type -> when the webhook subscribed to it
    conditions: Mapping[str, Any] | None

    def wants(self, event: IncomingEvent, happened_at: datetime | None = None) -> bool:
        """`happened_at`: the event's time read once by a caller asking many webhooks (event_second())."""
        if event.event not in self.events:
            return False
        if happened_at is None:
            happened_at = event_second(event.timestamp)
        if happened_at < self.since.get(event.event, self.created_at).replace(microsecond=0):
            return False
        return conditions.matches(self.conditions, event.event, event.data)


def event_second(timestamp: str) -> datetime:
    """The event's time (ISO 8601, validated at intake) as naive UTC, in whole seconds."""
    return parse_iso(timestamp).replace(microsecond=0)


def happened_since(timestamp: str, since: datetime) -> bool:
    """The event's time is at or after `since` (naive UTC), in whole seconds."""
    return event_second(timestamp) >= since.replace(microsecond=0)


def subscription_of(webhook_id: int, events_json: str, created_at: datetime, subscribed_at_json: str | None,
                    conditions_json: str | None) -> Subscription:
    """A webhook's stored columns, read into a Subscription. A stored value that cannot be read
    counts as absent (no subscription time: the creation time; no conditions: every event)."""
    events = frozenset(json.loads(events_json))
    since = {event: subscription_times.subscribed_since(subscribed_at_json, event, created_at) for event in events}
    return Subscription(webhook_id, events, created_at, since, object_or_none(conditions_json))

