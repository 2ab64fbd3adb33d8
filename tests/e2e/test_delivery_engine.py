"""The delivery engine against the receivers users have (docs/delivery.md): a dead neighbour, a
receiver that drips its answer, a failing endpoint and its recovery, 410 Gone, SQLite intake under
delivery load, kill -9 mid-burst, and per-contact order under hundreds in flight.

Real `fluentcrm-webhooks serve` processes and plain-HTTP receivers on loopback. Nothing here asserts
on speed (benchmarks do, in `make bench`): every wait is generous, every check is about what
happened, not how fast.
"""

from __future__ import annotations

import json
import signal
import threading
from collections import Counter, defaultdict

import pytest
import requests

from fluentcrm_webhooks.lanes import reserve

from tests.support.api import (create_webhook, get_webhook, list_deliveries, new_event, send_events,
                               update_webhook, wait_for_deliveries, wait_for_webhook)
from tests.support.receiver import Receiver, ScriptedResponse
from tests.support.waiting import wait_until


def start_sidecar(sidecar_factory, database_url=None, **env: str):
    """`serve` with plain-HTTP receivers allowed, as a site owner would try it on loopback."""
    return sidecar_factory(database_url=database_url, env={"FCWH_ALLOW_HTTP": "1", **env})


def events(count: int, name: str = "contact.created", contact_id: int | None = None) -> list[dict]:
    return [new_event(name, data={"contact": {"id": contact_id if contact_id is not None else n}})
            for n in range(count)]


def delivery_ids(receiver: Receiver) -> Counter:
    return Counter(r.headers["x-fluentcrm-delivery"] for r in receiver.requests)


def test_a_dead_receiver_never_holds_back_a_healthy_neighbour(sidecar_factory, http_receiver, receiver_factory):
    dead = receiver_factory(tls=False)
    dead.set_default(200, delay=120)  # accepts, then never answers within FCWH_TIMEOUT
    sidecar = start_sidecar(sidecar_factory, **{"FCWH_WORKERS": "16", "FCWH_TIMEOUT": "30"})
    dead_webhook = create_webhook(sidecar.api, dead.url, ["contact.created"], name="dead")
    create_webhook(sidecar.api, http_receiver.url, ["contact.created"], name="healthy")
    batch = events(200)
    for start in range(0, 200, 50):
        send_events(sidecar.api, *batch[start:start + 50])

    http_receiver.wait_for(200, timeout=60)
    # The healthy one got everything while the dead one's first attempts were still hanging: no
    # attempt to the dead receiver has ended yet (its timeout is 30 s).
    assert not any(d["attempts"] for d in list_deliveries(sidecar.api, dead_webhook["id"]))
    # Alone it may take every slot but the reserve kept for newcomers (lanes.py); beside the healthy
    # one, half of the rest.
    assert dead.max_in_flight <= 16 - reserve(16), "the dead webhook took the slots kept for newcomers"
    assert len(delivery_ids(http_receiver)) == 200


def test_a_dripping_receiver_fails_within_the_deadline_and_is_never_attempted_twice_at_once(
        sidecar_factory, http_receiver):
    http_receiver.set_default(200, body=b"x" * 100, drip=0.8)  # 80 s for the whole answer
    sidecar = start_sidecar(sidecar_factory, **{"FCWH_TIMEOUT": "3", "FCWH_RETRY_DELAYS": "1,1"})
    webhook = create_webhook(sidecar.api, http_receiver.url)
    send_events(sidecar.api, new_event())

    deliveries = wait_for_deliveries(sidecar.api, webhook["id"], 1, "failed", timeout=90)
    assert deliveries[0]["attempts"] == 3
    assert deliveries[0]["error"].startswith("TimeoutError")
    arrivals = [r.arrived_at for r in http_receiver.requests]
    assert len(arrivals) == 3
    # Each attempt starts only after the one before hit its 3 s deadline (plus the 1 s retry delay).
    # (The receiver's own in-flight count would mislead here: it goes on dripping into a closed
    # connection after the sender gave up.)
    assert all(later - earlier >= 3 for earlier, later in zip(arrivals, arrivals[1:])), arrivals


def test_a_failing_endpoint_is_paced_then_drains_at_full_speed(sidecar_factory, http_receiver):
    http_receiver.set_default(503)
    sidecar = start_sidecar(sidecar_factory, **{"FCWH_WORKERS": "32", "FCWH_RETRY_DELAYS": "2,2,2,2,2"})
    webhook = create_webhook(sidecar.api, http_receiver.url)
    send_events(sidecar.api, *events(30))
    wait_for_webhook(sidecar.api, webhook["id"], paced=True, timeout=30)
    # The first wave was sent before the first failure came back; once it has ended, probes go
    # one at a time.
    wait_until(lambda: http_receiver.in_flight == 0, timeout=30, message="the first wave to end")
    first_wave = len(http_receiver.requests)
    http_receiver.reset_max_in_flight()
    http_receiver.wait_for(first_wave + 3, timeout=60)
    assert http_receiver.max_in_flight == 1, "a paced webhook has one attempt in flight"
    attempted = {d["id"] for d in list_deliveries(sidecar.api, webhook["id"]) if d["attempts"]}
    assert len(attempted) < 30, "the others wait without using up their retries"

    failing = len(http_receiver.requests)
    http_receiver.set_default(200, delay=0.2)
    wait_for_deliveries(sidecar.api, webhook["id"], 30, "success", timeout=90)
    assert http_receiver.max_in_flight > 1, "after a success the backlog drains in parallel"
    assert get_webhook(sidecar.api, webhook["id"])["paced"] is False
    logs = list_deliveries(sidecar.api, webhook["id"])
    assert sum(d["attempts"] for d in logs) == len(http_receiver.requests)
    # Every delivery succeeded once; its other attempts were the first wave's one failure or, for
    # the deliveries the probes went to (a retry first: ledger.due_candidates), the probes'.
    # Waiting itself used up no retries. (+1: a probe may have been answered after the switch.)
    probes = failing - first_wave
    assert sum(d["attempts"] - 1 for d in logs) <= failing + 1
    assert sum(max(0, d["attempts"] - 2) for d in logs) <= probes + 1, "beyond one failure, only probes' attempts"
    assert "paced" in sidecar.log_text() and "drains at full speed" in sidecar.log_text()


def test_410_gone_disables_the_webhook_at_once_and_reactivation_sends_the_held(sidecar_factory, http_receiver):
    http_receiver.script(410)
    sidecar = start_sidecar(sidecar_factory, **{"FCWH_WORKERS": "1"})
    webhook = create_webhook(sidecar.api, http_receiver.url)
    send_events(sidecar.api, *events(3))
    failed = wait_for_webhook(sidecar.api, webhook["id"], status="failed", timeout=30)
    assert failed["held_deliveries"] == 3
    http_receiver.assert_nothing_arrives(within=2, already=1)
    update_webhook(sidecar.api, webhook["id"], status="active")
    wait_for_deliveries(sidecar.api, webhook["id"], 3, "success", timeout=30)
    assert len(http_receiver.requests) == 4


def test_sqlite_intake_never_refuses_a_batch_while_deliveries_run(sidecar_factory, http_receiver):
    sidecar = start_sidecar(sidecar_factory, **{"FCWH_WORKERS": "64"})
    webhook = create_webhook(sidecar.api, http_receiver.url, ["contact.created", "contact.updated"])
    create_webhook(sidecar.api, http_receiver.url, ["contact.created"], name="second")
    refusals: list[str] = []
    batches_per_thread, threads = 500, 4

    def post_batches(thread: int) -> None:
        with requests.Session() as session:
            session.headers["Authorization"] = f"Bearer {sidecar.token}"
            for n in range(batches_per_thread):
                body = {"events": events(2, contact_id=thread * 10_000 + n)}
                response = session.post(sidecar.url + "/v2/events", json=body, timeout=60)
                if response.status_code != 200:
                    refusals.append(f"{response.status_code} {response.text[:200]}")

    workers = [threading.Thread(target=post_batches, args=(t,)) for t in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert refusals == [], f"{len(refusals)} of {batches_per_thread * threads} batches refused: {refusals[:3]}"
    total = batches_per_thread * threads * 2 * 2  # 2 events a batch, 2 webhooks
    http_receiver.wait_for(total, timeout=180)
    assert len(delivery_ids(http_receiver)) == total
    assert "database is locked" not in sidecar.log_text()
    assert get_webhook(sidecar.api, webhook["id"])["consecutive_failures"] == 0


def test_kill_9_mid_burst_repeats_at_most_what_was_in_flight(sidecar_factory, backend, http_receiver):
    workers = 20
    sidecar = start_sidecar(sidecar_factory, backend.database_url, **{"FCWH_WORKERS": str(workers), "FCWH_TIMEOUT": "2"})
    http_receiver.set_default(200, delay=0.05)
    webhook = create_webhook(sidecar.api, http_receiver.url)
    burst = 600
    for start in range(0, burst, 100):
        send_events(sidecar.api, *events(100))
    http_receiver.wait_for(150, timeout=60)
    sidecar.kill(signal.SIGKILL)
    assert len(http_receiver.requests) < burst, "the burst ended before the kill; slow the receiver down"
    sidecar.start()
    wait_for_deliveries(sidecar.api, webhook["id"], 100, "success", timeout=120)
    wait_until(lambda: len(delivery_ids(http_receiver)) == burst, timeout=120,
               message=lambda: f"all {burst} deliveries; got {len(delivery_ids(http_receiver))}")
    doubles = sum(n - 1 for n in delivery_ids(http_receiver).values())
    # In flight at the kill: the attempts on the wire (at most FCWH_WORKERS) and the outcomes of
    # those that had ended within the last group-commit window (about as many again at most).
    assert doubles <= 2 * workers, f"{doubles} deliveries were POSTed twice"


@pytest.mark.parametrize("backend", ["sqlite", pytest.param("mariadb", marks=pytest.mark.mariadb)], indirect=True)
def test_an_ordered_webhook_gets_each_contacts_events_in_order_under_hundreds_in_flight(
        sidecar_factory, backend, http_receiver):
    contacts, per_contact = 40, 12
    failing_event: dict[str, str] = {}
    failed_once: set[str] = set()

    def answer(headers: dict[str, str], body: bytes) -> ScriptedResponse | None:
        event_id = json.loads(body)["id"]
        if event_id == failing_event.get("id") and event_id not in failed_once:
            failed_once.add(event_id)
            return ScriptedResponse(500)  # one delivery fails in the middle, and is retried
        return ScriptedResponse(200, delay=0.01 * (hash(event_id) % 5))  # answers overtake each other

    http_receiver.responder = answer
    sidecar = start_sidecar(sidecar_factory, backend.database_url, **{"FCWH_WORKERS": "300"})
    ordered = create_webhook(sidecar.api, http_receiver.url, ["contact.updated"], name="ordered", ordered=True)
    sequence: dict[int, list[str]] = defaultdict(list)
    batch = []
    for step in range(per_contact):
        for contact in range(contacts):
            event = new_event("contact.updated", data={"contact": {"id": contact}, "step": step})
            sequence[contact].append(event["id"])
            batch.append(event)
    failing_event["id"] = sequence[7][3]
    for start in range(0, len(batch), 120):
        send_events(sidecar.api, *batch[start:start + 120])

    total = contacts * per_contact
    wait_for_deliveries(sidecar.api, ordered["id"], min(total, 100), "success", timeout=120)
    http_receiver.wait_for(total + 1, timeout=120)
    successes: dict[int, list[str]] = defaultdict(list)
    for request in http_receiver.requests:
        if request.answered_status == 200:
            document = json.loads(request.body)
            successes[document["data"]["contact"]["id"]].append(document["id"])
    assert {c: successes[c] for c in range(contacts)} == dict(sequence), "a contact's events overtook each other"
    assert failed_once == {sequence[7][3]}
    assert http_receiver.max_in_flight > 10, "other contacts were not held back"
