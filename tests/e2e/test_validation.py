"""Every bad input answers the exact WordPress-shaped error and changes nothing.

The validation does not depend on the database, so this runs on SQLite, with one smoke test on
MariaDB at the end. The sidecars here are shared by the module: every case checks that the state
(list, every webhook, every delivery log) is the same after the bad request as before it.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
import requests

from tests.support.api import create_webhook, expect, list_deliveries, new_event, send_events
from tests.support.sidecar import Sidecar, SidecarLauncher

VALID = {"name": "Hook", "url": "https://example.com/hook", "events": ["contact.created"]}
HTTPS_ONLY = "Webhook URL must be a valid HTTPS URL."
NOT_PRIVATE = "Webhook URL must not point to a private or local address."
ONE_MB = 1024 * 1024


@pytest.fixture(scope="module")
def launcher(tmp_path_factory: pytest.TempPathFactory, https_ca) -> SidecarLauncher:
    launcher = SidecarLauncher(lambda: tmp_path_factory.mktemp("sidecar"), https_ca.bundle)
    yield launcher
    launcher.shutdown_all()


@pytest.fixture(scope="module")
def lenient(launcher: SidecarLauncher) -> Sidecar:
    """SQLite, private targets allowed (as every other e2e test runs), with one webhook and one delivery."""
    sidecar = launcher.launch()
    webhook = create_webhook(sidecar.api, "https://example.com/hook", ["contact.created"])
    # A logged delivery to check the delivery routes against: a test send that cannot connect.
    expect(sidecar.api.post(f"/v2/webhooks/{webhook['id']}/test"), 200)
    return sidecar


@pytest.fixture(scope="module")
def strict(launcher: SidecarLauncher) -> Sidecar:
    """The production default: private and loopback targets refused."""
    return launcher.launch(env={"FCWH_ALLOW_PRIVATE_TARGETS": "0"})


def snapshot(api: requests.Session) -> dict[str, Any]:
    webhooks = expect(api.get("/v2/webhooks"), 200)["webhooks"]
    return {
        "list": webhooks,
        "each": [expect(api.get(f"/v2/webhooks/{w['id']}"), 200) for w in webhooks],
        "deliveries": [list_deliveries(api, w["id"]) for w in webhooks],
    }


def first_webhook_id(sidecar: Sidecar) -> int:
    return expect(sidecar.api.get("/v2/webhooks"), 200)["webhooks"][0]["id"]


def assert_rejected(sidecar: Sidecar, method: str, path: str, status: int, code: str,
                    message: str | None = None, params: Any = None, *, json_body: Any = None,
                    raw_body: bytes | None = None, headers: dict[str, str] | None = None,
                    session: requests.Session | None = None) -> dict:
    """Send one bad request; check the exact error and that nothing changed. Returns the error body."""
    before = snapshot(sidecar.api)
    kwargs: dict[str, Any] = {"headers": headers or {}}
    if raw_body is not None:
        kwargs["data"] = raw_body
        kwargs["headers"].setdefault("Content-Type", "application/json")
    elif json_body is not None:
        kwargs["json"] = json_body
    response = (session or sidecar.api).request(method, sidecar.url + path, timeout=30, **kwargs)
    assert response.status_code == status, f"{method} {path}: {response.status_code} {response.text[:500]}"
    error = response.json()
    assert error["code"] == code, error
    assert error["data"]["status"] == status, error
    if message is not None:
        assert error["message"] == message, error
    if params is not None:
        assert error["data"]["params"] == params, error
    assert snapshot(sidecar.api) == before, f"{method} {path} changed the state"
    return error


# -- creating a webhook ---------------------------------------------------------------------------
BAD_URLS = ["not a url", "http://example.com/hook", "ftp://example.com/hook", "https://", "//example.com/x",
            "https://example.com/" + "a" * 2048, "javascript:alert(1)"]


@pytest.mark.parametrize("url", BAD_URLS, ids=lambda u: u[:30])
def test_create_refuses_a_bad_url(lenient: Sidecar, url: str) -> None:
    assert_rejected(lenient, "POST", "/v2/webhooks", 400, "invalid_webhook_url", HTTPS_ONLY,
                    json_body=dict(VALID, url=url))


@pytest.mark.parametrize("url", [
    "https://127.0.0.1/hook", "https://localhost/hook", "https://10.1.2.3/hook", "https://172.16.0.1/hook",
    "https://192.168.1.1/hook", "https://169.254.169.254/latest/meta-data", "https://[::1]/hook",
    "https://0.0.0.0/hook", "https://[::]/hook", "https://100.64.0.1/hook", "https://[fe80::1]/hook",
    "https://[fd00::1]/hook", "https://[::ffff:127.0.0.1]/hook",
])
def test_create_refuses_private_targets_by_default(strict: Sidecar, url: str) -> None:
    assert_rejected(strict, "POST", "/v2/webhooks", 400, "invalid_webhook_url", NOT_PRIVATE,
                    json_body=dict(VALID, url=url))


@pytest.mark.parametrize("url", ["https://2130706433/hook", "https://127.1/hook"])
def test_create_refuses_loopback_in_unusual_spellings(strict: Sidecar, url: str) -> None:
    # Either message is right (unparsable or private); what matters is that it is refused.
    assert_rejected(strict, "POST", "/v2/webhooks", 400, "invalid_webhook_url", json_body=dict(VALID, url=url))


def test_a_host_that_does_not_resolve_yet_is_accepted(strict: Sidecar) -> None:
    webhook = create_webhook(strict.api, "https://does-not-resolve.invalid/hook")
    expect(strict.api.delete(f"/v2/webhooks/{webhook['id']}"), 200)


def test_create_refuses_an_unknown_event(lenient: Sidecar) -> None:
    assert_rejected(lenient, "POST", "/v2/webhooks", 400, "invalid_webhook_event",
                    "Event type 'invalid.event' is not supported.",
                    json_body=dict(VALID, events=["contact.created", "invalid.event"]))


@pytest.mark.parametrize("missing", [["name"], ["url"], ["events"], ["name", "url", "events"]])
def test_create_names_the_missing_fields(lenient: Sidecar, missing: list[str]) -> None:
    body = {k: v for k, v in VALID.items() if k not in missing}
    error = assert_rejected(lenient, "POST", "/v2/webhooks", 400, "rest_missing_callback_param", json_body=body)
    assert sorted(error["data"]["params"]) == sorted(missing)
    assert error["message"] == "Missing parameter(s): " + ", ".join(error["data"]["params"])


@pytest.mark.parametrize("field,value", [
    ("name", ""), ("name", "x" * 192), ("name", 5), ("name", ["a"]),
    ("events", []), ("events", "contact.created"), ("events", {"contact.created": True}),
    ("status", "failed"), ("status", "paused"), ("status", 1),
    ("secret", "s" * 256), ("secret", 5),
], ids=lambda v: repr(v)[:20])
def test_create_refuses_wrong_types_and_values(lenient: Sidecar, field: str, value: Any) -> None:
    error = assert_rejected(lenient, "POST", "/v2/webhooks", 400, "rest_invalid_param",
                            f"Invalid parameter(s): {field}", json_body=dict(VALID, **{field: value}))
    assert list(error["data"]["params"]) == [field] and error["data"]["params"][field]


@pytest.mark.parametrize("raw", [b"{not json", b'["a list"]', b'"a string"', b"\xff\xfe"], ids=repr)
def test_create_refuses_a_body_that_is_not_a_json_object(lenient: Sidecar, raw: bytes) -> None:
    assert_rejected(lenient, "POST", "/v2/webhooks", 400, "rest_invalid_json", "Invalid JSON body passed.",
                    raw_body=raw)


def test_a_body_over_one_megabyte_is_refused(lenient: Sidecar) -> None:
    body = json.dumps(dict(VALID, name="x" * ONE_MB)).encode()
    assert_rejected(lenient, "POST", "/v2/webhooks", 413, "rest_request_too_large", raw_body=body)
    events = json.dumps({"events": [new_event(data={"blob": "x" * ONE_MB})]}).encode()
    assert_rejected(lenient, "POST", "/v2/events", 413, "rest_request_too_large", raw_body=events)


def test_the_limits_themselves_are_accepted(lenient: Sidecar) -> None:
    webhook = create_webhook(lenient.api, "https://example.com/" + "a" * (2048 - len("https://example.com/")),
                             name="n" * 191, secret="s" * 255,
                             events=["contact.created", "contact.created", "email.opened"])
    assert (len(webhook["name"]), len(webhook["url"]), len(webhook["secret"])) == (191, 2048, 255)
    assert webhook["events"] == ["contact.created", "email.opened"], "duplicates are collapsed"
    expect(lenient.api.delete(f"/v2/webhooks/{webhook['id']}"), 200)


# -- updating -------------------------------------------------------------------------------------
@pytest.mark.parametrize("body,code,message", [
    ({"url": "http://example.com/hook"}, "invalid_webhook_url", HTTPS_ONLY),
    ({"events": ["contact.created", "nope.nope"]}, "invalid_webhook_event", "Event type 'nope.nope' is not supported."),
    ({"events": []}, "rest_invalid_param", "Invalid parameter(s): events"),
    ({"name": "x" * 192}, "rest_invalid_param", "Invalid parameter(s): name"),
    ({"status": "failed"}, "rest_invalid_param", "Invalid parameter(s): status"),
    ({"status": "unknown"}, "rest_invalid_param", "Invalid parameter(s): status"),
    ({"secret": "s" * 256}, "rest_invalid_param", "Invalid parameter(s): secret"),
    # One bad field rejects the whole update: the good name must not be saved.
    ({"name": "Renamed", "status": "failed"}, "rest_invalid_param", "Invalid parameter(s): status"),
], ids=lambda v: repr(v)[:30])
@pytest.mark.parametrize("method", ["PUT", "PATCH"])
def test_update_refuses_bad_fields(lenient: Sidecar, method: str, body: dict, code: str, message: str) -> None:
    path = f"/v2/webhooks/{first_webhook_id(lenient)}"
    assert_rejected(lenient, method, path, 400, code, message, json_body=body)


def test_update_refuses_invalid_json(lenient: Sidecar) -> None:
    assert_rejected(lenient, "PUT", f"/v2/webhooks/{first_webhook_id(lenient)}", 400, "rest_invalid_json",
                    "Invalid JSON body passed.", raw_body=b"{")


# -- unknown ids and routes -----------------------------------------------------------------------
@pytest.mark.parametrize("method,path", [
    ("GET", "/v2/webhooks/999999"), ("PUT", "/v2/webhooks/999999"), ("PATCH", "/v2/webhooks/999999"),
    ("DELETE", "/v2/webhooks/999999"), ("POST", "/v2/webhooks/999999/test"),
    ("GET", "/v2/webhooks/999999/deliveries"), ("GET", "/v2/webhooks/abc"), ("DELETE", "/v2/webhooks/1.5"),
    ("GET", "/v2/webhooks/0"), ("GET", "/v2/webhooks/-1"),
])
def test_unknown_webhook_ids_are_404(lenient: Sidecar, method: str, path: str) -> None:
    body = {"name": "x"} if method in ("PUT", "PATCH") else None
    assert_rejected(lenient, method, path, 404, "rest_post_invalid_id", "Invalid webhook ID.", json_body=body)


def test_unknown_delivery_ids_are_404(lenient: Sidecar) -> None:
    webhook_id = first_webhook_id(lenient)
    [delivery] = list_deliveries(lenient.api, webhook_id)
    other = create_webhook(lenient.api, "https://example.com/other")
    try:
        for path in (f"/v2/webhooks/{webhook_id}/deliveries/999999",
                     f"/v2/webhooks/{webhook_id}/deliveries/abc",
                     f"/v2/webhooks/{other['id']}/deliveries/{delivery['id']}"):  # not that webhook's
            assert_rejected(lenient, "GET", path, 404, "rest_post_invalid_id", "Invalid delivery ID.")
    finally:
        expect(lenient.api.delete(f"/v2/webhooks/{other['id']}"), 200)


def test_an_unknown_route_is_rest_no_route(lenient: Sidecar) -> None:
    assert_rejected(lenient, "GET", "/v2/nothing-here", 404, "rest_no_route")
    assert_rejected(lenient, "DELETE", "/v2/webhooks", 404, "rest_no_route")


@pytest.mark.parametrize("params,field", [
    ({"per_page": "0"}, "per_page"), ({"per_page": "101"}, "per_page"), ({"per_page": "many"}, "per_page"),
    ({"page": "0"}, "page"), ({"status": "bogus"}, "status"),
])
def test_delivery_log_refuses_bad_query_parameters(lenient: Sidecar, params: dict, field: str) -> None:
    query = "&".join(f"{k}={v}" for k, v in params.items())
    assert_rejected(lenient, "GET", f"/v2/webhooks/{first_webhook_id(lenient)}/deliveries?{query}", 400,
                    "rest_invalid_param", f"Invalid parameter(s): {field}")


# -- the token ------------------------------------------------------------------------------------
@pytest.mark.parametrize("authorization", [None, "Bearer wrong-token", "Bearer ", "Basic {token}", "{token}"])
def test_every_route_needs_the_token(lenient: Sidecar, authorization: str | None) -> None:
    webhook_id = first_webhook_id(lenient)
    [delivery] = list_deliveries(lenient.api, webhook_id)
    anonymous = requests.Session()
    if authorization is not None:
        anonymous.headers["Authorization"] = authorization.format(token=lenient.token)
    routes = [("GET", "/v2/webhooks"), ("POST", "/v2/webhooks"), ("GET", f"/v2/webhooks/{webhook_id}"),
              ("PUT", f"/v2/webhooks/{webhook_id}"), ("DELETE", f"/v2/webhooks/{webhook_id}"),
              ("POST", f"/v2/webhooks/{webhook_id}/test"), ("GET", f"/v2/webhooks/{webhook_id}/deliveries"),
              ("GET", f"/v2/webhooks/{webhook_id}/deliveries/{delivery['id']}"), ("POST", "/v2/events")]
    with anonymous:
        for method, path in routes:
            body = VALID if method in ("POST", "PUT") and "webhooks" in path else None
            assert_rejected(lenient, method, path, 401, "rest_not_logged_in", json_body=body, session=anonymous)
        assert anonymous.get(lenient.url + "/healthz", timeout=10).json()["status"] == "ok"


# -- POST /v2/events ------------------------------------------------------------------------------
def test_an_unknown_event_type_rejects_the_whole_batch(lenient: Sidecar) -> None:
    # campaign.paused: no webhook here subscribes to it, so re-sending it below records no delivery.
    good = new_event("campaign.paused", data={"campaign": {"id": 1}})
    assert_rejected(lenient, "POST", "/v2/events", 400, "invalid_webhook_event",
                    "Event type 'contact.exploded' is not supported.",
                    json_body={"events": [new_event("contact.created"), good, new_event("contact.exploded")]})
    # Nothing recorded, not even the good event's id: the plugin's re-send is accepted.
    assert send_events(lenient.api, good) == {"accepted": 1, "duplicates": 0, "deliveries": 0}


@pytest.mark.parametrize("body,status,code,params", [
    ({}, 400, "rest_missing_callback_param", ["events"]),
    ({"events": "contact.created"}, 400, "rest_invalid_param", None),
    ({"events": ["not an object"]}, 400, "rest_invalid_param", None),
    ({"events": [{"event": "contact.created", "timestamp": "2024-01-15T10:30:00Z", "data": {}}]},
     400, "rest_missing_callback_param", None),
    ({"events": [{"id": "e-1", "timestamp": "2024-01-15T10:30:00Z", "data": {}}]},
     400, "rest_missing_callback_param", None),
    ({"events": [{"id": 12, "event": "contact.created", "timestamp": "2024-01-15T10:30:00Z", "data": {}}]},
     400, "rest_invalid_param", None),
    ({"events": [{"id": "e-2", "event": "contact.created", "timestamp": "yesterday", "data": {}}]},
     400, "rest_invalid_param", None),
    ({"events": [{"id": "e-3", "event": "contact.created", "timestamp": "2024-01-15T10:30:00Z", "data": [1]}]},
     400, "rest_invalid_param", None),
], ids=lambda v: repr(v)[:40])
def test_events_with_missing_or_wrong_fields_are_refused(lenient: Sidecar, body: dict, status: int, code: str,
                                                         params: Any) -> None:
    assert_rejected(lenient, "POST", "/v2/events", status, code, params=params, json_body=body)


def test_events_refuses_invalid_json(lenient: Sidecar) -> None:
    assert_rejected(lenient, "POST", "/v2/events", 400, "rest_invalid_json", "Invalid JSON body passed.",
                    raw_body=b'{"events": [')


# -- MariaDB smoke --------------------------------------------------------------------------------
@pytest.mark.mariadb
def test_validation_smoke_on_mariadb(sidecar_factory, mariadb_server) -> None:
    sidecar = sidecar_factory(database_url=mariadb_server.create_database("t_validation_smoke"))
    create_webhook(sidecar.api, "https://example.com/hook")
    assert_rejected(sidecar, "POST", "/v2/webhooks", 400, "invalid_webhook_url", HTTPS_ONLY,
                    json_body=dict(VALID, url="http://example.com/hook"))
    assert_rejected(sidecar, "POST", "/v2/webhooks", 400, "rest_invalid_param", "Invalid parameter(s): name",
                    json_body=dict(VALID, name="✓" * 192))
    # 191 four-byte characters fit: the tables are utf8mb4, not latin1 or three-byte utf8.
    webhook = create_webhook(sidecar.api, "https://example.com/hook", name="🎉" * 191)
    assert expect(sidecar.api.get(f"/v2/webhooks/{webhook['id']}"), 200)["webhook"]["name"] == "🎉" * 191
