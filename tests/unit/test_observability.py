"""The pure parts of metrics, JSON logs and readiness, and /healthz and /metrics in process."""

from __future__ import annotations

import json
import logging
import sys
import threading
from datetime import datetime

import pytest
from prometheus_client.parser import text_string_to_metric_families
from starlette.testclient import TestClient

from fluentcrm_webhooks import healthcheck, metrics, readiness
from fluentcrm_webhooks.api.plumbing import Context, token_matches
from fluentcrm_webhooks.app import create_app
from fluentcrm_webhooks.config import Settings, SettingsError
from fluentcrm_webhooks.engine import Vitals
from fluentcrm_webhooks.logs import JsonFormatter, about
from fluentcrm_webhooks.sender import AttemptResult
from fluentcrm_webhooks.snapshot import WebhookBacklog
from tests.support.net import free_port
from tests.unit.conftest import TOKEN, deliver, event, make_webhook


# -- settings -------------------------------------------------------------------------------------
def test_log_format_and_metrics_port_are_read_and_checked():
    assert Settings.from_env({}).log_format == "text" and Settings.from_env({}).metrics_port is None
    assert Settings.from_env({"FCWH_LOG_FORMAT": "JSON"}).log_format == "json"
    assert Settings.from_env({"FCWH_METRICS_PORT": "9187"}).metrics_port == 9187
    for name, bad in (("FCWH_LOG_FORMAT", "logfmt"), ("FCWH_METRICS_PORT", "0"), ("FCWH_METRICS_PORT", "http")):
        with pytest.raises(SettingsError, match=name):
            Settings.from_env({name: bad})


# -- outcomes -------------------------------------------------------------------------------------
@pytest.mark.parametrize("result,outcome", [
    (AttemptResult(200, 12, "ok", None), "success"),
    (AttemptResult(204, 12, "", None), "success"),
    (AttemptResult(301, 12, "", "HTTP 301"), "failure"),
    (AttemptResult(410, 12, "", "HTTP 410"), "failure"),
    (AttemptResult(503, 12, "", "HTTP 503", "30"), "failure"),
    (AttemptResult(None, 30000, None, "TimeoutError: no complete answer within 30 s"), "timeout"),
    (AttemptResult(None, 3, None, "ClientConnectorError: [Errno 111] Connect call failed"), "connection_error"),
    (AttemptResult(None, 3, None, "ServerDisconnectedError: Server disconnected"), "connection_error"),
    (AttemptResult(None, 0, None, "ForbiddenTarget: Webhook URL must not point to a private or local address."),
     "forbidden_target"),
    (AttemptResult(None, 0, None, "UrlRejected: bad"), "forbidden_target"),
])
def test_attempt_outcomes(result, outcome):
    assert metrics.attempt_outcome(result) == outcome
    assert outcome in metrics.OUTCOMES


# -- the database's gauges, from rows made by hand -------------------------------------------------
NOW = datetime(2024, 1, 15, 12, 0, 0)


def families(counts, backlogs) -> dict[tuple[str, frozenset], float]:
    return {(s.name, frozenset(s.labels.items())): s.value
            for family in metrics.database_families(counts, backlogs, NOW) for s in family.samples}


def test_database_gauges_sum_active_lanes_and_leave_held_ones_out():
    backlogs = [
        WebhookBacklog(1, "active", False, 3, datetime(2024, 1, 15, 11, 59, 50), datetime(2024, 1, 15, 11, 0, 0)),
        WebhookBacklog(2, "active", True, 2, datetime(2024, 1, 15, 11, 59, 30), datetime(2024, 1, 15, 11, 30, 0)),
        # Held by a failed webhook: in the deliveries gauge, not in the queue nor its ages.
        WebhookBacklog(3, "failed", True, 50, datetime(2024, 1, 1), datetime(2024, 1, 1)),
        WebhookBacklog(4, "inactive", False, 0, None, None),
    ]
    found = families([(1, "success", 10), (1, "pending", 3), (2, "pending", 2), (3, "pending", 50)], backlogs)
    assert found[("fcwh_deliveries", frozenset({"webhook": "1", "status": "success"}.items()))] == 10
    assert found[("fcwh_deliveries", frozenset({"webhook": "1", "status": "failed"}.items()))] == 0
    assert found[("fcwh_deliveries", frozenset({"webhook": "3", "status": "pending"}.items()))] == 50
    assert found[("fcwh_deliveries", frozenset({"webhook": "4", "status": "pending"}.items()))] == 0
    assert found[("fcwh_queue_depth", frozenset())] == 5
    assert found[("fcwh_queue_lag_seconds", frozenset())] == 30
    assert found[("fcwh_oldest_pending_age_seconds", frozenset())] == 3600
    assert found[("fcwh_webhooks", frozenset({"status": "active"}.items()))] == 2
    assert found[("fcwh_webhooks", frozenset({"status": "failed"}.items()))] == 1
    assert found[("fcwh_webhooks", frozenset({"status": "inactive"}.items()))] == 1
    assert found[("fcwh_webhooks_paced", frozenset())] == 1  # the failed one is not counted as paced


def test_nothing_waiting_is_zero_not_absent():
    found = families([], [])
    assert found[("fcwh_queue_depth", frozenset())] == 0
    assert found[("fcwh_queue_lag_seconds", frozenset())] == 0
    assert found[("fcwh_oldest_pending_age_seconds", frozenset())] == 0
    assert found[("fcwh_webhooks_paced", frozenset())] == 0


# -- JSON log lines -------------------------------------------------------------------------------
def record(message: str, *args, extra: dict | None = None, exc_info=None, name: str = "fluentcrm_webhooks.delivery"):
    logger = logging.getLogger(name)
    built = logger.makeRecord(name, logging.INFO, __file__, 1, message, args, exc_info, extra=extra)
    return JsonFormatter().format(built)


def test_json_lines_carry_the_delivery_fields_and_nothing_else():
    line = json.loads(record("delivery %s webhook %s: %s", 7, 3, "success",
                             extra={**about(7, 3, "contact.created", attempt=1, status="success"), "secret": "s3"}))
    assert line["message"] == "delivery 7 webhook 3: success" and line["level"] == "INFO"
    assert line["logger"] == "fluentcrm_webhooks.delivery" and line["time"].endswith("Z")
    assert (line["delivery_id"], line["webhook_id"], line["event"], line["attempt"]) == (7, 3, "contact.created", 1)
    assert "secret" not in line, "only the context fields are copied"
    assert "retry_in" not in line and "response_code" not in line, "None fields are left out"
    with pytest.raises(AssertionError):
        about(7, body="{...}")


def test_json_lines_stay_one_line_with_a_traceback_and_describe_uvicorns_access_line():
    try:
        raise ValueError("boom\nsecond line")
    except ValueError:
        text = record("it failed", exc_info=sys.exc_info())
    assert "\n" not in text
    assert "ValueError: boom" in json.loads(text)["exception"]
    access = json.loads(record('%s - "%s %s HTTP/%s" %d', "127.0.0.1:5000", "GET", "/healthz", "1.1", 200,
                               name="uvicorn.access"))
    assert (access["method"], access["path"], access["status_code"]) == ("GET", "/healthz", 200)


# -- readiness ------------------------------------------------------------------------------------
@pytest.mark.parametrize("vitals,state", [
    (None, "none"),
    (Vitals(True, None, 0.5, 0, 0), "ok"),
    (Vitals(True, 3.0, 0.5, 10, 2), "ok"),
    (Vitals(False, None, 0.5, 0, 0), "stopped"),
    (Vitals(True, 121.0, 0.5, 0, 0), "stalled"),
    (Vitals(True, None, 121.0, 0, 0), "stalled"),
    (Vitals(True, None, None, 0, 0), "stalled"),
])
def test_workers_state(vitals, state):
    assert readiness.workers_state(vitals, stalled_after=120.0) == state


class FakeStorage:
    def __init__(self) -> None:
        self.release = threading.Event()
        self.release.set()
        self.fail = False
        self.asked = 0

    def queue_size(self) -> int:
        self.asked += 1
        self.release.wait()
        if self.fail:
            raise ConnectionError("queue down")
        return 0


class FakeHuey:
    def __init__(self) -> None:
        self.storage = FakeStorage()


def test_the_queue_probe_answers_and_never_piles_up_questions():
    probe, huey = readiness.QueueProbe(deadline=0.05), FakeHuey()
    assert probe.state(huey) == "ok"
    huey.storage.fail = True
    assert probe.state(huey) == "error"
    huey.storage.fail = False
    huey.storage.release.clear()  # the queue stops answering (a Redis that drops packets)
    assert probe.state(huey) == "error"
    asked = huey.storage.asked
    assert probe.state(huey) == "error" and huey.storage.asked == asked, "no second question while one hangs"
    huey.storage.release.set()  # it answers at last: the next question is asked and answered
    assert probe._running is not None
    probe._running.join(timeout=30)
    probe.deadline = 30.0
    assert probe.state(huey) == "ok" and huey.storage.asked == asked + 1


def test_token_matching():
    assert token_matches("Bearer abc", "abc") and token_matches("bearer  abc ", "abc")
    assert not token_matches("Bearer abd", "abc") and not token_matches("Basic abc", "abc")
    assert not token_matches("", "abc")


# -- in process -----------------------------------------------------------------------------------
@pytest.fixture
def served(runtime, settings):
    """An app with the runtime's engine running, as `serve` builds it."""
    app = create_app(Context(settings, runtime.db, runtime.doorbell, TOKEN, engine=runtime.engine))
    runtime.engine.start()
    try:
        with TestClient(app, headers={"Authorization": f"Bearer {TOKEN}"}) as client:
            yield client
    finally:
        if runtime.engine.vitals().running:  # a test may have stopped it already
            runtime.engine.stop()


def test_healthz_is_ready_with_the_workers_running_and_503_once_they_stop(served, runtime):
    answer = served.get("/healthz", headers={"Authorization": ""})
    assert answer.status_code == 200
    assert {k: answer.json()[k] for k in ("status", "database", "queue", "workers")} == {
        "status": "ok", "database": "ok", "queue": "ok", "workers": "ok"}
    runtime.engine.stop()
    answer = served.get("/healthz")
    assert answer.status_code == 503
    assert answer.json() == {**answer.json(), "status": "error", "database": "ok", "queue": "ok", "workers": "stopped"}


def test_an_app_without_workers_says_so_and_stays_ready(client):
    assert client.get("/healthz").json()["workers"] == "none"
    assert client.get("/healthz").status_code == 200


def parse(text: str) -> dict[tuple[str, frozenset], float]:
    return {(s.name, frozenset(s.labels.items())): s.value
            for family in text_string_to_metric_families(text) for s in family.samples}


def test_metrics_in_process_count_intake_and_refusals(client, runtime, receiver):
    def scrape() -> dict:
        answer = client.get("/metrics")
        assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/plain")
        return parse(answer.text)

    before = scrape()
    hook = make_webhook(client, url=receiver.url)
    assert client.post("/v2/events", json={"events": [event("e1"), event("e2"), event("e1")]}).status_code == 200
    assert client.post("/v2/events", json={"events": [{"id": "x"}]}).status_code == 400
    assert client.post("/v2/events", json={"events": []}, headers={"Authorization": "Bearer nope"}).status_code == 401
    deliver(runtime)
    after = scrape()

    def grew(name: str, **labels: str) -> float:
        key = (name, frozenset(labels.items()))
        return after.get(key, 0.0) - before.get(key, 0.0)

    assert grew("fcwh_intake_batches_total") == 1
    assert grew("fcwh_intake_events_total", result="accepted") == 2
    assert grew("fcwh_intake_events_total", result="duplicate") == 1
    assert grew("fcwh_intake_refused_total", status="400") == 1
    assert grew("fcwh_intake_refused_total", status="401") == 1
    assert grew("fcwh_attempts_total", webhook=str(hook["id"]), outcome="success") == 2
    assert after[("fcwh_deliveries", frozenset({"webhook": str(hook["id"]), "status": "success"}.items()))] == 2
    assert client.get("/metrics", headers={"Authorization": ""}).status_code == 401


# -- the container's HEALTHCHECK ------------------------------------------------------------------
def test_the_healthcheck_asks_serves_port_then_a_workers():
    assert healthcheck.ports({}) == ["8787"]
    assert healthcheck.ports({"FCWH_PORT": "9000", "FCWH_METRICS_PORT": "9187"}) == ["9000", "9187"]
    assert healthcheck.host({"FCWH_HOST": "0.0.0.0"}) == "127.0.0.1" == healthcheck.host({})
    assert healthcheck.host({"FCWH_HOST": "10.0.0.7"}) == "10.0.0.7"


def test_the_healthcheck_passes_on_200_only_and_says_why(receiver):
    unused = str(free_port())
    ok, said = healthcheck.check({"FCWH_PORT": unused})
    assert not ok and unused in said
    # A worker's container: nothing on FCWH_PORT, its /healthz on FCWH_METRICS_PORT.
    receiver.set_default(200, body=b'{"status": "ok"}')
    ok, said = healthcheck.check({"FCWH_PORT": unused, "FCWH_METRICS_PORT": str(receiver.port)})
    assert ok and '"status": "ok"' in said
    receiver.set_default(503, body=b'{"status": "error", "queue": "error"}')
    ok, said = healthcheck.check({"FCWH_PORT": str(receiver.port)})
    assert not ok and '"queue": "error"' in said and "503" in said
