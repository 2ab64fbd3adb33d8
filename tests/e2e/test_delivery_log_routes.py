"""The delivery log's own routes on the running sidecar: one delivery in full, redeliver, recover."""

from __future__ import annotations

import hashlib
import hmac
import json

from tests.support.api import (create_webhook, delivery_detail, expect, new_event, send_events,
                               update_webhook, wait_for_deliveries)
from tests.support.receiver import Receiver
from tests.support.waiting import wait_until


def fluentcrm_signature(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def test_detail_shows_the_exact_bytes_headers_and_every_attempt(sidecar_factory, backend, receiver: Receiver) -> None:
    sidecar = sidecar_factory(database_url=backend.database_url, env={"FCWH_RETRY_DELAYS": "1"})
    receiver.script(503, body=b"busy")
    webhook = create_webhook(sidecar.api, receiver.url, secret="detail-secret")
    send_events(sidecar.api, new_event())
    [delivery] = wait_for_deliveries(sidecar.api, webhook["id"], 1, "success")

    detail = delivery_detail(sidecar.api, webhook["id"], delivery["id"])
    received = receiver.requests[-1]
    assert detail["body"].encode("utf-8") == received.body
    assert detail["headers"]["X-FluentCRM-Signature"] == received.headers["x-fluentcrm-signature"]
    assert detail["headers"]["X-FluentCRM-Signature"] == fluentcrm_signature("detail-secret", received.body)
    assert [(a["response_code"], a["response_body"]) for a in detail["attempts"]] == [(503, "busy"), (200, "ok")]
    assert detail["attempts"][0]["error"] == "HTTP 503" and detail["attempts"][1]["error"] is None


def test_redeliver_sends_the_same_delivery_again(sidecar_factory, backend, receiver: Receiver) -> None:
    sidecar = sidecar_factory(database_url=backend.database_url)
    webhook = create_webhook(sidecar.api, receiver.url)
    send_events(sidecar.api, new_event())
    [first] = receiver.wait_for(1)
    [delivery] = wait_for_deliveries(sidecar.api, webhook["id"], 1, "success")

    answer = expect(sidecar.api.post(f"/v2/webhooks/{webhook['id']}/deliveries/{delivery['id']}/redeliver"), 202)
    assert answer["delivery"]["id"] == delivery["id"]
    second = receiver.wait_for(2)[1]
    assert second.body == first.body
    assert second.headers["x-fluentcrm-delivery"] == first.headers["x-fluentcrm-delivery"] == str(delivery["id"])
    assert len(wait_for_attempts(sidecar, webhook["id"], delivery["id"], 2)) == 2


def wait_for_attempts(sidecar, webhook_id: int, delivery_id: int, count: int) -> list[dict]:
    def enough() -> list[dict] | None:
        attempts = delivery_detail(sidecar.api, webhook_id, delivery_id)["attempts"]
        return attempts if len(attempts) >= count else None

    return wait_until(enough, timeout=30, message=f"{count} attempts of delivery {delivery_id}")


def test_recover_redelivers_failed_deliveries_since_a_time(sidecar_factory, backend, receiver: Receiver) -> None:
    sidecar = sidecar_factory(database_url=backend.database_url, env={"FCWH_RETRY_DELAYS": "0"})
    receiver.set_default(500)
    webhook = create_webhook(sidecar.api, receiver.url)
    events = [new_event() for _ in range(3)]
    send_events(sidecar.api, *events)
    wait_for_deliveries(sidecar.api, webhook["id"], 3, "failed")
    failed_attempts = len(receiver.requests)

    receiver.set_default(200)
    future = expect(sidecar.api.post(f"/v2/webhooks/{webhook['id']}/recover", json={"since": "2999-01-01T00:00:00Z"}), 202)
    assert future == {"recovered": 0}
    recovered = expect(sidecar.api.post(f"/v2/webhooks/{webhook['id']}/recover", json={"since": "2000-01-01T00:00:00Z"}), 202)
    assert recovered == {"recovered": 3}
    wait_for_deliveries(sidecar.api, webhook["id"], 3, "success")
    resent = {json.loads(r.body)["id"] for r in receiver.requests[failed_attempts:]}
    assert resent == {e["id"] for e in events}


def test_log_routes_refuse_bad_input_and_change_nothing(sidecar_factory, backend, receiver: Receiver) -> None:
    sidecar = sidecar_factory(database_url=backend.database_url)
    mine = create_webhook(sidecar.api, receiver.url)
    other = create_webhook(sidecar.api, receiver.url, events=["contact.deleted"], name="Other")
    send_events(sidecar.api, new_event())
    [delivery] = wait_for_deliveries(sidecar.api, mine["id"], 1, "success")

    for path in (f"/v2/webhooks/{other['id']}/deliveries/{delivery['id']}", f"/v2/webhooks/{mine['id']}/deliveries/999999",
                 f"/v2/webhooks/{mine['id']}/deliveries/abc"):
        error = expect(sidecar.api.get(path), 404)
        assert (error["code"], error["message"]) == ("rest_post_invalid_id", "Invalid delivery ID.")
    assert expect(sidecar.api.post(f"/v2/webhooks/{other['id']}/deliveries/{delivery['id']}/redeliver"), 404)[
        "code"] == "rest_post_invalid_id"
    for body, code in (({}, "rest_missing_callback_param"), ({"since": "last week"}, "rest_invalid_param")):
        assert expect(sidecar.api.post(f"/v2/webhooks/{mine['id']}/recover", json=body), 400)["code"] == code
    assert expect(sidecar.api.post("/v2/webhooks/999999/recover", json={"since": "2000-01-01T00:00:00Z"}), 404)[
        "code"] == "rest_post_invalid_id"
    assert len(receiver.requests) == 1
    assert delivery_detail(sidecar.api, mine["id"], delivery["id"])["status"] == "success"


def test_recovered_deliveries_of_an_inactive_webhook_wait_until_it_is_active(sidecar_factory, backend,
                                                                              receiver: Receiver) -> None:
    sidecar = sidecar_factory(database_url=backend.database_url, env={"FCWH_RETRY_DELAYS": "0"})
    receiver.set_default(500)
    webhook = create_webhook(sidecar.api, receiver.url)
    send_events(sidecar.api, new_event())
    wait_for_deliveries(sidecar.api, webhook["id"], 1, "failed")
    update_webhook(sidecar.api, webhook["id"], status="inactive")
    receiver.set_default(200)
    assert expect(sidecar.api.post(f"/v2/webhooks/{webhook['id']}/recover", json={"since": "2000-01-01T00:00:00Z"}),
                  202) == {"recovered": 1}
    receiver.assert_nothing_arrives(within=2.0, already=2)
    update_webhook(sidecar.api, webhook["id"], status="active")
    wait_for_deliveries(sidecar.api, webhook["id"], 1, "success")
