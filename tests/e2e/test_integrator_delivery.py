"""What integrators configure beyond name, url and events, seen from a real receiver (issue 13):
custom headers, secret rotation, conditions, self-healing, the delivery pause, and the
subscription-time rule (issue 10). One sidecar for the whole module (SQLite), a receiver per test.

Pausing is sidecar-wide: the pause test resumes before it ends, so the others never see it.
"""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime, timedelta
from typing import Iterator

import pytest
from standardwebhooks import WebhookVerificationError

from fluentcrm_webhooks.signing import fluentcrm_signature
from tests.conftest import failed
from tests.e2e.signatures import verify_standard_webhooks
from tests.support.api import (
    create_webhook,
    delivery_detail,
    expect,
    get_webhook,
    list_deliveries,
    list_webhooks,
    new_event,
    send_events,
    wait_for_deliveries,
    wait_for_webhook,
)
from tests.support.receiver import Receiver
from tests.support.sidecar import Sidecar, SidecarLauncher
from tests.support.tls import CertificateAuthority
from tests.support.waiting import wait_until

MASK = "********"


@pytest.fixture(scope="module")
def sidecar(tmp_path_factory: pytest.TempPathFactory, https_ca: CertificateAuthority) -> Iterator[Sidecar]:
    launcher = SidecarLauncher(lambda: tmp_path_factory.mktemp("integrator"), https_ca.bundle)
    # A probe a second after a webhook fails (then 2 s, 4 s...), one retry a second later.
    sidecar = launcher.launch(env={"FCWH_RECOVERY_INTERVAL": "1", "FCWH_RETRY_DELAYS": "1"})
    try:
        yield sidecar
    finally:
        launcher.shutdown_all()


@pytest.fixture(autouse=True)
def own_webhooks_only(sidecar: Sidecar, request: pytest.FixtureRequest) -> Iterator[None]:
    """Each test starts with no webhook (the last test's would keep sending to its stopped receiver)."""
    yield
    if failed(request):
        print(f"\n=== sidecar {sidecar.url} in {sidecar.workdir} ===\n{sidecar.logs_for_report()}")
    for webhook in list_webhooks(sidecar.api):
        expect(sidecar.api.delete(f"/v2/webhooks/{webhook['id']}"), 200)


def contact(tags: list[int], status: str = "subscribed") -> dict:
    """A contact as the plugin puts it in events (wp-plugin/includes/capture/payloads.php)."""
    return {"contact": {"id": 7, "email": "ana@example.com", "first_name": "Ana", "last_name": None,
                        "status": status, "phone": None, "created_at": "2026-01-01T00:00:00Z",
                        "updated_at": "2026-01-01T00:00:00Z",
                        "tags": [{"id": t, "title": f"Tag {t}", "slug": f"tag-{t}"} for t in tags],
                        "lists": [{"id": 1, "title": "Newsletter", "slug": "newsletter"}]}}


def test_custom_headers_are_sent_on_every_attempt_and_on_test_and_masked_in_the_log(
        sidecar: Sidecar, receiver: Receiver) -> None:
    headers = {"Authorization": "Bearer receiver-token-123", "X-Api-Key": "k-456"}
    webhook = create_webhook(sidecar.api, receiver.url, headers=headers)
    assert webhook["headers"] == {"Authorization": MASK, "X-Api-Key": MASK}
    receiver.script(500)  # the first attempt fails: the retry must carry them too
    send_events(sidecar.api, new_event())
    first, retry = receiver.wait_for(2)
    test = expect(sidecar.api.post(f"/v2/webhooks/{webhook['id']}/test"), 200)
    assert test["success"] is True
    for request in (first, retry, receiver.wait_for(3)[2]):
        assert request.headers["authorization"] == "Bearer receiver-token-123"
        assert request.headers["x-api-key"] == "k-456"
    assert receiver.requests[2].headers["x-fluentcrm-event"] == "webhook.test"

    [delivery] = [d for d in wait_for_deliveries(sidecar.api, webhook["id"], 2, "success") if not d["test"]]
    detail = delivery_detail(sidecar.api, webhook["id"], delivery["id"])
    assert detail["headers"]["Authorization"] == MASK and detail["headers"]["X-Api-Key"] == MASK
    assert detail["headers"]["X-FluentCRM-Signature"] == first.headers["x-fluentcrm-signature"]
    test_detail = delivery_detail(sidecar.api, webhook["id"], test["delivery"]["id"])
    assert test_detail["headers"]["Authorization"] == MASK
    assert "receiver-token-123" not in json.dumps(list_deliveries(sidecar.api, webhook["id"]))


def test_during_a_rotation_both_secrets_verify_and_only_the_new_one_after(sidecar: Sidecar,
                                                                          receiver: Receiver) -> None:
    old, new = "old-secret ✓ one", "new-secret ✓ two"
    webhook = create_webhook(sidecar.api, receiver.url, secret=old)
    rotated = expect(sidecar.api.post(f"/v2/webhooks/{webhook['id']}/rotate-secret",
                                      json={"secret": new, "overlap_seconds": 2}), 200)
    assert rotated["secret"] == new
    expires = datetime.fromisoformat(rotated["webhook"]["previous_secret_expires_at"].replace("Z", "+00:00"))

    send_events(sidecar.api, new_event())
    [during] = receiver.wait_for(1)
    assert len(during.headers["webhook-signature"].split(" ")) == 2
    verify_standard_webhooks(during.body, during.headers, new)
    verify_standard_webhooks(during.body, during.headers, old)
    assert during.headers["x-fluentcrm-signature"] == fluentcrm_signature(new, during.body)

    time.sleep(max(0.0, (expires - datetime.now(UTC)).total_seconds()) + 0.2)
    send_events(sidecar.api, new_event())
    after = receiver.wait_for(2)[1]
    assert len(after.headers["webhook-signature"].split(" ")) == 1
    verify_standard_webhooks(after.body, after.headers, new)
    with pytest.raises(WebhookVerificationError):
        verify_standard_webhooks(after.body, after.headers, old)
    assert after.headers["x-fluentcrm-signature"] == fluentcrm_signature(new, after.body)


def test_filtered_and_earlier_events_never_reach_the_receiver(sidecar: Sidecar, receiver: Receiver) -> None:
    webhook = create_webhook(sidecar.api, receiver.url, ["contact.updated", "email.opened"], conditions={
        "tags": {"match": "any", "ids": [4, 5]}, "statuses": ["subscribed"], "campaigns": [70]})
    before = (datetime.now(UTC) - timedelta(minutes=5)).strftime("%Y-%m-%dT%H:%M:%SZ")
    wanted = new_event("contact.updated", contact([4]))
    wanted_email = new_event("email.opened", {"email": {"id": 1, "subject": "Hi", "contact_id": 7,
                                                        "campaign_id": 70, "opened_at": "2026-01-01T00:00:00Z"},
                                              **contact([5])})
    answer = send_events(sidecar.api, wanted,
                         new_event("contact.updated", contact([9])),  # no wanted tag
                         new_event("contact.updated", contact([4], status="unsubscribed")),  # status
                         new_event("email.opened", {"email": {"id": 2, "campaign_id": 71}, **contact([4])}),  # campaign
                         new_event("contact.updated", contact([4]), timestamp=before),  # before it subscribed
                         wanted_email)
    assert answer["deliveries"] == 2, "a filtered-out event records no delivery"
    received = receiver.wait_for(2)
    assert sorted(json.loads(r.body)["id"] for r in received) == sorted([wanted["id"], wanted_email["id"]])
    receiver.assert_nothing_arrives(within=1.5, already=2)
    assert len(list_deliveries(sidecar.api, webhook["id"])) == 2


def test_a_failed_webhook_heals_itself_and_sends_what_it_held_in_order(sidecar: Sidecar, receiver: Receiver) -> None:
    webhook = create_webhook(sidecar.api, receiver.url, max_concurrency=1)
    receiver.set_default(410)  # Gone: failed at once, the delivery held
    first = new_event()
    send_events(sidecar.api, first)
    failed = wait_for_webhook(sidecar.api, webhook["id"], status="failed")
    assert failed["next_recovery_probe_at"] is not None
    receiver.set_default(503)
    held = [new_event() for _ in range(3)]
    send_events(sidecar.api, *held)

    # Probes go out on their own (a second after failing, then backing off) and fail while it is down.
    def probes() -> list:
        return [r for r in receiver.requests if r.headers.get("x-fluentcrm-event") == "webhook.test"]
    wait_until(lambda: len(probes()) >= 1, timeout=15, message="a recovery probe")
    assert all(json.loads(r.body)["event"] == "webhook.test" for r in receiver.requests[1:])
    assert get_webhook(sidecar.api, webhook["id"])["status"] == "failed"

    receiver.set_default(200)  # the receiver is back: the next probe re-activates the webhook
    healed = wait_for_webhook(sidecar.api, webhook["id"], timeout=20, status="active")
    assert healed["consecutive_failures"] == 0 and healed["next_recovery_probe_at"] is None
    wait_for_deliveries(sidecar.api, webhook["id"], 5, "success")  # the probe that answered 200, and the 4 held
    after_probe = [json.loads(r.body) for r in receiver.requests if r.answered_status == 200]
    assert after_probe[0]["event"] == "webhook.test"
    assert [b["id"] for b in after_probe[1:]] == [first["id"]] + [e["id"] for e in held]
    tests = list_deliveries(sidecar.api, webhook["id"], test="only")
    assert tests and all(d["test"] and d["event"] == "webhook.test" for d in tests)
    assert {d["status"] for d in tests} >= {"success", "failed"}
    assert f"webhook {webhook['id']} recovered" in sidecar.log_text()


def test_paused_delivery_holds_everything_and_resumes(sidecar: Sidecar, receiver: Receiver) -> None:
    webhook = create_webhook(sidecar.api, receiver.url)
    paused = expect(sidecar.api.put("/v2/delivery", json={"paused": True, "reason": "copy of the site"}), 200)
    try:
        assert paused["paused"] is True
        event = new_event()
        assert send_events(sidecar.api, event)["deliveries"] == 1, "intake still records"
        receiver.assert_nothing_arrives(within=2.5)
        [pending] = list_deliveries(sidecar.api, webhook["id"])
        assert pending["status"] == "pending" and pending["attempts"] == 0
        refused = sidecar.api.post(f"/v2/webhooks/{webhook['id']}/test")
        assert refused.status_code == 409 and refused.json()["code"] == "delivery_paused"
    finally:
        expect(sidecar.api.put("/v2/delivery", json={"paused": False}), 200)
    [request] = receiver.wait_for(1)
    assert json.loads(request.body)["id"] == event["id"]
    wait_for_deliveries(sidecar.api, webhook["id"], 1, "success")

