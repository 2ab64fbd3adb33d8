"""Inputs that once answered 500 or were taken as something else: strict JSON bodies, ASCII-only
ids, URLs with control characters or a backslash, pages past the limit, timestamps that leave the
years UTC can hold, and the SQLite files kept private. Each sends the exact input to a running
`serve`, checks the code and message, and that nothing changed."""

from __future__ import annotations

import os
import stat

import pytest

from tests.support.api import create_webhook, list_deliveries, list_webhooks
from tests.support.sidecar import Sidecar

INVALID_JSON = {"code": "rest_invalid_json", "message": "Invalid JSON body passed.", "data": {"status": 400}}


@pytest.fixture(scope="module")
def sidecar(tmp_path_factory, https_ca):
    from tests.support.sidecar import SidecarLauncher

    launcher = SidecarLauncher(lambda: tmp_path_factory.mktemp("strict"), https_ca.bundle)
    sidecar = launcher.launch()
    # Inactive: nothing it holds moves on its own while the state is compared.
    webhook = create_webhook(sidecar.api, "https://127.0.0.1:9/hook", ["contact.created"], status="inactive")
    sidecar.webhook_id = webhook["id"]
    yield sidecar
    launcher.shutdown_all()


def state(sidecar: Sidecar) -> tuple:
    webhooks = list_webhooks(sidecar.api)
    return webhooks, [list_deliveries(sidecar.api, w["id"]) for w in webhooks]


def post_raw(sidecar: Sidecar, path: str, body: str):
    return sidecar.api.post(path, data=body.encode("utf-8"), headers={"Content-Type": "application/json"})


DEEP = "[" * 1000 + "]" * 1000


@pytest.mark.parametrize("body", [
    '{"events": [{"id": "e1", "event": "contact.created", "timestamp": "2024-01-15T10:30:00Z", "data": %s}]}' % data
    for data in ('{"x": NaN}', '{"x": Infinity}', '{"x": -Infinity}', '{"x": 1e999}', '{"x": "\\ud800"}',
                 '{"x": %s}' % DEEP)
] + ['{"events": [{"id": "\\ud800", "event": "contact.created", "timestamp": "2024-01-15T10:30:00Z", "data": {}}]}'],
    ids=["NaN", "Infinity", "-Infinity", "1e999", "lone-surrogate-in-data", "1000-deep", "lone-surrogate-in-id"])
def test_events_that_are_not_strict_json_are_refused_and_change_nothing(sidecar, body):
    before = state(sidecar)
    response = post_raw(sidecar, "/v2/events", body)
    assert (response.status_code, response.json()) == (400, INVALID_JSON)
    assert state(sidecar) == before


@pytest.mark.parametrize("body", [
    '{"name": "\\ud800", "url": "https://127.0.0.1:9/x", "events": ["contact.created"]}',
    '{"name": %s, "url": "https://127.0.0.1:9/x", "events": ["contact.created"]}' % DEEP,
], ids=["lone-surrogate-name", "1000-deep"])
def test_webhooks_that_are_not_strict_json_are_refused_and_change_nothing(sidecar, body):
    before = state(sidecar)
    response = post_raw(sidecar, "/v2/webhooks", body)
    assert (response.status_code, response.json()) == (400, INVALID_JSON)
    assert state(sidecar) == before


@pytest.mark.parametrize("digits", ["%C2%B2", "%EF%BC%91", "%D9%A1"], ids=["superscript-2", "fullwidth-1", "arabic-indic-1"])
def test_ids_are_ascii_digits_only(sidecar, digits):
    before = state(sidecar)
    for method, path in (("GET", f"/v2/webhooks/{digits}"), ("DELETE", f"/v2/webhooks/{digits}"),
                         ("GET", f"/v2/webhooks/{sidecar.webhook_id}/deliveries/{digits}")):
        response = sidecar.api.request(method, path)
        assert response.status_code == 404, (method, path, response.text)
        assert response.json()["data"] == {"status": 404}
    assert state(sidecar) == before


def test_the_sqlite_files_are_private_like_the_token(sidecar):
    files = [sidecar.workdir / name for name in ("fcwh.sqlite3", "fcwh.sqlite3-wal", "fcwh.sqlite3-shm",
                                                "fcwh-queue.sqlite3")]
    present = [path for path in files if path.exists()]
    assert sidecar.workdir / "fcwh.sqlite3" in present, sorted(os.listdir(sidecar.workdir))
    assert {path.name: stat.S_IMODE(path.stat().st_mode) for path in present} == \
        {path.name: 0o600 for path in present}


INVALID_URL = {"code": "invalid_webhook_url", "message": "Webhook URL must be a valid HTTPS URL.",
               "data": {"status": 400}}
BAD_URLS = ["https://127.0.0.1:9/\u0000", "https://127.0.0.1\u0000.pub.test/", "https://127.0.0.1:9/\u007f",
            "https://127.0.0.1:9/\u001b[2J", "https://127.0.0.1:9/\u0085", "https://127.0.0.1:9\\@pub.test/",
            "https://pub.test\\@127.0.0.1:9/", "https://127.0.0.1:9/a\\b", "https://127.0.0.1:0/"]


@pytest.mark.parametrize("url", BAD_URLS, ids=["nul-in-path", "nul-in-host", "del", "esc", "c1-nel",
                                               "backslash-before-at", "backslash-in-host", "backslash-in-path",
                                               "port-0"])
def test_urls_with_control_characters_or_a_backslash_are_refused_on_create_and_update(sidecar, url):
    before = state(sidecar)
    created = sidecar.api.post("/v2/webhooks", json={"name": "x", "url": url, "events": ["contact.created"]})
    updated = sidecar.api.put(f"/v2/webhooks/{sidecar.webhook_id}", json={"url": url})
    for response in (created, updated):
        assert (response.status_code, response.json()) == (400, INVALID_URL)
    assert state(sidecar) == before


@pytest.mark.parametrize("page", ["99999999999999999999", "1000000001", "9" * 5000, "\u0661", "1_0", "+1"])
def test_a_page_beyond_the_limit_or_not_in_ascii_digits_is_a_400(sidecar, page):
    before = state(sidecar)
    response = sidecar.api.get(f"/v2/webhooks/{sidecar.webhook_id}/deliveries", params={"page": page})
    assert response.status_code == 400, response.text
    assert response.json() == {
        "code": "rest_invalid_param", "message": "Invalid parameter(s): page",
        "data": {"status": 400, "params": {"page": "page must be a whole number, 1 to 1000000000."}}}
    assert state(sidecar) == before
    last = sidecar.api.get(f"/v2/webhooks/{sidecar.webhook_id}/deliveries", params={"page": "1000000000"})
    assert last.status_code == 200 and last.json()["deliveries"] == []


OUT_OF_RANGE = ["0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-01:00"]


@pytest.mark.parametrize("timestamp", OUT_OF_RANGE, ids=["year-0-in-utc", "year-10000-in-utc"])
def test_a_timestamp_outside_the_years_utc_can_hold_is_a_400(sidecar, timestamp):
    before = state(sidecar)
    event = {"id": "year-edge-" + timestamp[:4], "event": "contact.created", "timestamp": timestamp, "data": {}}
    response = sidecar.api.post("/v2/events", json={"events": [event]})
    assert (response.status_code, response.json()["code"]) == (400, "rest_invalid_param"), response.text
    assert response.json()["data"]["params"] == {"events[0].timestamp": "timestamp must be an ISO 8601 date-time."}
    recover = sidecar.api.post(f"/v2/webhooks/{sidecar.webhook_id}/recover", json={"since": timestamp})
    assert (recover.status_code, recover.json()["data"]["params"]) == (
        400, {"since": "since must be an ISO 8601 date-time."}), recover.text
    assert state(sidecar) == before
    # The event id was not remembered: the same event with a good timestamp is taken.
    event["timestamp"] = "2024-01-15T10:30:00Z"
    assert sidecar.api.post("/v2/events", json={"events": [event]}).json()["accepted"] == 1
