"""Intake, delivery and the delivery log in process: the engine stepped one round at a time,
a real HTTP receiver on loopback."""

import json
from datetime import timedelta

from standardwebhooks import Webhook as StandardWebhook

from fluentcrm_webhooks.models import Delivery, Webhook
from fluentcrm_webhooks.signing import fluentcrm_signature, standard_webhooks_key
from fluentcrm_webhooks.timeutil import utcnow

from .conftest import deliver, event, make_webhook


def post_events(client, *events):
    response = client.post("/v2/events", json={"events": list(events)})
    assert response.status_code == 200, response.text
    return response.json()


def test_event_is_delivered_signed_and_logged(client, receiver, runtime):
    hook = make_webhook(client, url=receiver.url)
    sent = event()
    assert post_events(client, sent) == {"accepted": 1, "duplicates": 0, "deliveries": 1}
    deliver(runtime)
    request = receiver.wait_for(1)[0]
    body = request.body
    assert json.loads(body) == {"id": "evt-1", "event": "contact.created", "timestamp": sent["timestamp"],
                                "webhook_id": hook["id"], "data": {"contact": {"id": 123, "email": "user@example.com"}}}
    assert request.headers["x-fluentcrm-signature"] == fluentcrm_signature("my-secret-key", body)
    assert request.headers["user-agent"] == "FluentCRM-Webhook/1.0"
    assert request.headers["x-fluentcrm-event"] == "contact.created"
    assert request.headers["x-fluentcrm-webhook-id"] == str(hook["id"])
    StandardWebhook(standard_webhooks_key("my-secret-key")).verify(body, request.headers)
    log = client.get(f"/v2/webhooks/{hook['id']}/deliveries").json()
    assert log["pagination"] == {"total": 1, "per_page": 25, "current_page": 1, "last_page": 1}
    assert log["deliveries"][0]["status"] == "success" and log["deliveries"][0]["response_code"] == 200
    assert str(log["deliveries"][0]["id"]) == request.headers["x-fluentcrm-delivery"]
    assert Delivery.get_by_id(log["deliveries"][0]["id"]).order_key == "contact:123"


def test_duplicates_unsubscribed_and_inactive_are_not_sent(client, receiver, runtime):
    make_webhook(client, url=receiver.url)
    make_webhook(client, name="off", status="inactive", url=receiver.url)
    first = post_events(client, event("a"), event("a"), event("b", "contact.deleted"))
    assert first == {"accepted": 2, "duplicates": 1, "deliveries": 1}
    assert post_events(client, event("a")) == {"accepted": 0, "duplicates": 1, "deliveries": 0}
    deliver(runtime)
    assert len(receiver.requests) == 1
    assert Delivery.select().count() == 1  # nothing recorded for the inactive webhook


def test_unknown_event_rejects_the_whole_batch(client):
    make_webhook(client)
    response = client.post("/v2/events", json={"events": [event("ok"), event("bad", "invalid.event")]})
    assert response.status_code == 400 and response.json()["code"] == "invalid_webhook_event"
    assert Delivery.select().count() == 0
    assert post_events(client, event("ok"))["accepted"] == 1  # "ok" was not marked seen


def test_bad_event_batches(client):
    for payload, code in (({}, "rest_missing_callback_param"), ({"events": {}}, "rest_invalid_param"),
                          ({"events": [{"id": "x", "event": "contact.created"}]}, "rest_missing_callback_param"),
                          ({"events": [dict(event(), timestamp="yesterday")]}, "rest_invalid_param"),
                          ({"events": [dict(event(), id="x" * 65)]}, "rest_invalid_param"),
                          ({"events": [dict(event(), data="text")]}, "rest_invalid_param")):
        assert client.post("/v2/events", json=payload).json()["code"] == code


def make_due(delivery_id: int) -> None:
    """Skip the wait before the next rung of the ladder (the delays themselves are checked as recorded)."""
    Delivery.update(next_attempt_at=utcnow() - timedelta(seconds=1)).where(Delivery.id == delivery_id).execute()
    Webhook.update(next_probe_at=None).execute()  # and the pacing between probes


def scheduled_gap(delivery_id) -> float:
    """Seconds between the last attempt and the next one, as recorded."""
    row = Delivery.get_by_id(delivery_id)
    return (row.next_attempt_at - row.attempted_at).total_seconds()


def test_retry_ladder_then_failed_then_auto_disable_and_release(client, receiver, runtime):
    receiver.set_default(status=500, body=b"boom")
    hook = make_webhook(client, url=receiver.url)
    gaps: list[float] = []
    for n in range(5):
        post_events(client, event(f"e{n}"))
        delivery_id = Delivery.select().order_by(Delivery.id.desc()).first().id
        while Delivery.get_by_id(delivery_id).status == "pending":
            make_due(delivery_id)
            assert len(deliver(runtime, rounds=1)) == 1
            if Delivery.get_by_id(delivery_id).status == "pending":
                gaps.append(scheduled_gap(delivery_id))
        assert Delivery.get_by_id(delivery_id).status == "failed"
        assert Delivery.get_by_id(delivery_id).attempts == 6
    assert gaps == [60, 300, 1800, 7200, 86400] * 5
    assert Webhook.get_by_id(hook["id"]).status == "failed"

    calls = len(receiver.requests)
    post_events(client, event("held"))
    deliver(runtime)
    assert len(receiver.requests) == calls  # recorded, held, not sent
    held = client.get(f"/v2/webhooks/{hook['id']}").json()["webhook"]
    assert held["held_deliveries"] == 1 and held["status"] == "failed"

    receiver.set_default(status=200)
    assert client.put(f"/v2/webhooks/{hook['id']}", json={"status": "active"}).status_code == 200
    deliver(runtime)
    assert len(receiver.requests) == calls + 1
    reactivated = client.get(f"/v2/webhooks/{hook['id']}").json()["webhook"]
    assert reactivated["consecutive_failures"] == 0 and reactivated["held_deliveries"] == 0
    assert reactivated["paced"] is False


def test_retry_after_and_redirects(client, receiver, runtime):
    receiver.script(429, headers={"Retry-After": "100"})
    receiver.script(302, headers={"Location": "https://elsewhere.example/"})
    receiver.script(204)
    make_webhook(client, url=receiver.url)
    post_events(client, event())
    delivery_id = Delivery.select().first().id
    deliver(runtime, rounds=1)
    assert scheduled_gap(delivery_id) == 100  # 429's Retry-After, inside [60, 120]
    make_due(delivery_id)
    deliver(runtime, rounds=1)
    assert scheduled_gap(delivery_id) == 300  # the 302 counted as a failure: redirects are not followed
    make_due(delivery_id)
    deliver(runtime, rounds=1)
    assert Delivery.get_by_id(delivery_id).status == "success"
    assert len(receiver.requests) == 3


def test_gone_disables_the_webhook_at_once_and_holds_the_delivery(client, receiver, runtime):
    receiver.script(410, body=b"gone")
    hook = make_webhook(client, url=receiver.url)
    post_events(client, event("g1"), event("g2"))
    deliver(runtime)
    shape = client.get(f"/v2/webhooks/{hook['id']}").json()["webhook"]
    assert shape["status"] == "failed" and shape["held_deliveries"] >= 1
    sent = len(receiver.requests)
    post_events(client, event("g3"))
    deliver(runtime)
    assert len(receiver.requests) == sent, "nothing goes to a webhook that answered 410"
    client.put(f"/v2/webhooks/{hook['id']}", json={"status": "active"})
    deliver(runtime)
    assert sorted(Delivery.select(Delivery.status).tuples()) == [("success",)] * 3


def test_test_route_delivery_detail_redeliver_recover(client, receiver, runtime):
    hook = make_webhook(client, status="inactive", url=receiver.url)
    result = client.post(f"/v2/webhooks/{hook['id']}/test").json()
    assert result["success"] is True and result["response_code"] == 200 and result["delivery"]["event"] == "webhook.test"
    detail = client.get(f"/v2/webhooks/{hook['id']}/deliveries/{result['delivery']['id']}").json()["delivery"]
    assert json.loads(detail["body"])["event"] == "webhook.test"
    assert detail["headers"]["X-FluentCRM-Signature"] == fluentcrm_signature("my-secret-key", detail["body"].encode())
    assert detail["signature"] == detail["headers"]["X-FluentCRM-Signature"]
    assert len(detail["attempts"]) == 1 and detail["attempts"][0]["response_code"] == 200

    redelivered = client.post(f"/v2/webhooks/{hook['id']}/deliveries/{result['delivery']['id']}/redeliver")
    assert redelivered.status_code == 202
    assert client.get(f"/v2/webhooks/{hook['id']}/deliveries/999").json()["code"] == "rest_post_invalid_id"

    client.put(f"/v2/webhooks/{hook['id']}", json={"status": "active"})
    deliver(runtime)
    receiver.set_default(status=500)
    post_events(client, event("r1"))
    deliver(runtime, rounds=1)
    Delivery.update(status="failed").where(Delivery.event_id == "r1").execute()
    receiver.set_default(status=200)
    Webhook.update(pace_failures=0, next_probe_at=None).execute()
    recovered = client.post(f"/v2/webhooks/{hook['id']}/recover", json={"since": "2000-01-01T00:00:00Z"})
    assert recovered.status_code == 202 and recovered.json() == {"recovered": 1}
    deliver(runtime)
    assert Delivery.get(Delivery.event_id == "r1").status == "success"
    assert client.post(f"/v2/webhooks/{hook['id']}/recover", json={}).json()["code"] == "rest_missing_callback_param"


def test_deliveries_pagination_and_filters(client, receiver, runtime):
    hook = make_webhook(client, url=receiver.url)
    post_events(client, *[event(f"p{n}") for n in range(7)])
    deliver(runtime)
    page = client.get(f"/v2/webhooks/{hook['id']}/deliveries", params={"per_page": 3, "page": 3}).json()
    assert page["pagination"] == {"total": 7, "per_page": 3, "current_page": 3, "last_page": 3}
    assert len(page["deliveries"]) == 1
    ids = [d["id"] for d in client.get(f"/v2/webhooks/{hook['id']}/deliveries").json()["deliveries"]]
    assert ids == sorted(ids, reverse=True)
    assert client.get(f"/v2/webhooks/{hook['id']}/deliveries", params={"status": "failed"}).json()["pagination"]["total"] == 0
    for params in ({"per_page": 0}, {"per_page": 101}, {"page": "x"}, {"status": "done"}):
        assert client.get(f"/v2/webhooks/{hook['id']}/deliveries", params=params).json()["code"] == "rest_invalid_param"


def test_a_new_secret_signs_what_is_still_pending(client, receiver, runtime):
    receiver.set_default(status=500)
    hook = make_webhook(client, url=receiver.url)
    post_events(client, event())
    deliver(runtime, rounds=1)
    client.put(f"/v2/webhooks/{hook['id']}", json={"secret": "rotated"})
    receiver.set_default(status=200)
    make_due(Delivery.select().first().id)
    deliver(runtime)
    last = receiver.requests[-1]
    assert last.headers["x-fluentcrm-signature"] == fluentcrm_signature("rotated", last.body)


def test_an_outcome_that_cannot_be_stored_never_blocks_the_others(client, receiver, runtime, monkeypatch):
    """A group commit that fails for a reason other than the database being away is retried one
    outcome at a time: the others are stored, the bad one is stored without the answer's text."""
    from fluentcrm_webhooks import engine as engine_module

    real_record = engine_module.ledger.record

    def record(records, delays, *args, **kwargs):
        if any(r.result.response_body == "poison" for r in records):
            raise ValueError("cannot store this answer")
        return real_record(records, delays, *args, **kwargs)

    monkeypatch.setattr(engine_module.ledger, "record", record)
    hook = make_webhook(client, url=receiver.url)
    receiver.script(200, body=b"poison")
    post_events(client, event("evt-a", contact={"id": 1}), event("evt-b", contact={"id": 2}))
    deliver(runtime)
    receiver.wait_for(2)
    rows = list(Delivery.select().where(Delivery.webhook_id == hook["id"]))
    assert [(d.status, d.attempts, d.claim_token) for d in rows] == [("success", 1, None)] * 2
    bad = next(d for d in rows if d.response_body is None)
    good = next(d for d in rows if d.id != bad.id)
    assert good.response_body != "poison" and good.error is None
    assert bad.error == "the answer could not be stored (200)"
    assert runtime.engine._records == [], "nothing left waiting behind the bad outcome"
