"""The /v2/webhooks routes in process: shapes, partial updates, and every bad input changing nothing."""

import dataclasses

import pytest

from .conftest import RECEIVER, make_webhook

LONG = "x" * 192


def test_create_get_list_update_delete(client):
    created = make_webhook(client)
    assert created["secret"] == "my-secret-key" and created["status"] == "active"
    assert created["created_at"].endswith("Z") and created["events"] == ["contact.created", "contact.updated"]

    listed = client.get("/v2/webhooks").json()["webhooks"]
    assert [w["id"] for w in listed] == [created["id"]] and "secret" not in listed[0]

    assert client.get(f"/v2/webhooks/{created['id']}").json()["webhook"]["secret"] == "my-secret-key"

    updated = client.put(f"/v2/webhooks/{created['id']}", json={
        "name": "Updated Webhook", "events": ["contact.created", "contact.updated", "contact.deleted"]}).json()["webhook"]
    assert updated["name"] == "Updated Webhook" and updated["url"] == RECEIVER
    assert updated["events"] == ["contact.created", "contact.updated", "contact.deleted"]

    deleted = client.delete(f"/v2/webhooks/{created['id']}")
    assert deleted.status_code == 200 and deleted.json()["deleted"] is True
    assert client.get(f"/v2/webhooks/{created['id']}").status_code == 404


def test_secret_is_generated_strong_when_absent_and_events_deduplicated(client):
    created = make_webhook(client, secret=None, events=["contact.created", "contact.created"])
    assert len(created["secret"]) >= 32 and created["events"] == ["contact.created"]


@pytest.fixture
def settings(settings):
    """This module checks what is refused in production: plain-HTTP URLs among it."""
    return dataclasses.replace(settings, allow_http=False)


def error_of(response):
    body = response.json()
    return response.status_code, body["code"], body["message"], body["data"]["status"]


@pytest.mark.parametrize("body,expected", [
    ({"url": RECEIVER, "events": ["contact.created"]},
     (400, "rest_missing_callback_param", "Missing parameter(s): name")),
    ({"name": "n"}, (400, "rest_missing_callback_param", "Missing parameter(s): url, events")),
    ({"name": "n", "url": "http://example.com/hook", "events": ["contact.created"]},
     (400, "invalid_webhook_url", "Webhook URL must be a valid HTTPS URL.")),
    ({"name": "n", "url": "not a url", "events": ["contact.created"]},
     (400, "invalid_webhook_url", "Webhook URL must be a valid HTTPS URL.")),
    ({"name": "n", "url": "https://e.com/" + "a" * 2040, "events": ["contact.created"]},
     (400, "invalid_webhook_url", "Webhook URL must be a valid HTTPS URL.")),
    ({"name": "n", "url": RECEIVER, "events": ["invalid.event"]},
     (400, "invalid_webhook_event", "Event type 'invalid.event' is not supported.")),
    ({"name": "n", "url": RECEIVER, "events": []}, (400, "rest_invalid_param", "Invalid parameter(s): events")),
    ({"name": "n", "url": RECEIVER, "events": "contact.created"},
     (400, "rest_invalid_param", "Invalid parameter(s): events")),
    ({"name": LONG, "url": RECEIVER, "events": ["contact.created"]},
     (400, "rest_invalid_param", "Invalid parameter(s): name")),
    ({"name": 5, "url": RECEIVER, "events": ["contact.created"]},
     (400, "rest_invalid_param", "Invalid parameter(s): name")),
    ({"name": "n", "url": RECEIVER, "events": ["contact.created"], "status": "failed"},
     (400, "rest_invalid_param", "Invalid parameter(s): status")),
    ({"name": "n", "url": RECEIVER, "events": ["contact.created"], "secret": "s" * 256},
     (400, "rest_invalid_param", "Invalid parameter(s): secret")),
    ({"name": "n", "url": RECEIVER, "events": ["contact.created"], "max_concurrency": 0},
     (400, "rest_invalid_param", "Invalid parameter(s): max_concurrency")),
    ({"name": "n", "url": RECEIVER, "events": ["contact.created"], "max_concurrency": 1001},
     (400, "rest_invalid_param", "Invalid parameter(s): max_concurrency")),
    ({"name": "n", "url": RECEIVER, "events": ["contact.created"], "max_concurrency": "5"},
     (400, "rest_invalid_param", "Invalid parameter(s): max_concurrency")),
    ({"name": "n", "url": RECEIVER, "events": ["contact.created"], "max_concurrency": True},
     (400, "rest_invalid_param", "Invalid parameter(s): max_concurrency")),
    ({"name": "n", "url": RECEIVER, "events": ["contact.created"], "ordered": "yes"},
     (400, "rest_invalid_param", "Invalid parameter(s): ordered")),
])
def test_bad_create_input_is_refused_and_changes_nothing(client, body, expected):
    before = client.get("/v2/webhooks").json()
    assert error_of(client.post("/v2/webhooks", json=body)) == (*expected[:3], expected[0])
    assert client.get("/v2/webhooks").json() == before


def test_bad_update_changes_nothing(client):
    created = make_webhook(client)
    path = f"/v2/webhooks/{created['id']}"
    for body in ({"url": "http://x.example"}, {"events": ["nope"]}, {"status": "paused"}, {"name": ""}):
        assert client.put(path, json=body).status_code == 400
    assert client.get(path).json()["webhook"] == client.get(path).json()["webhook"]
    assert client.get(path).json()["webhook"]["updated_at"] == created["updated_at"]
    assert client.get(path).json()["webhook"]["url"] == RECEIVER


def test_invalid_json_body_too_large_and_unknown_ids(client):
    assert error_of(client.post("/v2/webhooks", content=b"{nope", headers={"Content-Type": "application/json"})) == (
        400, "rest_invalid_json", "Invalid JSON body passed.", 400)
    assert client.post("/v2/webhooks", json=["a list"]).json()["code"] == "rest_invalid_json"
    big = client.post("/v2/webhooks", content=b"{" + b" " * (1024 * 1024 + 1) + b"}")
    assert big.status_code == 413 and big.json()["code"] == "rest_request_too_large"
    for path in ("/v2/webhooks/999", "/v2/webhooks/abc", "/v2/webhooks/-1"):
        assert error_of(client.get(path)) == (404, "rest_post_invalid_id", "Invalid webhook ID.", 404)
    assert client.get("/v2/nothing").json()["code"] == "rest_no_route"
    assert client.get("/v2/webhooks").status_code == 200  # still alive


def test_token_required_everywhere_but_healthz(client):
    for headers in ({"Authorization": ""}, {"Authorization": "Bearer wrong"}, {"Authorization": "Basic abc"}):
        response = client.get("/v2/webhooks", headers=headers)
        assert response.status_code == 401 and response.json()["code"] == "rest_not_logged_in"
    assert client.post("/v2/webhooks", json={}, headers={"Authorization": "Bearer wrong"}).status_code == 401
    assert client.get("/healthz", headers={"Authorization": ""}).json()["status"] == "ok"


def test_lane_settings_are_saved_shown_and_reset(client):
    created = make_webhook(client)
    assert (created["max_concurrency"], created["ordered"], created["paced"]) == (None, False, False)
    updated = client.put(f"/v2/webhooks/{created['id']}", json={"max_concurrency": 4, "ordered": True}).json()["webhook"]
    assert (updated["max_concurrency"], updated["ordered"]) == (4, True)
    listed = client.get("/v2/webhooks").json()["webhooks"][0]
    assert (listed["max_concurrency"], listed["ordered"]) == (4, True)
    reset = client.put(f"/v2/webhooks/{created['id']}", json={"max_concurrency": None}).json()["webhook"]
    assert reset["max_concurrency"] is None and reset["ordered"] is True


def test_the_list_reads_the_same_few_queries_for_any_number_of_webhooks(client):
    from playhouse.test_utils import count_queries

    def queries_for_the_list() -> int:
        with count_queries() as counter:
            assert client.get("/v2/webhooks").status_code == 200
        return counter.count

    make_webhook(client, name="one")
    make_webhook(client, name="two", status="inactive")
    with_two = queries_for_the_list()
    for n in range(9):
        make_webhook(client, name=f"more {n}", status="inactive" if n % 2 else "active")
    assert queries_for_the_list() == with_two, "no query per webhook (N+1)"
