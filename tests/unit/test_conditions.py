"""conditions.matches and subscriptions.Subscription: which webhooks an event belongs to, on the
data shapes the plugin sends (wp-plugin/includes/capture/payloads.php)."""

import json
from datetime import datetime

import pytest

from fluentcrm_webhooks.conditions import matches
from fluentcrm_webhooks.events import IncomingEvent
from fluentcrm_webhooks.models import Delivery
from fluentcrm_webhooks.subscriptions import happened_since, subscription_of
from fluentcrm_webhooks.timeutil import iso, utcnow

from .conftest import make_webhook


def contact(status="subscribed", tags=(), lists=()):
    """A contact as the plugin builds it: tags and lists as {id, title, slug}."""
    return {"contact": {"id": 5, "email": "a@example.com", "status": status,
                        "tags": [{"id": t, "title": f"T{t}", "slug": f"t{t}"} for t in tags],
                        "lists": [{"id": i, "title": f"L{i}", "slug": f"l{i}"} for i in lists]}}


@pytest.mark.parametrize(("conditions", "data", "wanted"), [
    (None, contact(), True),
    ({}, contact(), True),
    ({"tags": {"match": "any", "ids": [1, 2]}}, contact(tags=[2, 9]), True),
    ({"tags": {"match": "any", "ids": [1, 2]}}, contact(tags=[9]), False),
    ({"tags": {"match": "all", "ids": [1, 2]}}, contact(tags=[1, 2, 3]), True),
    ({"tags": {"match": "all", "ids": [1, 2]}}, contact(tags=[1]), False),
    ({"lists": {"match": "any", "ids": [4]}}, contact(lists=[4]), True),
    ({"lists": {"match": "all", "ids": [4, 5]}}, contact(lists=[4]), False),
    ({"lists": {"match": "any", "ids": [4]}}, contact(), False),
    ({"statuses": ["subscribed", "pending"]}, contact("pending"), True),
    ({"statuses": ["subscribed"]}, contact("unsubscribed"), False),
    # Every key present must hold.
    ({"tags": {"match": "any", "ids": [1]}, "statuses": ["subscribed"]}, contact("bounced", tags=[1]), False),
    ({"tags": {"match": "any", "ids": [1]}, "lists": {"match": "any", "ids": [3]}}, contact(tags=[1], lists=[3]), True),
])
def test_contact_conditions(conditions, data, wanted):
    assert matches(conditions, "contact.updated", data) is wanted


def test_ids_may_be_plain_or_strings_and_junk_is_no_id():
    data = {"contact": {"status": "subscribed", "tags": [3, "4", {"id": "5"}, {"id": True}, None, "x"]}}
    assert matches({"tags": {"match": "all", "ids": [3, 4, 5]}}, "contact.updated", data)
    assert not matches({"tags": {"match": "any", "ids": [1]}}, "contact.updated", data)
    assert not matches({"tags": {"match": "any", "ids": [1]}}, "contact.updated", {"contact": {"tags": "1"}})


def test_an_event_without_a_contact_passes_contact_conditions():
    conditions = {"tags": {"match": "all", "ids": [1]}, "statuses": ["subscribed"]}
    assert matches(conditions, "campaign.sent", {"campaign": {"id": 7}})
    assert matches(conditions, "contact.created", {"contact": None})


@pytest.mark.parametrize(("event", "data", "wanted"), [
    ("email.opened", {"email": {"id": 1, "campaign_id": 7}, "contact": {"id": 5}}, True),
    ("email.opened", {"email": {"id": 1, "campaign_id": "7"}, "contact": {"id": 5}}, True),
    ("email.clicked", {"email": {"id": 1, "campaign_id": 8}, "contact": {"id": 5}}, False),
    ("email.sent", {"email": {"id": 1, "campaign_id": None}, "contact": {"id": 5}}, False),  # no campaign: none of them
    ("email.bounced", {"email": None, "contact": {"id": 5}, "new_status": "bounced"}, False),
    ("campaign.sent", {"campaign": {"id": 7, "title": "Spring"}}, True),
    ("campaign.paused", {"campaign": {"id": 9}}, False),
    ("contact.created", contact(), True),  # campaigns say nothing about other events
    ("funnel.subscriber_added", {"funnel": {"id": 2}, "contact": {"id": 5}}, True),
])
def test_campaign_conditions_apply_to_email_and_campaign_events_only(event, data, wanted):
    assert matches({"campaigns": [7]}, event, data) is wanted


def test_contact_and_campaign_conditions_combine_on_email_events():
    data = {"email": {"id": 1, "campaign_id": 7}, **contact("subscribed", tags=[1])}
    assert matches({"campaigns": [7], "tags": {"match": "any", "ids": [1]}}, "email.opened", data)
    assert not matches({"campaigns": [7], "tags": {"match": "any", "ids": [2]}}, "email.opened", data)


def test_the_subscription_time_is_compared_in_whole_seconds():
    since = datetime(2026, 1, 1, 12, 0, 0)
    assert happened_since("2026-01-01T12:00:00Z", since)
    assert happened_since("2026-01-01T12:00:00.900Z", since.replace(microsecond=500000))
    assert happened_since("2026-01-01T13:00:00+01:00", since)  # offsets are read as UTC
    assert not happened_since("2026-01-01T11:59:59.999Z", since)


def event(name, timestamp, data=None):
    return IncomingEvent("e", name, timestamp, data if data is not None else contact())


def test_a_subscription_takes_events_of_its_types_since_each_was_subscribed():
    created = datetime(2026, 1, 1, 12, 0, 0)
    subscription = subscription_of(7, json.dumps(["contact.created", "contact.updated"]), created,
                                   json.dumps({"contact.updated": "2026-02-01T00:00:00Z"}), None)
    assert subscription.wants(event("contact.created", "2026-01-01T12:00:00Z"))  # no time stored: creation
    assert not subscription.wants(event("contact.created", "2026-01-01T11:59:59Z"))
    assert not subscription.wants(event("contact.updated", "2026-01-15T00:00:00Z"))  # before it was added
    assert subscription.wants(event("contact.updated", "2026-02-01T00:00:00Z"))
    assert not subscription.wants(event("contact.deleted", "2026-03-01T00:00:00Z"))  # not subscribed


def test_a_subscription_applies_its_conditions_and_reads_damaged_columns_as_absent():
    created = datetime(2026, 1, 1)
    filtered = subscription_of(1, '["contact.updated"]', created, None, json.dumps({"statuses": ["subscribed"]}))
    assert filtered.wants(event("contact.updated", "2026-01-02T00:00:00Z", contact("subscribed")))
    assert not filtered.wants(event("contact.updated", "2026-01-02T00:00:00Z", contact("bounced")))
    damaged = subscription_of(1, '["contact.updated"]', created, '{"contact.updated": "soon"', "[1]")
    assert damaged.since == {"contact.updated": created} and damaged.conditions is None
    assert damaged.wants(event("contact.updated", "2026-01-02T00:00:00Z", contact("bounced")))
    unreadable_time = subscription_of(1, '["contact.updated"]', created, '{"contact.updated": "soon"}', None)
    assert unreadable_time.since == {"contact.updated": created}


def test_intake_records_only_for_the_webhooks_an_event_belongs_to(client, runtime):
    everything = make_webhook(client, name="all")
    tagged = make_webhook(client, name="tag 4", conditions={"tags": {"match": "any", "ids": [4]}})
    now, earlier = iso(utcnow()), "2020-01-01T00:00:00Z"
    batch = [{"id": "tagged", "event": "contact.created", "timestamp": now, "data": contact(tags=[4])},
             {"id": "untagged", "event": "contact.created", "timestamp": now, "data": contact(tags=[1])},
             {"id": "before", "event": "contact.created", "timestamp": earlier, "data": contact(tags=[4])}]
    answer = client.post("/v2/events", json={"events": batch}).json()
    assert answer == {"accepted": 3, "duplicates": 0, "deliveries": 3}
    recorded = sorted((d.webhook_id, d.event_id) for d in Delivery.select())
    assert recorded == sorted([(everything["id"], "tagged"), (everything["id"], "untagged"), (tagged["id"], "tagged")])
