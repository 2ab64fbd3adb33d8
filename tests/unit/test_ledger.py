"""The ledger's claims and group commits, on SQLite: a delivery is claimed once, an ordered lane
offers only each contact's oldest pending delivery, a paced webhook has one probe at a time."""

from datetime import timedelta

from fluentcrm_webhooks import intake, ledger
from fluentcrm_webhooks.events import IncomingEvent
from fluentcrm_webhooks.lifecycle import Decision, Verdict
from fluentcrm_webhooks.models import Delivery, Webhook
from fluentcrm_webhooks.sender import AttemptResult
from fluentcrm_webhooks.timeutil import iso, utcnow

from .conftest import make_webhook

DELAYS = (60, 300, 1800, 7200, 86400)


def record_events(*events):
    return intake.record_events([IncomingEvent(event_id, name, iso(utcnow()), data)
                                 for event_id, name, data in events])


def contact(contact_id):
    return {"contact": {"id": contact_id}}


def test_a_delivery_is_claimed_once_until_its_lease_runs_out(client, runtime):
    hook = make_webhook(client)
    record_events(*[(f"e{n}", "contact.created", contact(n)) for n in range(3)])
    now = utcnow()
    ids = ledger.due_candidates(hook["id"], 10, False, now)
    assert len(ids) == 3
    lease = now + timedelta(seconds=45)
    first = ledger.claim({hook["id"]: ids}, set(), lease, now)
    assert [d.id for d in first] == ids
    assert ledger.claim({hook["id"]: ids}, set(), lease, now) == [], "leased rows are nobody else's"
    assert ledger.due_candidates(hook["id"], 10, False, now) == []
    later = now + timedelta(seconds=46)
    assert [d.id for d in ledger.claim({hook["id"]: ids}, set(), later + timedelta(seconds=45), later)] == ids


def test_an_inactive_webhooks_deliveries_are_not_claimed(client, runtime):
    hook = make_webhook(client)
    record_events(("e1", "contact.created", contact(1)))
    ids = ledger.due_candidates(hook["id"], 10, False, utcnow())
    Webhook.update(status="inactive").execute()
    now = utcnow()
    assert ledger.claim({hook["id"]: ids}, set(), now + timedelta(seconds=45), now) == []


def test_an_ordered_lane_offers_each_contacts_oldest_pending_delivery_only(client, runtime):
    hook = make_webhook(client, ordered=True)
    record_events(("a1", "contact.created", contact(1)), ("a2", "contact.updated", contact(1)),
                  ("b1", "contact.created", contact(2)), ("c1", "contact.created", {"campaign": {"id": 9}}),
                  ("c2", "contact.created", {"campaign": {"id": 9}}))
    rows = {d.event_id: d.id for d in Delivery.select()}
    now = utcnow()
    offered = ledger.due_candidates(hook["id"], 10, True, now)
    assert sorted(offered) == sorted([rows["a1"], rows["b1"], rows["c1"], rows["c2"]])
    ledger.claim({hook["id"]: [rows["a1"]]}, set(), now + timedelta(seconds=45), now)
    assert rows["a2"] not in ledger.due_candidates(hook["id"], 10, True, now), "a1 is in flight"
    Delivery.update(status="success").where(Delivery.id == rows["a1"]).execute()
    assert rows["a2"] in ledger.due_candidates(hook["id"], 10, True, now)
    # Not ordered: everything due is offered.
    assert len(ledger.due_candidates(hook["id"], 10, False, now)) == 4


def test_a_paced_webhook_gives_out_one_probe_lease_at_a_time(client, runtime):
    hook = make_webhook(client)
    record_events(("p1", "contact.created", contact(1)), ("p2", "contact.created", contact(2)))
    Webhook.update(pace_failures=3, next_probe_at=None).execute()
    now = utcnow()
    first, second = ledger.due_candidates(hook["id"], 2, False, now)
    lease = now + timedelta(seconds=45)
    assert [d.id for d in ledger.claim({hook["id"]: [first]}, {hook["id"]}, lease, now)] == [first]
    assert ledger.claim({hook["id"]: [second]}, {hook["id"]}, lease, now) == [], "the probe lease is taken"


def result(code):
    return AttemptResult(code, 5, "body", None if code == 200 else f"HTTP {code}")


def test_a_group_commit_records_every_attempt_and_folds_the_webhooks_counters(client, runtime):
    hook = make_webhook(client)
    record_events(*[(f"g{n}", "contact.created", contact(n)) for n in range(3)])
    deliveries = list(Delivery.select().order_by(Delivery.id))
    now = utcnow()
    decisions = [Decision(Verdict.GIVE_UP, trouble=True), Decision(Verdict.SUCCESS),
                 Decision(Verdict.RETRY, 60, trouble=True)]
    records = [ledger.AttemptRecord(d.id, hook["id"], d.event, 1, result(200 if dec.verdict is Verdict.SUCCESS else 500),
                                    {"h": "v"}, now + timedelta(seconds=i), dec, None)
               for i, (d, dec) in enumerate(zip(deliveries, decisions))]
    changes = ledger.record(records, DELAYS)
    assert [(c.after.consecutive_failures, c.after.pace_failures) for c in changes] == [(0, 1)]
    assert [d.status for d in Delivery.select().order_by(Delivery.id)] == ["failed", "success", "pending"]
    assert all(d.attempts == 1 and d.claim_token is None for d in Delivery.select())
    webhook = Webhook.get_by_id(hook["id"])
    assert webhook.pace_failures == 1 and webhook.next_probe_at is not None


def test_test_sends_never_touch_the_webhooks_counters(client, runtime):
    hook = make_webhook(client)
    record_events(("t1", "contact.created", contact(1)))
    d = Delivery.get()
    ledger.record([ledger.AttemptRecord(d.id, hook["id"], d.event, 1, result(500), {}, utcnow(),
                                        Decision(Verdict.GIVE_UP, trouble=True), None)], DELAYS,
                  counts_for_webhook=False)
    webhook = Webhook.get_by_id(hook["id"])
    assert webhook.consecutive_failures == 0 and webhook.pace_failures == 0


def test_a_probe_prefers_a_delivery_already_on_its_retry_ladder(client, runtime):
    hook = make_webhook(client)
    record_events(("f1", "contact.created", contact(1)), ("f2", "contact.created", contact(2)))
    later = Delivery.select().order_by(Delivery.id.desc()).first()
    Delivery.update(attempts=2).where(Delivery.id == later.id).execute()
    now = utcnow()
    assert ledger.due_candidates(hook["id"], 1, False, now) != [later.id], "oldest due first normally"
    assert ledger.due_candidates(hook["id"], 1, False, now, retries_first=True) == [later.id]


def test_a_restart_leaves_a_delivery_in_flight_to_its_attempt(client, runtime):
    hook = make_webhook(client)
    record_events(("r1", "contact.created", contact(1)), ("r2", "contact.created", contact(2)))
    rows = {d.event_id: d.id for d in Delivery.select()}
    now = utcnow()
    lease = now + timedelta(seconds=45)
    ledger.claim({hook["id"]: [rows["r1"]]}, set(), lease, now)
    Delivery.update(status="failed", attempts=6).where(Delivery.id == rows["r2"]).execute()

    ledger.restart([rows["r1"], rows["r2"]])

    in_flight, failed = Delivery.get_by_id(rows["r1"]), Delivery.get_by_id(rows["r2"])
    assert in_flight.claim_token is not None and in_flight.next_attempt_at == lease, "still leased to its attempt"
    assert ledger.claim({hook["id"]: [rows["r1"]]}, set(), lease, utcnow()) == [], "no second attempt beside it"
    assert (failed.status, failed.attempts, failed.claim_token) == ("pending", 0, None)
    assert failed.next_attempt_at <= utcnow()
