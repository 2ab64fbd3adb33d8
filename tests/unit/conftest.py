"""Unit-test fixtures: an in-process sidecar on a temporary SQLite file, its delivery engine
stepped by the tests one round at a time (`deliver`), and a real HTTP receiver on loopback."""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient

from fluentcrm_webhooks.api.plumbing import Context
from fluentcrm_webhooks.app import create_app
from fluentcrm_webhooks.config import Settings
from fluentcrm_webhooks.runtime import Runtime, build_runtime
from fluentcrm_webhooks.timeutil import iso, utcnow
from tests.support.receiver import Receiver

TOKEN = "unit-test-token"
RECEIVER = "https://receiver.example/hook"  # for tests that save webhooks and send nothing


@pytest.fixture
def settings(tmp_path) -> Settings:
    return Settings(database_url=f"sqlite:///{tmp_path}/fcwh.sqlite3", queue_url="memory://",
                    api_token=TOKEN, retry_delays=(60, 300, 1800, 7200, 86400), allow_private_targets=True,
                    allow_http=True, timeout=5)


@pytest.fixture
def runtime(settings):
    runtime = build_runtime(settings, immediate=True)
    runtime.db.connect()  # for the tests' own queries; requests and tasks open their own
    yield runtime
    runtime.db.close()


@pytest.fixture
def client(runtime, settings):
    app = create_app(Context(settings, runtime.db, runtime.doorbell, TOKEN))
    with TestClient(app, headers={"Authorization": f"Bearer {TOKEN}"}) as test_client:
        yield test_client


@pytest.fixture
def receiver():
    receiver = Receiver().start()
    yield receiver
    receiver.stop()


def deliver(runtime: Runtime, rounds: int = 20) -> list:
    """Run delivery rounds until one finds nothing due; the attempts they made, in order."""
    made = []
    for _ in range(rounds):
        records = runtime.engine.step()
        if not records:
            break
        made.extend(records)
    return made


def make_webhook(client, **overrides) -> dict:
    body = {"name": "Contact Updates", "url": RECEIVER, "events": ["contact.created", "contact.updated"],
            "secret": "my-secret-key"}
    body.update(overrides)
    response = client.post("/v2/webhooks", json=body)
    assert response.status_code == 201, response.text
    return response.json()["webhook"]


def event(event_id: str = "evt-1", name: str = "contact.created", **data) -> dict:
    # Now: a webhook receives only the events that happened while it was subscribed (subscriptions.py).
    return {"id": event_id, "event": name, "timestamp": iso(utcnow()),
            "data": data or {"contact": {"id": 123, "email": "user@example.com"}}}
