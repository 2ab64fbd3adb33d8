"""The seed's curl examples, run with curl against the sidecar (Bearer token instead of Basic)."""

from __future__ import annotations

import json
import shutil
import subprocess

from tests.support.api import new_event, send_events
from tests.support.receiver import Receiver
from tests.support.sidecar import Sidecar


def curl(sidecar: Sidecar, *args: str) -> tuple[int, dict]:
    """Run curl like the seed does; returns the HTTP status and the JSON answer."""
    executable = shutil.which("curl")
    assert executable, "curl is not installed (scripts/install-system-deps.sh installs it)"
    result = subprocess.run(
        [executable, "--silent", "--show-error", "--write-out", "\n%{http_code}",
         "-H", f"Authorization: Bearer {sidecar.token}", *args],
        capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL, check=True)
    body, status = result.stdout.rsplit("\n", 1)
    return int(status), json.loads(body)


def test_the_seed_curl_examples_work(sidecar: Sidecar, receiver: Receiver) -> None:
    base = sidecar.url + "/v2/webhooks"
    status, created = curl(sidecar, base, "-X", "POST", "-H", "Content-Type: application/json", "-d", f'''{{
    "name": "My Webhook",
    "url": "{receiver.url}",
    "events": ["contact.created", "contact.updated"],
    "secret": "my-secret-key"
  }}''')
    assert status == 201
    webhook = created["webhook"]
    assert (webhook["name"], webhook["url"], webhook["status"], webhook["secret"]) == (
        "My Webhook", receiver.url, "active", "my-secret-key")
    assert webhook["events"] == ["contact.created", "contact.updated"]
    assert (webhook["last_delivery"], webhook["held_deliveries"], webhook["consecutive_failures"]) == (None, 0, 0)
    assert webhook["created_at"].endswith("Z") and webhook["updated_at"].endswith("Z")

    status, updated = curl(sidecar, f"{base}/{webhook['id']}", "-X", "PUT", "-H", "Content-Type: application/json",
                           "-d", '''{
    "name": "Updated Webhook",
    "events": ["contact.created", "contact.updated", "contact.deleted"]
  }''')
    assert status == 200
    assert updated["webhook"]["name"] == "Updated Webhook" and updated["webhook"]["url"] == receiver.url
    assert updated["webhook"]["events"] == ["contact.created", "contact.updated", "contact.deleted"]

    status, listed = curl(sidecar, base)
    assert status == 200 and [w["id"] for w in listed["webhooks"]] == [webhook["id"]]
    assert "secret" not in listed["webhooks"][0], "the list never shows secrets"

    status, tested = curl(sidecar, f"{base}/{webhook['id']}/test", "-X", "POST")
    assert status == 200 and tested["success"] is True
    send_events(sidecar.api, new_event("contact.deleted"))
    receiver.wait_for(2)

    status, log = curl(sidecar, f"{base}/{webhook['id']}/deliveries")
    assert status == 200 and log["pagination"]["total"] == 2 and log["pagination"]["per_page"] == 25
    assert {"id", "event", "status", "response_code", "response_time", "attempted_at"} <= set(log["deliveries"][0])

    status, deleted = curl(sidecar, f"{base}/{webhook['id']}", "-X", "DELETE")
    assert status == 200 and deleted["deleted"] is True and deleted["webhook"]["id"] == webhook["id"]
    status, gone = curl(sidecar, f"{base}/{webhook['id']}")
    assert status == 404 and gone["code"] == "rest_post_invalid_id"
