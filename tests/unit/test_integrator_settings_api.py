"""Issue 13's API in process: custom headers, conditions, auto_recover, the subscription times,
secret rotation, per-webhook stats, the delivery pause, and the log's `test` flag; every bad input
a documented 4xx that changes nothing."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import pytest

from fluentcrm_webhooks import attempt_stats, delivery_log, subscription_times
from fluentcrm_webhooks.config import Settings, SettingsError
from fluentcrm_webhooks.db import open_database
from fluentcrm_webhooks.migrations import migrate
from fluentcrm_webhooks.models import Attempt, Delivery, SidecarState, Webhook
from fluentcrm_webhooks.timeutil import iso, parse_iso, utcnow

from .conftest import make_webhook

MASK = "********"


def error_of(response):
    body = response.json()
    return response.status_code, body["code"], sorted(body["data"].get("params", {}))


def stored(webhook_id: int) -> Webhook:
    return Webhook.get_by_id(webhook_id)


# -- custom headers --------------------------------------------------------------------------------
def test_headers_are_stored_as_given_and_shown_masked_everywhere(client):
    created = make_webhook(client, headers={"Authorization": "Bearer abc", "X-Route": "crm"})
    assert created["headers"] == {"Authorization": MASK, "X-Route": MASK}
    assert json.loads(stored(created["id"]).headers) == {"Authorization": "Bearer abc", "X-Route": "crm"}
    path = f"/v2/webhooks/{created['id']}"
    assert client.get(path).json()["webhook"]["headers"] == created["headers"]
    assert client.get("/v2/webhooks").json()["webhooks"][0]["headers"] == created["headers"]

    # The screen saves again with the masks: the stored values stay; a new value replaces; a
    # name left out is dropped (the set is replaced as a whole).
    updated = client.put(path, json={"headers": {"authorization": MASK, "X-Route": "billing", "X-New": "1"}})
    assert updated.json()["webhook"]["headers"] == {"authorization": MASK, "X-Route": MASK, "X-New": MASK}
    assert json.loads(stored(created["id"]).headers) == {"authorization": "Bearer abc", "X-Route": "billing",
                                                         "X-New": "1"}
    for clearing in (None, {}):
        client.put(path, json={"headers": {"X-A": "a"}})
        assert client.put(path, json={"headers": clearing}).json()["webhook"]["headers"] == {}
        assert stored(created["id"]).headers is None
    assert make_webhook(client)["headers"] == {}


@pytest.mark.parametrize("headers,field", [
    ("X-A: 1", "headers"),
    ([["X-A", "1"]], "headers"),
    ({f"X-H{i}": "v" for i in range(11)}, "headers"),
    ({"Bad Name": "v"}, "headers.Bad Name"),
    ({"": "v"}, "headers."),
    ({"X-" + "a" * 63: "v"}, "headers.X-" + "a" * 63),
    ({"X-Ä": "v"}, "headers.X-Ä"),
    *[({name: "v"}, f"headers.{name}") for name in (
        "Connection", "keep-alive", "Proxy-Authorization", "TE", "Trailer", "Trailers", "Transfer-Encoding",
        "Upgrade", "HOST", "User-Agent", "Content-Type", "content-length", "X-FluentCRM-Signature",
        "x-fluentcrm-anything", "webhook-id", "Webhook-Signature")],
    ({"X-A": ""}, "headers.X-A"),
    ({"X-A": "v" * 4097}, "headers.X-A"),
    ({"X-A": "a\r\nX-Injected: 1"}, "headers.X-A"),
    ({"X-A": "a\x00b"}, "headers.X-A"),
    ({"X-A": "a\tb"}, "headers.X-A"),
    ({"X-A": 5}, "headers.X-A"),
    ({"X-A": None}, "headers.X-A"),
    ({"X-A": MASK}, "headers.X-A"),  # a mask keeps a stored value; there is none
    ({"X-A": "1", "x-a": "2"}, "headers.x-a"),
])
def test_bad_headers_are_refused_on_create_and_update_and_change_nothing(client, headers, field):
    before = client.get("/v2/webhooks").json()
    response = client.post("/v2/webhooks", json={"name": "n", "url": "https://receiver.example/hook",
                                                 "events": ["contact.created"], "headers": headers})
    assert error_of(response) == (400, "rest_invalid_param", [field])
    assert client.get("/v2/webhooks").json() == before

    created = make_webhook(client, headers={"X-Keep": "kept"})
    assert error_of(client.put(f"/v2/webhooks/{created['id']}", json={"headers": headers, "name": "changed"}))[0] == 400
    row = stored(created["id"])
    assert (row.name, json.loads(row.headers)) == ("Contact Updates", {"X-Keep": "kept"})


def test_longest_allowed_header_name_and_value_are_taken(client):
    name, value = "X-" + "a" * 62, "v" * 4096
    assert make_webhook(client, headers={name: value})["headers"] == {name: MASK}


# -- conditions and auto_recover -------------------------------------------------------------------
def test_conditions_are_normalised_shown_and_cleared(client):
    created = make_webhook(client, conditions={"lists": {"ids": [3, 3, 4]}, "tags": {"match": "all", "ids": [7]},
                                               "statuses": ["subscribed", "pending"], "campaigns": [9]})
    assert created["conditions"] == {"lists": {"match": "any", "ids": [3, 4]}, "tags": {"match": "all", "ids": [7]},
                                     "statuses": ["subscribed", "pending"], "campaigns": [9]}
    assert created["auto_recover"] is True and created["next_recovery_probe_at"] is None
    path = f"/v2/webhooks/{created['id']}"
    assert client.get(path).json()["webhook"]["conditions"] == created["conditions"]
    assert client.put(path, json={"conditions": {}}).json()["webhook"]["conditions"] is None
    assert stored(created["id"]).conditions is None
    assert client.put(path, json={"auto_recover": False}).json()["webhook"]["auto_recover"] is False
    assert make_webhook(client)["conditions"] is None


@pytest.mark.parametrize("extra,field", [
    ({"conditions": []}, "conditions"),
    ({"conditions": "lists"}, "conditions"),
    ({"conditions": {"segments": [1]}}, "conditions.segments"),
    ({"conditions": {"lists": [1, 2]}}, "conditions.lists"),
    ({"conditions": {"lists": {"ids": [1], "extra": 1}}}, "conditions.lists"),
    ({"conditions": {"lists": {"match": "some", "ids": [1]}}}, "conditions.lists.match"),
    ({"conditions": {"tags": {"ids": []}}}, "conditions.tags.ids"),
    ({"conditions": {"tags": {"match": "any"}}}, "conditions.tags.ids"),
    ({"conditions": {"tags": {"ids": [0]}}}, "conditions.tags.ids"),
    ({"conditions": {"tags": {"ids": ["1"]}}}, "conditions.tags.ids"),
    ({"conditions": {"tags": {"ids": [True]}}}, "conditions.tags.ids"),
    ({"conditions": {"tags": {"ids": list(range(1, 102))}}}, "conditions.tags.ids"),
    ({"conditions": {"statuses": []}}, "conditions.statuses"),
    ({"conditions": {"statuses": ["active"]}}, "conditions.statuses"),
    ({"conditions": {"statuses": "subscribed"}}, "conditions.statuses"),
    ({"conditions": {"campaigns": [-1]}}, "conditions.campaigns"),
    ({"conditions": {"campaigns": 5}}, "conditions.campaigns"),
    ({"conditions": {"campaigns": [2**63]}}, "conditions.campaigns"),
    ({"auto_recover": "yes"}, "auto_recover"),
    ({"auto_recover": None}, "auto_recover"),
    ({"auto_recover": 1}, "auto_recover"),
])
def test_bad_conditions_and_auto_recover_are_refused_and_change_nothing(client, extra, field):
    before = client.get("/v2/webhooks").json()
    body = {"name": "n", "url": "https://receiver.example/hook", "events": ["contact.created"], **extra}
    assert error_of(client.post("/v2/webhooks", json=body)) == (400, "rest_invalid_param", [field])
    assert client.get("/v2/webhooks").json() == before
    created = make_webhook(client, conditions={"campaigns": [1]})
    assert error_of(client.put(f"/v2/webhooks/{created['id']}", json=extra))[0] == 400
    assert client.get(f"/v2/webhooks/{created['id']}").json()["webhook"] == created


# -- when each event type was subscribed (issue 10's rule, kept by the API) ------------------------
def test_subscription_times_start_at_create_and_follow_the_events(client):
    created = make_webhook(client, events=["contact.created", "contact.updated"])
    times = subscription_times.decode(stored(created["id"]).event_subscribed_at)
    assert set(times) == {"contact.created", "contact.updated"}
    assert abs(parse_iso(times["contact.created"]) - utcnow()) < timedelta(seconds=5)

    long_ago = "2020-01-01T00:00:00Z"
    Webhook.update(event_subscribed_at=json.dumps({"contact.created": long_ago, "contact.updated": long_ago})).execute()
    client.put(f"/v2/webhooks/{created['id']}", json={"events": ["contact.created", "contact.deleted"]})
    times = subscription_times.decode(stored(created["id"]).event_subscribed_at)
    assert times["contact.created"] == long_ago, "a kept type keeps its time"
    assert "contact.updated" not in times, "a dropped type is forgotten"
    assert parse_iso(times["contact.deleted"]) > parse_iso(long_ago), "a new type starts now"
    client.put(f"/v2/webhooks/{created['id']}", json={"name": "renamed"})
    assert subscription_times.decode(stored(created["id"]).event_subscribed_at) == times


def test_subscribed_since_falls_back_to_the_creation_time():
    created_at = datetime(2024, 1, 1)
    assert subscription_times.subscribed_since(None, "contact.created", created_at) == created_at
    assert subscription_times.subscribed_since("{bad", "contact.created", created_at) == created_at
    stored_times = json.dumps({"contact.created": "2024-02-01T00:00:00Z"})
    assert subscription_times.subscribed_since(stored_times, "contact.created", created_at) == datetime(2024, 2, 1)
    assert subscription_times.subscribed_since(stored_times, "contact.updated", created_at) == created_at


# -- rotate-secret ---------------------------------------------------------------------------------
def test_rotating_keeps_the_old_secret_for_the_overlap(client):
    created = make_webhook(client)
    path = f"/v2/webhooks/{created['id']}/rotate-secret"
    answer = client.post(path, json={})
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert len(body["secret"]) >= 32 and body["webhook"]["secret"] == body["secret"] != "my-secret-key"
    expires = parse_iso(body["webhook"]["previous_secret_expires_at"])
    assert abs(expires - (utcnow() + timedelta(days=1))) < timedelta(seconds=5)
    row = stored(created["id"])
    assert (row.previous_secret, row.secret) == ("my-secret-key", body["secret"])

    again = client.post(path, json={"secret": "chosen", "overlap_seconds": 60}).json()
    assert again["secret"] == "chosen"
    assert stored(created["id"]).previous_secret == body["secret"], "two secrets at most: the oldest goes"
    client.put(f"/v2/webhooks/{created['id']}", json={"secret": "chosen"})  # the same: nothing changes
    assert stored(created["id"]).previous_secret == body["secret"]
    client.put(f"/v2/webhooks/{created['id']}", json={"secret": "set-outright"})
    assert stored(created["id"]).previous_secret is None, "a secret set by PUT replaces at once"
    client.post(path, json={"secret": "again"})
    dropped = client.post(path, json={"secret": "third", "overlap_seconds": 0}).json()
    assert dropped["webhook"]["previous_secret_expires_at"] is None
    assert stored(created["id"]).previous_secret is None
    assert "secret" not in client.get("/v2/webhooks").json()["webhooks"][0]


@pytest.mark.parametrize("body,code,field", [
    ({"overlap_seconds": -1}, "rest_invalid_param", "overlap_seconds"),
    ({"overlap_seconds": 604801}, "rest_invalid_param", "overlap_seconds"),
    ({"overlap_seconds": "60"}, "rest_invalid_param", "overlap_seconds"),
    ({"overlap_seconds": True}, "rest_invalid_param", "overlap_seconds"),
    ({"overlap_seconds": 1.5}, "rest_invalid_param", "overlap_seconds"),
    ({"secret": "s" * 256}, "rest_invalid_param", "secret"),
    ({"secret": 12}, "rest_invalid_param", "secret"),
    (["x"], "rest_invalid_json", None),
])
def test_bad_rotation_is_refused_and_changes_nothing(client, body, code, field):
    created = make_webhook(client)
    answer = client.post(f"/v2/webhooks/{created['id']}/rotate-secret", json=body)
    assert error_of(answer) == (400, code, [field] if field else [])
    row = stored(created["id"])
    assert (row.secret, row.previous_secret, row.previous_secret_expires_at) == ("my-secret-key", None, None)


def test_rotating_an_unknown_webhook_is_not_found(client):
    assert error_of(client.post("/v2/webhooks/999/rotate-secret", json={}))[:2] == (404, "rest_post_invalid_id")


# -- the log's test flag and last_delivery ---------------------------------------------------------
def add_delivery(webhook_id: int, event: str, status: str, attempts: list[tuple[datetime, int | None]]) -> Delivery:
    """A delivery with its attempts, written as the engine would have left them."""
    last = attempts[-1] if attempts else (None, None)
    row = Delivery.create(webhook_id=webhook_id, event=event, event_id=f"e-{Delivery.select().count()}",
                          body="{}", status=status, attempts=len(attempts), response_code=last[1],
                          attempted_at=last[0], created_at=attempts[0][0] if attempts else utcnow())
    for at, code in attempts:
        Attempt.create(delivery_id=row.id, attempted_at=at, response_code=code)
    return row


def test_deliveries_say_whether_they_are_tests_and_filter_on_it(client):
    webhook = make_webhook(client)
    now = utcnow()
    real = add_delivery(webhook["id"], "contact.created", "success", [(now - timedelta(minutes=5), 200)])
    test = add_delivery(webhook["id"], "webhook.test", "failed", [(now, 500)])
    path = f"/v2/webhooks/{webhook['id']}/deliveries"
    listed = client.get(path).json()["deliveries"]
    assert [(d["id"], d["test"]) for d in listed] == [(test.id, True), (real.id, False)]
    assert "contact_id" in listed[0]
    assert [d["id"] for d in client.get(path, params={"test": "only"}).json()["deliveries"]] == [test.id]
    assert [d["id"] for d in client.get(path, params={"test": "exclude"}).json()["deliveries"]] == [real.id]
    assert client.get(f"{path}/{test.id}").json()["delivery"]["test"] is True
    assert error_of(client.get(path, params={"test": "yes"})) == (400, "rest_invalid_param", ["test"])

    # The newest attempt is a test; the webhook's last delivery is the real one before it.
    shown = client.get(f"/v2/webhooks/{webhook['id']}").json()["webhook"]["last_delivery"]
    assert shown["id"] == real.id
    assert client.get("/v2/webhooks").json()["webhooks"][0]["last_delivery"]["id"] == real.id


# -- stats -----------------------------------------------------------------------------------------
def test_stats_count_each_attempt_in_its_bucket(client):
    webhook = make_webhook(client)
    other = make_webhook(client, name="other")
    h = datetime(2026, 5, 1, 10)
    # Succeeded at the second try: one retrying, one success.
    add_delivery(webhook["id"], "contact.created", "success", [(h + timedelta(minutes=1), 500),
                                                             (h + timedelta(hours=1, minutes=1), 200)])
    # Failed for good at its third: two retrying, then the failure.
    add_delivery(webhook["id"], "contact.updated", "failed", [(h + timedelta(minutes=2), None),
                                                             (h + timedelta(minutes=2), 503),
                                                             (h + timedelta(hours=2), 410)])
    add_delivery(webhook["id"], "contact.updated", "pending", [(h + timedelta(minutes=3), 502)])  # retrying
    add_delivery(webhook["id"], "webhook.test", "failed", [(h, 500)])  # tests are left out
    add_delivery(other["id"], "contact.created", "success", [(h, 200)])  # another webhook's
    add_delivery(webhook["id"], "contact.created", "success", [(h + timedelta(hours=3), 200)])  # after until

    answer = client.get(f"/v2/webhooks/{webhook['id']}/stats",
                        params={"since": "2026-05-01T10:00:00Z", "until": "2026-05-01T13:00:00Z"})
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert (body["webhook_id"], body["since"], body["until"], body["bucket"]) == (
        webhook["id"], "2026-05-01T10:00:00Z", "2026-05-01T13:00:00Z", "hour")
    assert body["buckets"] == [
        {"start": "2026-05-01T10:00:00Z", "success": 0, "failed": 0, "retrying": 4},
        {"start": "2026-05-01T11:00:00Z", "success": 1, "failed": 0, "retrying": 0},
        {"start": "2026-05-01T12:00:00Z", "success": 0, "failed": 1, "retrying": 0},
    ]
    assert body["totals"] == {"success": 1, "failed": 1, "retrying": 4, "success_rate": round(1 / 6, 4)}

    by_day = client.get(f"/v2/webhooks/{webhook['id']}/stats", params={
        "since": "2026-04-30T12:00:00Z", "until": "2026-05-02T00:00:00Z", "bucket": "day"}).json()
    assert [(b["start"], b["success"], b["failed"], b["retrying"]) for b in by_day["buckets"]] == [
        ("2026-04-30T00:00:00Z", 0, 0, 0), ("2026-05-01T00:00:00Z", 2, 1, 4)]


def test_stats_default_to_the_last_day_by_hour_with_every_bucket_present(client):
    webhook = make_webhook(client)
    body = client.get(f"/v2/webhooks/{webhook['id']}/stats").json()
    assert parse_iso(body["until"]) - parse_iso(body["since"]) == timedelta(days=1)
    assert body["bucket"] == "hour" and len(body["buckets"]) in (24, 25)
    assert body["totals"] == {"success": 0, "failed": 0, "retrying": 0, "success_rate": None}


@pytest.mark.parametrize("params,field", [
    ({"bucket": "week"}, "bucket"),
    ({"since": "yesterday"}, "since"),
    ({"until": "2026-13-01T00:00:00Z"}, "until"),
    ({"since": "2026-05-02T00:00:00Z", "until": "2026-05-01T00:00:00Z"}, "since"),
    ({"since": "2026-05-01T00:00:00Z", "until": "2026-05-01T00:00:00Z"}, "since"),
    ({"since": "2026-01-01T00:00:00Z", "until": "2026-03-01T00:00:00Z"}, "since"),  # 1416 hours
    ({"since": "2020-01-01T00:00:00Z", "until": "2026-01-01T00:00:00Z", "bucket": "day"}, "since"),
    ({"until": "0001-01-01T00:00:00Z"}, "since"),
])
def test_bad_stats_queries_are_refused(client, params, field):
    webhook = make_webhook(client)
    assert error_of(client.get(f"/v2/webhooks/{webhook['id']}/stats", params=params)) == (
        400, "rest_invalid_param", [field])


def test_stats_of_an_unknown_webhook_are_not_found(client):
    assert error_of(client.get("/v2/webhooks/999/stats"))[:2] == (404, "rest_post_invalid_id")


def test_a_thousand_buckets_are_the_most():
    since = datetime(2026, 1, 1)
    assert attempt_stats.bucket_count(since, since + timedelta(hours=1000), "hour") == 1000
    assert attempt_stats.bucket_count(since + timedelta(minutes=30), since + timedelta(hours=1), "hour") == 1
    assert attempt_stats.bucket_count(since + timedelta(minutes=30), since + timedelta(hours=1, seconds=1), "hour") == 2


@pytest.mark.mariadb
def test_the_stats_query_reads_the_same_on_mariadb(mariadb_server, request):
    """The one query with a CASE, a correlated sub-select and a GROUP BY alias, on MySQL's dialect."""
    from tests.conftest import database_name_for

    name = database_name_for(request)
    settings = Settings(database_url=mariadb_server.create_database(name))
    db = open_database(settings)
    try:
        migrate(db)
        with db.connection_context():
            webhook = Webhook.create(name="w", url="https://receiver.example/hook", events="[]", secret="s",
                                     created_at=utcnow(), updated_at=utcnow())
            h = datetime(2026, 5, 1, 10)
            add_delivery(webhook.id, "contact.created", "failed", [(h, 500), (h, 500), (h + timedelta(hours=1), 404)])
            add_delivery(webhook.id, "contact.created", "success", [(h, 200)])
            add_delivery(webhook.id, "webhook.test", "success", [(h, 200)])
            rows = delivery_log.attempt_outcomes(webhook.id, h, h + timedelta(hours=2))
            counted = attempt_stats.count_attempts(rows, h, h + timedelta(hours=2), "hour")
        assert [(b["success"], b["failed"], b["retrying"]) for b in counted["buckets"]] == [(1, 0, 2), (0, 1, 0)]
    finally:
        db.close()
        mariadb_server.sql(f"DROP DATABASE IF EXISTS `{name}`")


# -- the delivery pause ----------------------------------------------------------------------------
def test_pausing_and_resuming_delivery(client):
    assert client.get("/v2/delivery").json() == {"paused": False, "reason": None, "paused_at": None, "site": None}
    site = {"url": "https://shop.example", "environment": "production"}
    paused = client.put("/v2/delivery", json={"paused": True, "reason": "A copy of the site", "site": site}).json()
    assert (paused["paused"], paused["reason"], paused["site"]) == (True, "A copy of the site", site)
    assert abs(parse_iso(paused["paused_at"]) - utcnow()) < timedelta(seconds=5)
    assert client.get("/v2/delivery").json() == paused

    SidecarState.update(value=json.dumps({**paused, "paused_at": "2026-01-01T00:00:00Z"})).execute()
    again = client.put("/v2/delivery", json={"paused": True}).json()
    assert again["paused_at"] == "2026-01-01T00:00:00Z", "pausing again keeps when it began"
    assert again["site"] == site and again["reason"] is None

    webhook = make_webhook(client)
    refused = client.post(f"/v2/webhooks/{webhook['id']}/test")
    assert (refused.status_code, refused.json()["code"]) == (409, "delivery_paused")
    assert Delivery.select().count() == 0, "a refused test records nothing"

    here = {"url": "https://staging.shop.example", "environment": "staging"}
    resumed = client.put("/v2/delivery", json={"paused": False, "site": here}).json()
    assert resumed == {"paused": False, "reason": None, "paused_at": None, "site": here}
    assert client.put("/v2/delivery", json={"paused": False, "site": None}).json()["site"] is None


@pytest.mark.parametrize("body,code,field", [
    ({}, "rest_missing_callback_param", "paused"),
    ({"paused": None}, "rest_missing_callback_param", "paused"),
    ({"paused": "yes"}, "rest_invalid_param", "paused"),
    ({"paused": 1}, "rest_invalid_param", "paused"),
    ({"paused": True, "reason": "r" * 201}, "rest_invalid_param", "reason"),
    ({"paused": True, "reason": 5}, "rest_invalid_param", "reason"),
    ({"paused": True, "site": "https://x.example"}, "rest_invalid_param", "site"),
    ({"paused": True, "site": {"url": "https://x.example"}}, "rest_invalid_param", "site"),
    ({"paused": True, "site": {"url": "", "environment": "staging"}}, "rest_invalid_param", "site"),
    ({"paused": True, "site": {"url": "u", "environment": 3}}, "rest_invalid_param", "site"),
    ({"paused": True, "site": {"url": "u", "environment": "e", "more": 1}}, "rest_invalid_param", "site"),
    (["paused"], "rest_invalid_json", None),
])
def test_bad_pause_requests_are_refused_and_change_nothing(client, body, code, field):
    answer = client.put("/v2/delivery", json=body)
    assert (answer.status_code, answer.json()["code"]) == (400, code)
    if field and code == "rest_invalid_param":
        assert list(answer.json()["data"]["params"]) == [field]
    assert client.get("/v2/delivery").json()["paused"] is False
    assert SidecarState.select().count() == 0


def test_a_missing_or_damaged_pause_row_means_not_paused():
    from fluentcrm_webhooks.pause import NOT_PAUSED, pause_state

    for stored_value in (None, "", "{bad", "[]", '"paused"', '{"paused": "yes"}'):
        assert pause_state(stored_value)["paused"] is False
    assert pause_state(None) == NOT_PAUSED
    assert pause_state('{"paused": true, "reason": 5, "site": "x"}') == {
        "paused": True, "reason": None, "paused_at": None, "site": None}


# -- settings --------------------------------------------------------------------------------------
def test_recovery_interval_setting():
    assert Settings.from_env({}).recovery_interval == 3600
    assert Settings.from_env({"FCWH_RECOVERY_INTERVAL": "1"}).recovery_interval == 1
    for bad in ("0", "soon", "1.5", "604801"):
        with pytest.raises(SettingsError, match="FCWH_RECOVERY_INTERVAL"):
            Settings.from_env({"FCWH_RECOVERY_INTERVAL": bad})


def test_iso_round_trip_of_bucket_starts():
    assert iso(attempt_stats.bucket_start(datetime(2026, 5, 1, 10, 59, 59), "hour")) == "2026-05-01T10:00:00Z"
    assert iso(attempt_stats.bucket_start(datetime(1969, 12, 31, 23, 30), "day")) == "1969-12-31T00:00:00Z"
