"""Self-healing: recovery.py's decisions (a table per rule), then the whole path in process: a
webhook turns failed, the engine's round probes it with a webhook.test, a 2xx re-activates it
and its held deliveries go out in id order. Also the pause: while paused nothing is claimed."""

import json
from datetime import datetime, timedelta

import pytest

from fluentcrm_webhooks import pause, recovery, recovery_store
from fluentcrm_webhooks.lifecycle import WebhookStatus
from fluentcrm_webhooks.models import Delivery, Webhook
from fluentcrm_webhooks.recovery import RecoveryState, Step
from fluentcrm_webhooks.timeutil import utcnow

from .conftest import deliver, event, make_webhook

NOW = datetime(2026, 1, 1, 12, 0, 0)
HOUR = 3600.0


def state(status=WebhookStatus.FAILED, auto_recover=True, probe_at=None, probes=0):
    return RecoveryState(status, auto_recover, probe_at, probes)


@pytest.mark.parametrize(("facts", "step"), [
    (state(WebhookStatus.ACTIVE, probe_at=NOW), Step.NOTHING),
    (state(WebhookStatus.INACTIVE, probe_at=NOW), Step.NOTHING),
    (state(auto_recover=False, probe_at=NOW), Step.NOTHING),
    (state(probe_at=None), Step.SCHEDULE),
    (state(probe_at=NOW + timedelta(seconds=1)), Step.WAIT),
    (state(probe_at=NOW), Step.PROBE),
    (state(probe_at=NOW - timedelta(days=3)), Step.PROBE),
])
def test_plan(facts, step):
    assert recovery.plan(facts, NOW) is step


@pytest.mark.parametrize(("probes", "hours"), [(0, 1), (1, 2), (2, 4), (3, 8), (4, 16), (5, 24), (6, 24), (500, 24)])
def test_backoff_doubles_from_the_interval_up_to_a_day(probes, hours):
    assert recovery.backoff(probes, HOUR) == hours * HOUR


def test_a_probe_answered_2xx_recovers_and_anything_else_backs_off():
    assert recovery.first_probe_at(NOW, HOUR) == NOW + timedelta(hours=1)
    for code in (200, 204, 299):
        assert recovery.after_probe(state(probes=3), code, NOW, HOUR) == recovery.ProbeOutcome(True, 0, None)
    for code in (None, 301, 404, 410, 500):
        outcome = recovery.after_probe(state(probes=0), code, NOW, HOUR)
        assert outcome == recovery.ProbeOutcome(False, 1, NOW + timedelta(hours=2))
    assert recovery.after_probe(state(probes=7), 503, NOW, 1.0).next_probe_at == NOW + timedelta(seconds=24)


# -- in process ------------------------------------------------------------------------------------

def fail_webhook(client, runtime, receiver, **fields):
    """A webhook disabled by a 410 (one attempt), holding that delivery."""
    hook = make_webhook(client, url=receiver.url, max_concurrency=1, **fields)
    receiver.set_default(410)
    client.post("/v2/events", json={"events": [event("first")]})
    deliver(runtime)
    assert Webhook.get_by_id(hook["id"]).status == "failed"
    return hook


def test_turning_failed_plans_the_first_probe_only_with_auto_recover(client, runtime, receiver):
    hook = fail_webhook(client, runtime, receiver)
    row = Webhook.get_by_id(hook["id"])
    assert row.recovery_probes == 0
    expected = utcnow() + timedelta(seconds=3600)  # the unit settings keep the default interval
    assert abs((row.recovery_probe_at - expected).total_seconds()) <= 2

    Webhook.update(status="active", recovery_probe_at=None).where(Webhook.id == hook["id"]).execute()
    Webhook.update(auto_recover=False).where(Webhook.id == hook["id"]).execute()
    client.post("/v2/events", json={"events": [event("second")]})
    deliver(runtime)
    off = Webhook.get_by_id(hook["id"])
    assert off.status == "failed" and off.recovery_probe_at is None


def test_a_failed_webhook_is_probed_and_recovers_with_its_held_deliveries_in_order(client, runtime, receiver):
    hook = fail_webhook(client, runtime, receiver)
    client.post("/v2/events", json={"events": [event("held-1"), event("held-2")]})
    due = utcnow() - timedelta(seconds=1)

    # A probe that fails: counted, the next one backs off; nothing held is sent.
    Webhook.update(recovery_probe_at=due).where(Webhook.id == hook["id"]).execute()
    receiver.set_default(503)
    runtime.engine.step()
    row = Webhook.get_by_id(hook["id"])
    assert row.status == "failed" and row.recovery_probes == 1
    assert abs((row.recovery_probe_at - (utcnow() + timedelta(seconds=7200))).total_seconds()) <= 2
    assert [r.headers["x-fluentcrm-event"] for r in receiver.requests[1:]] == ["webhook.test"]
    assert row.consecutive_failures == 0, "a probe is a test: it never counts toward disabling"

    # A probe answered 2xx: active again, counters reset, the held deliveries go out in id order.
    Webhook.update(recovery_probe_at=due).where(Webhook.id == hook["id"]).execute()
    receiver.set_default(200)
    assert runtime.engine.step() == [], "the probe's round: the probe is no delivery"
    deliver(runtime)
    row = Webhook.get_by_id(hook["id"])
    assert (row.status, row.consecutive_failures, row.recovery_probes, row.recovery_probe_at) == ("active", 0, 0, None)
    sent = [json.loads(r.body) for r in receiver.requests[2:]]
    assert [b["event"] for b in sent[:1]] == ["webhook.test"]
    assert [b["id"] for b in sent[1:]] == ["first", "held-1", "held-2"]
    probes = list(Delivery.select().where(Delivery.event == "webhook.test").order_by(Delivery.id))
    assert [p.status for p in probes] == ["failed", "success"]


def test_no_probe_for_a_webhook_changed_by_hand_or_without_auto_recover(client, runtime, receiver):
    hook = fail_webhook(client, runtime, receiver)
    due = utcnow() - timedelta(seconds=1)
    Webhook.update(recovery_probe_at=due, auto_recover=False).where(Webhook.id == hook["id"]).execute()
    runtime.engine.step()
    assert len(receiver.requests) == 1
    Webhook.update(status="inactive", auto_recover=True).where(Webhook.id == hook["id"]).execute()
    runtime.engine.step()
    assert len(receiver.requests) == 1


def test_a_failed_webhook_without_a_planned_probe_gets_one(client, runtime, receiver):
    hook = fail_webhook(client, runtime, receiver)
    Webhook.update(recovery_probe_at=None).where(Webhook.id == hook["id"]).execute()
    runtime.engine.step()
    assert Webhook.get_by_id(hook["id"]).recovery_probe_at is not None
    assert len(receiver.requests) == 1, "planned an interval ahead, not sent at once"


def test_a_leased_probe_is_not_leased_twice(client, runtime, receiver):
    hook = fail_webhook(client, runtime, receiver)
    now = utcnow()
    Webhook.update(recovery_probe_at=now).where(Webhook.id == hook["id"]).execute()
    first = recovery_store.lease_due_probes(now, now + timedelta(seconds=30), 3600)
    assert [p.webhook.id for p in first] == [hook["id"]] and first[0].delivery.event == "webhook.test"
    assert recovery_store.lease_due_probes(now, now + timedelta(seconds=30), 3600) == []


def test_while_paused_nothing_is_claimed_nor_probed_and_intake_still_records(client, runtime, receiver):
    hook = make_webhook(client, url=receiver.url)
    pause.write_delivery_pause(paused=True, reason="a copy of the site")
    assert client.post("/v2/events", json={"events": [event("p1")]}).json()["deliveries"] == 1
    failed = fail_webhook_rows(hook["id"] + 1000)
    assert deliver(runtime) == []
    assert receiver.requests == [] and Webhook.get_by_id(failed).recovery_probes == 0

    pause.write_delivery_pause(paused=False)
    records = deliver(runtime)
    assert [r.event for r in records] == ["contact.created"]
    assert [json.loads(r.body)["id"] for r in receiver.requests] == ["p1"]


def fail_webhook_rows(webhook_id):
    """A failed webhook with a probe due, made through the model (its URL answers nothing)."""
    now = utcnow()
    Webhook.create(id=webhook_id, name="failed", url="http://127.0.0.1:9/none", events='["contact.deleted"]',
                   status="failed", secret="s", created_at=now, updated_at=now,
                   recovery_probe_at=now - timedelta(seconds=5))
    return webhook_id

