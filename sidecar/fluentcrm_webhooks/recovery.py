"""Self-healing as pure decisions: when a failed webhook is probed, and what a probe's answer means.
No I/O and no clock of its own: the engine's recovery round (engine.py) gathers the facts,
recovery_store.py stores what is decided here.

The rules (docs/delivery.md):
- A webhook that turns `failed` with `auto_recover` on is probed FCWH_RECOVERY_INTERVAL later
  (default an hour) with a `webhook.test` delivery marked as a test.
- A probe answered 2xx re-activates the webhook: its counters reset and its held deliveries are sent.
- Any other answer counts a failed probe; the next one waits min(interval x 2^probes, 24 x interval),
  so an hourly probe backs off to a daily one and a dead endpoint costs one request a day.
- `auto_recover` off, or a webhook not `failed` (re-activated by hand, set inactive): no probes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from .lifecycle import WebhookStatus, is_success

BACKOFF_CAP = 24  # the longest wait between probes, in intervals: hourly backs off to daily


class Step(StrEnum):
    NOTHING = "nothing"  # not failed, or auto_recover off
    SCHEDULE = "schedule"  # failed with no probe planned (failed before auto_recover was turned on)
    WAIT = "wait"  # a probe is planned, later
    PROBE = "probe"  # a probe is due now


@dataclass(frozen=True)
class RecoveryState:
    status: WebhookStatus
    auto_recover: bool
    probe_at: datetime | None  # the next probe, or the lease of the one in flight
    probes: int  # failed probes since the webhook turned failed


@dataclass(frozen=True)
class ProbeOutcome:
    recovered: bool
    probes: int  # failed probes after this one (0 when recovered)
    next_probe_at: datetime | None  # None when recovered


def plan(state: RecoveryState, now: datetime) -> Step:
    """What the recovery round does with this webhook now."""
    if state.status is not WebhookStatus.FAILED or not state.auto_recover:
        return Step.NOTHING
    if state.probe_at is None:
        return Step.SCHEDULE
    return Step.PROBE if state.probe_at <= now else Step.WAIT


def first_probe_at(now: datetime, interval: float) -> datetime:
    """The first probe after the webhook turned failed."""
    return now + timedelta(seconds=interval)


def backoff(probes: int, interval: float) -> float:
    """Seconds from a failed probe to the next, after `probes` failed probes (1 after the first)."""
    return min(interval * 2 ** min(max(probes, 0), 30), BACKOFF_CAP * interval)


def after_probe(state: RecoveryState, response_code: int | None, now: datetime, interval: float) -> ProbeOutcome:
    """A probe's answer: 2xx recovers the webhook, anything else (no answer included) backs off."""
    if is_success(response_code):
        return ProbeOutcome(True, 0, None)
    probes = state.probes + 1
    return ProbeOutcome(False, probes, now + timedelta(seconds=backoff(probes, interval)))
