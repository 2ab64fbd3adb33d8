"""An event goes in through /v2/events and comes out as a signed HTTPS POST at the receiver."""

from __future__ import annotations

import json

import pytest
from standardwebhooks import WebhookVerificationError

from tests.e2e.signatures import run_seed_verifier, verify_standard_webhooks
from tests.support.api import (create_webhook, delivery_detail, list_deliveries, new_event, send_events,
                               wait_for_deliveries)
from tests.support.receiver import Receiver
from tests.support.sidecar import Sidecar

BODY_KEYS = {"id", "event", "timestamp", "webhook_id", "data"}


def test_an_event_is_delivered_signed_and_logged(sidecar: Sidecar, receiver: Receiver) -> None:
    webhook = create_webhook(sidecar.api, receiver.url, ["contact.created", "contact.updated"],
                             secret="my-secret-key ✓")
    event = new_event("contact.created")
    assert send_events(sidecar.api, event) == {"accepted": 1, "duplicates": 0, "deliveries": 1}

    [request] = receiver.wait_for(1)
    [delivery] = wait_for_deliveries(sidecar.api, webhook["id"], 1, "success")
    assert delivery["response_code"] == 200 and delivery["attempts"] == 1
    assert delivery["event"] == "contact.created" and delivery["event_id"] == event["id"]
    assert delivery["webhook_id"] == webhook["id"] and delivery["attempted_at"].endswith("Z")

    body = json.loads(request.body)
    assert set(body) == BODY_KEYS, f"body keys {list(body)}"
    assert body == {"id": event["id"], "event": "contact.created", "timestamp": event["timestamp"],
                    "webhook_id": webhook["id"], "data": event["data"]}

    headers = request.headers
    assert request.method == "POST" and request.path == "/hook"
    assert headers["content-type"].split(";")[0] == "application/json"
    assert headers["user-agent"] == "FluentCRM-Webhook/1.0"
    assert headers["x-fluentcrm-event"] == "contact.created"
    assert headers["x-fluentcrm-webhook-id"] == str(webhook["id"])
    assert headers["x-fluentcrm-delivery"] == str(delivery["id"])
    assert headers["webhook-id"] == str(delivery["id"])
    assert headers["webhook-timestamp"].isdigit()
    assert headers["x-fluentcrm-signature"].startswith("sha256=")
    assert headers["webhook-signature"].startswith("v1,")

    detail = delivery_detail(sidecar.api, webhook["id"], delivery["id"])
    assert detail["body"].encode("utf-8") == request.body, "the log must keep the exact bytes sent"
    assert [a["response_code"] for a in detail["attempts"]] == [200]


def test_signatures_verify_with_the_seed_snippets_and_standard_webhooks(sidecar: Sidecar,
                                                                        receiver: Receiver) -> None:
    secret = "my-secret-key ✓ ünïcode"
    create_webhook(sidecar.api, receiver.url, ["contact.created"], secret=secret)
    send_events(sidecar.api, new_event("contact.created"))
    [request] = receiver.wait_for(1)
    signature = request.headers["x-fluentcrm-signature"]

    assert run_seed_verifier("php", request.body, signature, secret)
    assert run_seed_verifier("node", request.body, signature, secret)
    verify_standard_webhooks(request.body, request.headers, secret)

    # The verifiers do reject: a changed byte or a wrong secret fails each of them.
    tampered = request.body.replace(b"subscribed", b"Subscribed")
    assert not run_seed_verifier("php", tampered, signature, secret)
    assert not run_seed_verifier("node", request.body, signature, secret + "x")
    with pytest.raises(WebhookVerificationError):
        verify_standard_webhooks(tampered, request.headers, secret)


def test_inactive_webhooks_and_unsubscribed_events_get_nothing(sidecar: Sidecar, receiver: Receiver) -> None:
    inactive = create_webhook(sidecar.api, receiver.url, ["contact.created"], status="inactive")
    subscribed = create_webhook(sidecar.api, receiver.url, ["contact.updated"])

    answer = send_events(sidecar.api, new_event("contact.created"), new_event("contact.deleted"),
                         new_event("contact.updated"))
    assert answer == {"accepted": 3, "duplicates": 0, "deliveries": 1}
    assert list_deliveries(sidecar.api, inactive["id"]) == [], "an inactive webhook records nothing"

    [request] = receiver.wait_for(1)
    assert request.headers["x-fluentcrm-event"] == "contact.updated"
    assert request.headers["x-fluentcrm-webhook-id"] == str(subscribed["id"])
    receiver.assert_nothing_arrives(within=2.5, already=1)  # over two sweep intervals
    assert [d["event"] for d in list_deliveries(sidecar.api, subscribed["id"])] == ["contact.updated"]


def test_duplicate_event_ids_are_dropped_within_and_across_requests(sidecar: Sidecar,
                                                                    receiver: Receiver) -> None:
    webhook = create_webhook(sidecar.api, receiver.url, ["contact.created", "contact.updated"])
    first, second = new_event("contact.created"), new_event("contact.updated")

    assert send_events(sidecar.api, first, first, second) == {"accepted": 2, "duplicates": 1, "deliveries": 2}
    assert send_events(sidecar.api, first) == {"accepted": 0, "duplicates": 1, "deliveries": 0}
    # The same id with another type or data is still the same event (a re-send by the plugin).
    resent = dict(second, data={"contact": {"id": 1}})
    assert send_events(sidecar.api, resent) == {"accepted": 0, "duplicates": 1, "deliveries": 0}

    received = receiver.wait_for(2)
    receiver.assert_nothing_arrives(within=2.5, already=2)
    assert sorted(json.loads(r.body)["id"] for r in received) == sorted([first["id"], second["id"]])
    assert len(list_deliveries(sidecar.api, webhook["id"])) == 2


def test_one_event_fans_out_to_every_subscribed_webhook_with_the_same_event_id(
        sidecar: Sidecar, receiver_factory) -> None:
    receivers = [receiver_factory(), receiver_factory()]
    hooks = [create_webhook(sidecar.api, r.url, ["email.opened"], secret=f"secret-{i}")
             for i, r in enumerate(receivers)]
    event = new_event("email.opened", data={"email": {"id": 456, "subject": "Welcome", "contact_id": 123,
                                                      "campaign_id": 789, "opened_at": "2024-01-15T10:35:00Z"}})
    assert send_events(sidecar.api, event)["deliveries"] == 2
    for receiver, hook in zip(receivers, hooks):
        [request] = receiver.wait_for(1)
        body = json.loads(request.body)
        assert body["id"] == event["id"] and body["webhook_id"] == hook["id"]
        assert run_seed_verifier("php", request.body, request.headers["x-fluentcrm-signature"], hook["secret"])


def test_the_delivery_log_is_newest_first_filtered_and_paginated(sidecar: Sidecar, receiver: Receiver) -> None:
    webhook = create_webhook(sidecar.api, receiver.url)
    empty = sidecar.api.get(f"/v2/webhooks/{webhook['id']}/deliveries").json()
    assert empty == {"deliveries": [], "pagination": {"total": 0, "per_page": 25, "current_page": 1, "last_page": 1}}

    events = [new_event() for _ in range(3)]
    for event in events:  # one at a time, so creation order is certain
        send_events(sidecar.api, event)
    wait_for_deliveries(sidecar.api, webhook["id"], 3, "success")

    path = f"/v2/webhooks/{webhook['id']}/deliveries"
    first = sidecar.api.get(path, params={"per_page": 2}).json()
    second = sidecar.api.get(path, params={"per_page": 2, "page": 2}).json()
    assert first["pagination"] == {"total": 3, "per_page": 2, "current_page": 1, "last_page": 2}
    assert second["pagination"] == {"total": 3, "per_page": 2, "current_page": 2, "last_page": 2}
    newest_first = [d["event_id"] for d in first["deliveries"] + second["deliveries"]]
    assert newest_first == [e["id"] for e in reversed(events)]
    assert list_deliveries(sidecar.api, webhook["id"], status="failed") == []
    assert len(list_deliveries(sidecar.api, webhook["id"], status="success")) == 3


def test_private_targets_are_refused_at_connect_time_too(sidecar_factory, receiver: Receiver) -> None:
    # Saved while private targets were allowed, then the sidecar restarts with the production
    # default: the address actually connected to is checked, so nothing reaches the receiver.
    sidecar = sidecar_factory(env={"FCWH_RETRY_DELAYS": "0"})
    webhook = create_webhook(sidecar.api, receiver.url)
    sidecar.stop()
    sidecar.env["FCWH_ALLOW_PRIVATE_TARGETS"] = "0"
    sidecar.start()

    outcome = sidecar.api.post(f"/v2/webhooks/{webhook['id']}/test").json()
    assert outcome["success"] is False and outcome["response_code"] is None and outcome["error"]
    event = new_event()
    send_events(sidecar.api, event)
    deliveries = wait_for_deliveries(sidecar.api, webhook["id"], 2, "failed")  # the test send and the event
    [delivery] = [d for d in deliveries if d["event_id"] == event["id"]]
    assert delivery["attempts"] == 2 and delivery["response_code"] is None and delivery["error"]
    assert receiver.requests == []
