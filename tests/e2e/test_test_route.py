"""POST /v2/webhooks/{id}/test sends one `webhook.test` at once, answers the outcome, logs it."""

from __future__ import annotations

import json

from tests.e2e.signatures import verify_standard_webhooks
from tests.support.api import create_webhook, expect, get_webhook, list_deliveries
from tests.support.receiver import Receiver


def test_a_test_send_answers_with_the_outcome_and_is_logged(sidecar, receiver: Receiver) -> None:
    webhook = create_webhook(sidecar.api, receiver.url, secret="s3cret")
    receiver.script(200, body=b"hello from the receiver")

    outcome = expect(sidecar.api.post(f"/v2/webhooks/{webhook['id']}/test"), 200)
    assert outcome["success"] is True and outcome["response_code"] == 200 and outcome["error"] is None
    assert isinstance(outcome["response_time"], int) and outcome["response_time"] >= 0
    assert outcome["response_body"] == "hello from the receiver"

    [request] = receiver.requests  # sent before the answer came back
    assert request.headers["x-fluentcrm-event"] == "webhook.test"
    assert json.loads(request.body)["event"] == "webhook.test"
    assert json.loads(request.body)["webhook_id"] == webhook["id"]
    verify_standard_webhooks(request.body, request.headers, "s3cret")
    [logged] = list_deliveries(sidecar.api, webhook["id"])
    assert logged["id"] == outcome["delivery"]["id"] == int(request.headers["x-fluentcrm-delivery"])
    assert (logged["event"], logged["status"], logged["response_code"]) == ("webhook.test", "success", 200)


def test_a_failed_test_send_is_not_retried_and_does_not_count(sidecar, receiver: Receiver) -> None:
    webhook = create_webhook(sidecar.api, receiver.url, status="inactive")  # /test works whatever the status
    receiver.set_default(500, body=b"nope")

    outcome = expect(sidecar.api.post(f"/v2/webhooks/{webhook['id']}/test"), 200)
    assert (outcome["success"], outcome["response_code"], outcome["response_body"]) == (False, 500, "nope")
    receiver.assert_nothing_arrives(within=2.5, already=1)
    [logged] = list_deliveries(sidecar.api, webhook["id"])
    assert (logged["status"], logged["attempts"]) == ("failed", 1)
    after = get_webhook(sidecar.api, webhook["id"])
    assert (after["status"], after["consecutive_failures"]) == ("inactive", 0)


def test_a_test_send_to_an_unreachable_target_reports_the_error(sidecar, receiver_factory) -> None:
    gone = receiver_factory()
    url = gone.url
    gone.stop()  # nothing listens on that port any more
    webhook = create_webhook(sidecar.api, url)
    outcome = expect(sidecar.api.post(f"/v2/webhooks/{webhook['id']}/test"), 200)
    assert outcome["success"] is False and outcome["response_code"] is None
    assert outcome["error"], "a connection failure must say what went wrong"
