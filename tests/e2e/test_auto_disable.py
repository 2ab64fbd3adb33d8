"""Five deliveries that end `failed` in a row disable a webhook; re-activating it sends what it held."""

from __future__ import annotations

import json

from tests.support.api import (create_webhook, get_webhook, list_deliveries, new_event, send_events,
                               update_webhook, wait_for_deliveries, wait_for_webhook)
from tests.support.receiver import Receiver


def test_five_failed_deliveries_disable_the_webhook_until_it_is_activated(sidecar_factory, backend,
                                                                         receiver: Receiver) -> None:
    # One retry per delivery keeps this short; what counts is deliveries that END failed.
    sidecar = sidecar_factory(database_url=backend.database_url, env={"FCWH_RETRY_DELAYS": "1"})
    receiver.set_default(500)
    webhook = create_webhook(sidecar.api, receiver.url)
    send_events(sidecar.api, *[new_event() for _ in range(5)])

    wait_for_deliveries(sidecar.api, webhook["id"], 5, "failed")
    disabled = wait_for_webhook(sidecar.api, webhook["id"], status="failed")
    assert disabled["consecutive_failures"] >= 5
    attempts_so_far = len(receiver.requests)
    assert attempts_so_far == 10, f"5 deliveries x 2 attempts, got {attempts_so_far}"

    # While failed: a new event is recorded as pending and held, not sent.
    held_event = new_event()
    assert send_events(sidecar.api, held_event)["deliveries"] == 1
    receiver.assert_nothing_arrives(within=2.5, already=attempts_so_far)
    pending = list_deliveries(sidecar.api, webhook["id"], status="pending")
    assert [d["event_id"] for d in pending] == [held_event["id"]]
    assert pending[0]["attempts"] == 0
    assert get_webhook(sidecar.api, webhook["id"])["held_deliveries"] == 1

    # Back to active: the held delivery goes out, and the success resets the failure count.
    receiver.set_default(200)
    reactivated = update_webhook(sidecar.api, webhook["id"], status="active")
    assert reactivated["status"] == "active" and reactivated["consecutive_failures"] == 0
    [request] = receiver.wait_for(attempts_so_far + 1)[attempts_so_far:]
    assert json.loads(request.body)["id"] == held_event["id"]
    wait_for_deliveries(sidecar.api, webhook["id"], 1, "success")
    assert wait_for_webhook(sidecar.api, webhook["id"], held_deliveries=0)["consecutive_failures"] == 0


def test_a_success_in_between_resets_the_failure_count(sidecar_factory, backend, receiver: Receiver) -> None:
    sidecar = sidecar_factory(database_url=backend.database_url, env={"FCWH_RETRY_DELAYS": "0"})
    receiver.set_default(500)
    webhook = create_webhook(sidecar.api, receiver.url)
    send_events(sidecar.api, *[new_event() for _ in range(4)])
    wait_for_deliveries(sidecar.api, webhook["id"], 4, "failed")
    assert wait_for_webhook(sidecar.api, webhook["id"], consecutive_failures=4)["status"] == "active"

    receiver.set_default(200)
    send_events(sidecar.api, new_event())
    wait_for_deliveries(sidecar.api, webhook["id"], 1, "success")
    assert wait_for_webhook(sidecar.api, webhook["id"], consecutive_failures=0)["status"] == "active"

    receiver.set_default(500)
    send_events(sidecar.api, new_event())
    wait_for_deliveries(sidecar.api, webhook["id"], 5, "failed")
    after = wait_for_webhook(sidecar.api, webhook["id"], consecutive_failures=1)
    assert after["status"] == "active", "4 failures, a success, 1 failure: not 5 in a row"
