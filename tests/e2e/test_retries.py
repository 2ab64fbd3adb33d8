"""The retry ladder: failed attempts are retried on schedule, then the delivery is `failed`."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from email.utils import format_datetime

from tests.support.api import (create_webhook, delivery_detail, list_deliveries, new_event, send_events,
                               wait_for_deliveries)
from tests.support.receiver import Receiver
from tests.support.waiting import wait_until

# Timestamps in the API may have whole seconds only; allow that much rounding either way.
CLOCK_SLACK = 1.0


def parse_time(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def test_a_failing_receiver_gets_one_attempt_and_five_retries(sidecar_factory, backend,
                                                              receiver: Receiver) -> None:
    sidecar = sidecar_factory(database_url=backend.database_url, env={"FCWH_RETRY_DELAYS": "1,1,1,1,1"})
    receiver.set_default(500, body=b"boom")
    webhook = create_webhook(sidecar.api, receiver.url)
    send_events(sidecar.api, new_event())

    requests = receiver.wait_for(6, timeout=90)
    [delivery] = wait_for_deliveries(sidecar.api, webhook["id"], 1, "failed", timeout=60)
    receiver.assert_nothing_arrives(within=2, already=6)

    assert delivery["attempts"] == 6 and delivery["response_code"] == 500
    assert {r.headers["x-fluentcrm-delivery"] for r in requests} == {str(delivery["id"])}
    assert {r.headers["webhook-id"] for r in requests} == {str(delivery["id"])}
    assert len({r.body for r in requests}) == 1, "every retry sends the same bytes"
    gaps = [later.arrived_at - earlier.arrived_at for earlier, later in zip(requests, requests[1:])]
    assert all(gap >= 1 - 0.2 for gap in gaps), f"retried before its delay: {gaps}"

    detail = delivery_detail(sidecar.api, webhook["id"], delivery["id"])
    assert [a["response_code"] for a in detail["attempts"]] == [500] * 6
    assert all(a["attempted_at"].endswith("Z") for a in detail["attempts"])
    assert detail["attempts"][0]["response_body"] == "boom"


def test_retry_after_is_honoured_up_to_twice_the_schedule_entry(sidecar_factory, backend,
                                                                 receiver: Receiver) -> None:
    entry = 2
    sidecar = sidecar_factory(database_url=backend.database_url,
                              env={"FCWH_RETRY_DELAYS": f"{entry},{entry},{entry}"})
    # Both answers ask for far more than 2x the entry: a sidecar that honours them waits 2x the entry,
    # one that ignores them waits the entry. The second one is an HTTP date, the other allowed form.
    an_hour_ahead = format_datetime(datetime.now(timezone.utc) + timedelta(hours=1), usegmt=True)
    receiver.script(429, headers={"Retry-After": "100"})
    receiver.script(503, headers={"Retry-After": an_hour_ahead})
    webhook = create_webhook(sidecar.api, receiver.url)
    send_events(sidecar.api, new_event())

    def first_attempt_recorded() -> dict | None:
        deliveries = list_deliveries(sidecar.api, webhook["id"])
        return next((d for d in deliveries if d["attempts"] == 1 and d["next_attempt_at"]), None)

    delivery = wait_until(first_attempt_recorded, message="the first attempt and its next attempt time")
    assert delivery["status"] == "pending" and delivery["response_code"] == 429
    planned = (parse_time(delivery["next_attempt_at"]) - parse_time(delivery["attempted_at"])).total_seconds()
    assert 2 * entry - CLOCK_SLACK <= planned <= 2 * entry + CLOCK_SLACK, f"next attempt planned {planned} s later"

    requests = receiver.wait_for(3, timeout=60)  # 429, 503, then the default 200
    wait_for_deliveries(sidecar.api, webhook["id"], 1, "success")
    assert [r.answered_status for r in requests] == [429, 503, 200]
    gaps = [later.arrived_at - earlier.arrived_at for earlier, later in zip(requests, requests[1:])]
    assert all(gap >= 2 * entry - CLOCK_SLACK for gap in gaps), f"Retry-After not honoured: gaps {gaps}"
    attempts = delivery_detail(sidecar.api, webhook["id"], delivery["id"])["attempts"]
    assert [a["response_code"] for a in attempts] == [429, 503, 200]


def test_a_redirect_is_a_failure_and_is_not_followed(sidecar_factory, backend, receiver: Receiver) -> None:
    sidecar = sidecar_factory(database_url=backend.database_url, env={"FCWH_RETRY_DELAYS": "1"})
    elsewhere = receiver.url.replace("/hook", "/elsewhere")
    receiver.set_default(302, headers={"Location": elsewhere})
    webhook = create_webhook(sidecar.api, receiver.url)
    send_events(sidecar.api, new_event())

    [delivery] = wait_for_deliveries(sidecar.api, webhook["id"], 1, "failed", timeout=60)
    requests = receiver.wait_for(2)
    receiver.assert_nothing_arrives(within=2, already=2)
    assert [r.path for r in requests] == ["/hook", "/hook"], "the Location must not be followed"
    assert delivery["attempts"] == 2 and delivery["response_code"] == 302
