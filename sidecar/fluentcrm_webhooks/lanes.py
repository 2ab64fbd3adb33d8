"""Per-webhook lanes: how many of a process's free attempt slots each webhook may take now. Pure.

Each active webhook is a lane. A lane never holds more than
- its cap: the webhook's `max_concurrency`, or FCWH_WEBHOOK_CONCURRENCY;
- its share: the slots less a reserve (an eighth, at least one), divided among the busy lanes, so
  slots are always left for a webhook that has no work yet, and a dead receiver's timeouts can
  never hold every slot (docs/delivery.md);
- one attempt while the webhook is paced (its endpoint in trouble), and none until its next
  probe is due.
Free slots are handed out one at a time round robin, from a starting lane that rotates every round,
so no webhook's backlog is served first forever.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class LaneState:
    webhook_id: int
    cap: int  # configured attempts in flight at most (per process)
    in_flight: int  # attempts of this process in flight now
    paced: bool = False
    probe_due: bool = True  # paced only: may a probe start now
    has_work: bool = True  # does it have due deliveries, as far as we know


# The part of the slots no busy lane may take: a webhook whose first event arrives while others
# hold their shares starts at once. An eighth is 32 of the default 256 (FCWH_WORKERS).
RESERVE_FRACTION = 8


def reserve(slots: int) -> int:
    return max(1, slots // RESERVE_FRACTION) if slots > 1 else 0


def share(slots: int, lanes: Sequence[LaneState]) -> int:
    busy = max(1, sum(1 for lane in lanes if lane.in_flight > 0 or lane.has_work))
    return max(1, (slots - reserve(slots)) // busy)


def room(lane: LaneState, fair_share: int) -> int:
    """How many more attempts this lane may start now."""
    if lane.paced:
        return 1 if lane.in_flight == 0 and lane.probe_due else 0
    return max(0, min(lane.cap, fair_share) - lane.in_flight)


def allocate(free: int, wants: Sequence[tuple[int, int]], start: int = 0) -> dict[int, int]:
    """Hand `free` slots to lanes that want (webhook_id, n) of them, one at a time round robin
    beginning at `start`; returns webhook_id -> slots granted (lanes granted none are left out)."""
    if not wants or free <= 0:
        return {}
    order = list(wants[start % len(wants):]) + list(wants[:start % len(wants)])
    remaining = {webhook_id: n for webhook_id, n in order if n > 0}
    granted: dict[int, int] = {}
    while free > 0 and remaining:
        for webhook_id in list(remaining):
            if free == 0:
                break
            granted[webhook_id] = granted.get(webhook_id, 0) + 1
            free -= 1
            remaining[webhook_id] -= 1
            if remaining[webhook_id] == 0:
                del remaining[webhook_id]
    return granted
