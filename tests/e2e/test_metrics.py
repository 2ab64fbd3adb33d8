"""GET /metrics of a running `serve` (and a `worker` on FCWH_METRICS_PORT), JSON log lines, and
/healthz's readiness, against the real process on SQLite and MariaDB."""

from __future__ import annotations

import json
from collections import Counter

import pytest
import requests
from prometheus_client.openmetrics.parser import text_string_to_metric_families as parse_openmetrics
from prometheus_client.parser import text_string_to_metric_families

from tests.support.api import (create_webhook, delivery_detail, list_deliveries, list_webhooks, new_event, send_events,
                               wait_for_deliveries)
from tests.support.net import free_port
from tests.support.receiver import Receiver
from tests.support.sidecar import Sidecar
from tests.support.waiting import wait_until

# One retry, one second apart: a receiver that always answers 500 ends each delivery `failed` after 2 attempts.
ONE_RETRY = {"FCWH_RETRY_DELAYS": "1"}


def scrape(url: str, token: str | None, accept: str | None = None) -> requests.Response:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    if accept:
        headers["Accept"] = accept
    return requests.get(url + "/metrics", headers=headers, timeout=30)


def samples(text: str) -> dict[tuple[str, frozenset], float]:
    """Every sample of a text exposition: (name, labels) -> value."""
    return {(sample.name, frozenset(sample.labels.items())): sample.value
            for family in text_string_to_metric_families(text) for sample in family.samples}


def value(found: dict, name: str, **labels: str) -> float:
    return found.get((name, frozenset(labels.items())), 0.0)


def outcome_of(attempt: dict) -> str:
    code = attempt["response_code"]
    if code is None:
        return "no answer"
    return "success" if 200 <= code < 300 else "failure"


def test_metrics_count_what_the_delivery_log_holds(sidecar_factory, backend, receiver_factory) -> None:
    sidecar = sidecar_factory(database_url=backend.database_url, env=ONE_RETRY)
    good, bad = receiver_factory(), receiver_factory()
    bad.set_default(500, body=b"down")
    good_hook = create_webhook(sidecar.api, good.url, ["contact.created", "contact.updated"])
    bad_hook = create_webhook(sidecar.api, bad.url, ["contact.updated"])

    created = [new_event("contact.created") for _ in range(4)]
    updated = [new_event("contact.updated") for _ in range(2)]
    assert send_events(sidecar.api, *created[:2], updated[0]) == {"accepted": 3, "duplicates": 0, "deliveries": 4}
    assert send_events(sidecar.api, *created[2:], updated[1], created[0]) == {
        "accepted": 3, "duplicates": 1, "deliveries": 4}
    assert sidecar.api.post("/v2/events", data=b"{not json").status_code == 400
    assert requests.post(sidecar.url + "/v2/events", json={"events": []}, timeout=30).status_code == 401

    wait_for_deliveries(sidecar.api, good_hook["id"], 6, "success")
    wait_for_deliveries(sidecar.api, bad_hook["id"], 2, "failed")

    answer = scrape(sidecar.url, sidecar.token)
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/plain")
    found = samples(answer.text)

    # Deliveries by webhook and status: what the delivery log lists.
    for hook in (good_hook, bad_hook):
        logged = Counter(d["status"] for d in list_deliveries(sidecar.api, hook["id"]))
        for status in ("pending", "success", "failed"):
            assert value(found, "fcwh_deliveries", webhook=str(hook["id"]), status=status) == logged[status], (
                hook["id"], status)
    # Attempts by webhook and outcome: every attempt of every delivery in the log, and nothing else.
    logged_attempts: Counter = Counter()
    for hook in (good_hook, bad_hook):
        for delivery in list_deliveries(sidecar.api, hook["id"]):
            for attempt in delivery_detail(sidecar.api, hook["id"], delivery["id"])["attempts"]:
                logged_attempts[(str(hook["id"]), outcome_of(attempt))] += 1
    assert logged_attempts == {(str(good_hook["id"]), "success"): 6, (str(bad_hook["id"]), "failure"): 4}
    counted = {(dict(labels)["webhook"], dict(labels)["outcome"]): v
               for (name, labels), v in found.items() if name == "fcwh_attempts_total" and v}
    assert counted == logged_attempts
    # The latency histogram holds the same attempts, by outcome.
    assert value(found, "fcwh_attempt_duration_seconds_count", outcome="success") == 6
    assert value(found, "fcwh_attempt_duration_seconds_count", outcome="failure") == 4
    assert value(found, "fcwh_attempt_duration_seconds_bucket", outcome="failure", le="+Inf") == 4
    assert len(good.requests) == 6 and len(bad.requests) == 4  # what the receivers saw, too

    # Intake: two batches recorded, one duplicate, and the two refusals by status.
    assert value(found, "fcwh_intake_batches_total") == 2
    assert value(found, "fcwh_intake_events_total", result="accepted") == 6
    assert value(found, "fcwh_intake_events_total", result="duplicate") == 1
    assert value(found, "fcwh_intake_deliveries_total") == 8
    assert value(found, "fcwh_intake_refused_total", status="400") == 1
    assert value(found, "fcwh_intake_refused_total", status="401") == 1

    # The queue is empty; both webhooks active; the failing one paced, as the API says.
    assert value(found, "fcwh_database_up") == 1
    assert value(found, "fcwh_queue_depth") == 0 and value(found, "fcwh_queue_lag_seconds") == 0
    assert value(found, "fcwh_oldest_pending_age_seconds") == 0
    assert value(found, "fcwh_webhooks", status="active") == 2 and value(found, "fcwh_webhooks", status="failed") == 0
    assert value(found, "fcwh_webhooks_paced") == sum(w["paced"] for w in list_webhooks(sidecar.api)) == 1
    assert value(found, "fcwh_attempts_in_flight") == 0
    assert value(found, "process_resident_memory_bytes") > 0


def test_a_backlog_shows_in_the_queue_depth_and_attempts_in_flight(sidecar_factory, backend,
                                                                 receiver: Receiver) -> None:
    sidecar = sidecar_factory(database_url=backend.database_url)
    hook = create_webhook(sidecar.api, receiver.url)
    receiver.set_default(200, delay=30)  # every attempt hangs (until FCWH_TIMEOUT): what is claimed stays in flight
    send_events(sidecar.api, *(new_event() for _ in range(6)))
    receiver.wait_for(1)

    def settled() -> dict | None:
        # The slots (FCWH_WORKERS=4 in the tests, less what the lanes keep back) are all held by
        # attempts the receiver is sitting on; the rest are due and wait for one.
        found = samples(scrape(sidecar.url, sidecar.token).text)
        in_flight, depth = value(found, "fcwh_attempts_in_flight"), value(found, "fcwh_queue_depth")
        return found if in_flight == len(receiver.requests) and in_flight + depth == 6 and depth > 0 else None

    found = wait_until(settled, timeout=30, message="the attempts in flight and the due ones to add up to 6")
    assert value(found, "fcwh_deliveries", webhook=str(hook["id"]), status="pending") == 6
    assert value(found, "fcwh_queue_lag_seconds") >= 0


def test_metrics_need_the_token_and_speak_openmetrics_when_asked(sidecar: Sidecar) -> None:
    for token in (None, "wrong"):
        answer = scrape(sidecar.url, token)
        assert answer.status_code == 401 and answer.json()["code"] == "rest_not_logged_in"
        assert "fcwh_" not in answer.text
    answer = scrape(sidecar.url, sidecar.token, accept="application/openmetrics-text; version=1.0.0")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("application/openmetrics-text")
    names = {family.name for family in parse_openmetrics(answer.text)}
    assert {"fcwh_deliveries", "fcwh_attempts", "fcwh_intake_refused", "fcwh_queue_depth"} <= names


def test_json_log_lines_parse_and_carry_the_delivery(sidecar_factory, receiver: Receiver) -> None:
    sidecar = sidecar_factory(env={"FCWH_LOG_FORMAT": "json"})
    hook = create_webhook(sidecar.api, receiver.url)
    event = new_event()
    send_events(sidecar.api, event)
    [delivery] = wait_for_deliveries(sidecar.api, hook["id"], 1, "success")
    sidecar.stop()  # every line written and flushed

    lines = [json.loads(line) for line in sidecar.log_text().splitlines() if line.strip()]
    for line in lines:
        assert {"time", "level", "logger", "message"} <= set(line), line
        assert line["time"].endswith("Z")
    loggers = {line["logger"] for line in lines}
    assert {"fluentcrm_webhooks", "fluentcrm_webhooks.delivery", "uvicorn.error"} <= loggers
    [attempt] = [line for line in lines if line.get("delivery_id") == delivery["id"]]
    assert attempt["webhook_id"] == hook["id"] and attempt["event"] == "contact.created"
    assert attempt["status"] == "success" and attempt["response_code"] == 200 and attempt["attempt"] == 1
    assert "Application shutdown complete." in {line["message"] for line in lines}
    assert sidecar.token not in sidecar.log_text() and event["data"]["contact"]["email"] not in sidecar.log_text()


def test_a_worker_exposes_its_own_counters_and_readiness_on_its_metrics_port(sidecar_factory, backend,
                                                                            receiver: Receiver) -> None:
    port = free_port()
    sidecar = sidecar_factory(database_url=backend.database_url, env={"FCWH_METRICS_PORT": str(port)})
    worker = sidecar.start_worker()
    worker_url = f"http://127.0.0.1:{port}"
    wait_until(lambda: "worker /healthz and /metrics on" in worker.log_text(), timeout=30,
               message=lambda: f"the worker's ops server; log:\n{worker.log_tail()}")
    health = requests.get(worker_url + "/healthz", timeout=30)
    assert health.status_code == 200
    assert health.json() == {**health.json(), "status": "ok", "database": "ok", "queue": "ok", "workers": "ok"}
    assert scrape(worker_url, None).status_code == 401

    hook = create_webhook(sidecar.api, receiver.url)
    send_events(sidecar.api, *(new_event() for _ in range(20)))
    wait_for_deliveries(sidecar.api, hook["id"], 20, "success")
    serve_found, worker_found = (samples(scrape(url, sidecar.token).text) for url in (sidecar.url, worker_url))
    # Each process counts the attempts it made; together, every attempt in the log.
    made = [value(found, "fcwh_attempts_total", webhook=str(hook["id"]), outcome="success")
            for found in (serve_found, worker_found)]
    assert sum(made) == 20 == len(receiver.requests)
    # The database's gauges come from serve alone, so Prometheus does not count them twice.
    assert value(serve_found, "fcwh_deliveries", webhook=str(hook["id"]), status="success") == 20
    assert not any(name == "fcwh_deliveries" for name, _ in worker_found)


@pytest.mark.mariadb
def test_readiness_and_metrics_while_the_database_is_gone(sidecar_factory, mariadb_server,
                                                         receiver: Receiver) -> None:
    sidecar = sidecar_factory(database_url=mariadb_server.create_database("t_metrics_database_gone"))
    hook = create_webhook(sidecar.api, receiver.url)
    send_events(sidecar.api, new_event())
    wait_for_deliveries(sidecar.api, hook["id"], 1, "success")

    mariadb_server.stop()
    try:
        health = requests.get(sidecar.url + "/healthz", timeout=30)
        assert health.status_code == 503
        # The part that failed says so; the others are fine (the engine keeps its outcomes meanwhile).
        assert {k: health.json()[k] for k in ("status", "database", "queue", "workers")} == {
            "status": "error", "database": "error", "queue": "ok", "workers": "ok"}
        answer = scrape(sidecar.url, sidecar.token)
        assert answer.status_code == 200, "a scrape still answers, with the process's own counters"
        found = samples(answer.text)
        assert value(found, "fcwh_database_up") == 0
        assert value(found, "fcwh_attempts_total", webhook=str(hook["id"]), outcome="success") == 1
        assert not any(name == "fcwh_deliveries" for name, _ in found)
    finally:
        mariadb_server.start()
    assert requests.get(sidecar.url + "/healthz", timeout=30).status_code == 200
    assert value(samples(scrape(sidecar.url, sidecar.token).text), "fcwh_database_up") == 1
    mariadb_server.sql("DROP DATABASE t_metrics_database_gone")
