"""Short, intent-named calls to the sidecar's API for the tests (docs/sidecar-api.md)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any, Iterable

import requests

from .waiting import wait_until


def expect(response: requests.Response, status: int) -> dict:
    assert response.status_code == status, (
        f"{response.request.method} {response.url} answered {response.status_code}, "
        f"expected {status}: {response.text[:2000]}")
    return response.json()


def create_webhook(api: requests.Session, url: str, events: Iterable[str] = ("contact.created",),
                   name: str = "Test hook", **fields: Any) -> dict:
    body = {"name": name, "url": url, "events": list(events), **fields}
    return expect(api.post("/v2/webhooks", json=body), 201)["webhook"]


def get_webhook(api: requests.Session, webhook_id: int) -> dict:
    return expect(api.get(f"/v2/webhooks/{webhook_id}"), 200)["webhook"]


def update_webhook(api: requests.Session, webhook_id: int, **fields: Any) -> dict:
    return expect(api.put(f"/v2/webhooks/{webhook_id}", json=fields), 200)["webhook"]


def list_webhooks(api: requests.Session) -> list[dict]:
    return expect(api.get("/v2/webhooks"), 200)["webhooks"]


def now_iso() -> str:
    """Now as event timestamps carry it (whole seconds, Z)."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def new_event(event: str = "contact.created", data: dict | None = None, event_id: str | None = None,
              timestamp: str | None = None) -> dict:
    """One event as the plugin sends it; non-ASCII data by default, to catch encoding slips.
    It happened now unless `timestamp` says otherwise: a webhook receives only the events that
    happened while it was subscribed (subscriptions.py)."""
    if data is None:
        data = {"contact": {"id": 123, "email": "jose@example.com", "first_name": "José",
                            "last_name": "Müller ✓ 🎉", "status": "subscribed",
                            "created_at": "2024-01-15T10:30:00Z"}}
    return {"id": event_id or str(uuid.uuid4()), "event": event, "timestamp": timestamp or now_iso(), "data": data}


def send_events(api: requests.Session, *events: dict) -> dict:
    """POST /v2/events; answers {"accepted", "duplicates", "deliveries"}."""
    return expect(api.post("/v2/events", json={"events": list(events)}), 200)


def list_deliveries(api: requests.Session, webhook_id: int, **params: Any) -> list[dict]:
    """The first page (up to 100, newest first) of a webhook's delivery log."""
    params.setdefault("per_page", 100)
    return expect(api.get(f"/v2/webhooks/{webhook_id}/deliveries", params=params), 200)["deliveries"]


def delivery_detail(api: requests.Session, webhook_id: int, delivery_id: int) -> dict:
    return expect(api.get(f"/v2/webhooks/{webhook_id}/deliveries/{delivery_id}"), 200)["delivery"]


def wait_for_deliveries(api: requests.Session, webhook_id: int, count: int, status: str,
                        timeout: float = 60.0) -> list[dict]:
    """Wait until `count` deliveries of the webhook have `status`; returns all its deliveries."""
    seen: list[dict] = []

    def done() -> list[dict] | None:
        nonlocal seen
        seen = list_deliveries(api, webhook_id)
        return seen if sum(d["status"] == status for d in seen) >= count else None

    return wait_until(done, timeout=timeout, interval=0.25, message=lambda: (
        f"{count} deliveries of webhook {webhook_id} with status {status!r}; saw "
        f"{[(d['id'], d['status'], d['attempts'], d['response_code']) for d in seen]}"))


def wait_for_webhook(api: requests.Session, webhook_id: int, timeout: float = 60.0, **expected: Any) -> dict:
    """Wait until the webhook's fields equal `expected` (e.g. status="failed"); returns it."""
    seen: dict = {}

    def done() -> dict | None:
        nonlocal seen
        seen = get_webhook(api, webhook_id)
        return seen if all(seen.get(k) == v for k, v in expected.items()) else None

    return wait_until(done, timeout=timeout, interval=0.25,
                      message=lambda: f"webhook {webhook_id} to have {expected}; saw {seen}")
