"""The statements of self-healing: find the failed webhooks to probe, lease a probe, store its
outcome (and log it), re-activate. No HTTP (the engine sends probes) and no decisions of its own:
what to do is recovery.py's.

A probe is leased like a paced webhook's (ledger.claim): `recovery_probe_at` is pushed past the
attempt's deadline by a conditional UPDATE, so one process of many sends it; a process killed
mid-probe leaves a lease that runs out, and the probe is sent again.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import datetime

from . import ledger, recovery, webhooks_store
from .db import write_transaction
from .events import TEST_EVENT
from .lifecycle import WebhookStatus
from .logs import about
from .models import Delivery, Webhook, database
from .payloads import build_body
from .recovery import ProbeOutcome, RecoveryState, Step, first_probe_at, plan
from .timeutil import iso

log = logging.getLogger("fluentcrm_webhooks.delivery")

PROBE_MESSAGE = ("A recovery probe from FluentCRM Webhooks: this webhook was disabled after failed deliveries; "
                 "a 2xx answer re-activates it and sends the events it held.")


@dataclass(frozen=True)
class Probe:
    webhook: Webhook
    delivery: Delivery
    state: RecoveryState  # as leased: the failed-probe count the outcome builds on


def state_of(webhook: Webhook) -> RecoveryState:
    return RecoveryState(WebhookStatus(webhook.status), bool(webhook.auto_recover), webhook.recovery_probe_at,
                         webhook.recovery_probes or 0)


def lease_due_probes(now: datetime, lease_until: datetime, interval: float) -> list[Probe]:
    """Look at the failed webhooks that probe (one query, usually answering nothing): plan the
    first probe of those that have none (failed before an upgrade, or auto_recover turned on while
    failed; a webhook turning failed plans its own, ledger.py), and lease each due probe, creating
    its `webhook.test` delivery. A probe another process leased first is left to it."""
    candidates = list(Webhook.select().where(
        (Webhook.status == WebhookStatus.FAILED.value) & (Webhook.auto_recover == True)  # noqa: E712
        & (Webhook.recovery_probe_at.is_null() | (Webhook.recovery_probe_at <= now))).order_by(Webhook.id))
    probes = []
    for webhook in candidates:
        state = state_of(webhook)
        step = plan(state, now)
        if step is Step.SCHEDULE:
            Webhook.update(recovery_probe_at=first_probe_at(now, interval)).where(
                (Webhook.id == webhook.id) & Webhook.recovery_probe_at.is_null()).execute()
        elif step is Step.PROBE:
            with write_transaction(database.obj):
                taken = Webhook.update(recovery_probe_at=lease_until).where(
                    (Webhook.id == webhook.id) & (Webhook.status == WebhookStatus.FAILED.value)
                    & (Webhook.recovery_probe_at == webhook.recovery_probe_at)).execute()
                if not taken:
                    continue
                delivery = _probe_delivery(webhook, now)
            probes.append(Probe(webhook, delivery, state))
    return probes


def _probe_delivery(webhook: Webhook, now: datetime) -> Delivery:
    event_id = str(uuid.uuid4())
    data = {"message": PROBE_MESSAGE, "webhook": {"id": webhook.id, "name": webhook.name, "url": webhook.url}}
    body = build_body(event_id, TEST_EVENT, iso(now), webhook.id, data)
    return ledger.create_test_delivery(webhook, body, event_id, TEST_EVENT)


def store_outcome(webhook_id: int, outcome: ProbeOutcome) -> int | None:
    """Apply a probe's outcome to a webhook still failed. Recovered: re-activated as an admin's
    re-activation does it (webhooks_store.update_webhook: counters reset, held deliveries due now,
    in id order), and returns how many were released. Not recovered: the next probe is planned;
    returns None. A webhook changed by hand meanwhile (re-activated, set inactive, deleted) is left alone."""
    with write_transaction(database.obj):
        webhook = Webhook.get_or_none(Webhook.id == webhook_id)
        if webhook is None or webhook.status != WebhookStatus.FAILED.value:
            return None
        if outcome.recovered:  # its probe counters are reset there too, as for any decision about its status
            return webhooks_store.update_webhook(webhook, {"status": WebhookStatus.ACTIVE.value})
        Webhook.update(recovery_probes=outcome.probes, recovery_probe_at=outcome.next_probe_at).where(
            Webhook.id == webhook_id).execute()
        return None


def finish_probe(probe: Probe, record: ledger.AttemptRecord, delays: tuple[int, ...], interval: float) -> bool:
    """Store a probe's attempt (a test: it never counts toward disabling), then what its answer
    means (recovery.after_probe), and log it; True when it re-activated the webhook. The database's
    errors while storing the attempt are raised (keep the probe for the next round); once it is
    stored, a failure to store the outcome is only logged: the lease runs out and it is probed again."""
    ledger.record([record], delays, counts_for_webhook=False)
    outcome = recovery.after_probe(probe.state, record.result.response_code, record.attempted_at, interval)
    webhook_id, answer = probe.webhook.id, record.result.response_code or record.result.error
    context = about(record.delivery_id, webhook_id, record.event, response_code=record.result.response_code)
    try:
        released = store_outcome(webhook_id, outcome)
    except Exception:
        log.exception("webhook %s: the recovery probe's outcome could not be stored; it will be probed again",
                      webhook_id, extra=context)
        return False
    if released is not None:
        log.info("webhook %s recovered: recovery probe (delivery %s) answered %s; active again, "
                 "%d held deliveries are sent in order", webhook_id, record.delivery_id, answer, released, extra=context)
        return True
    if not outcome.recovered:
        log.info("webhook %s still failing: recovery probe %d (delivery %s) answered %s; next probe at %s",
                 webhook_id, outcome.probes, record.delivery_id, answer, iso(outcome.next_probe_at), extra=context)
    return False
