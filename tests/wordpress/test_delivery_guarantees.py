"""Nothing is lost and the site never waits: events the sidecar cannot take wait in the outbox
and go out on a later request or by cron, big bursts go in chunks under the sidecar's 1 MB limit,
an event the sidecar refuses cannot block the others."""

from __future__ import annotations

import socket
import threading
from collections import Counter
from typing import Iterator

import pytest
import requests

from tests.support.receiver import Receiver
from tests.support.sidecar import Sidecar
from tests.support.waiting import wait_until
from tests.support.wordpress import WordPressSite
from tests.wordpress.sidecar_calls import SidecarCalls
from tests.wordpress.standin import FluentCRM, unique_email
from tests.wordpress.webhooks import WebhooksApi, delivered


def outbox(site: WordPressSite) -> dict:
    return site.php_json("fcwh_outbox_stats()")


def logged(webhooks: WebhooksApi, webhook: dict) -> Counter:
    return Counter(d["event"] for d in webhooks.deliveries(webhook["id"]))


def test_events_made_while_the_sidecar_is_down_arrive_once_it_is_back(
        wordpress: WordPressSite, site_sidecar: Sidecar, crm: FluentCRM, webhooks: WebhooksApi,
        receiver: Receiver) -> None:
    webhook = webhooks.create(url=receiver.url, events=["contact.created", "contact.tag_added"])
    tag = crm.tag("Offline")
    site_sidecar.stop()
    try:
        emails = [crm.create_contact(unique_email("offline"), tags=[tag])["email"] for _ in range(3)]
        waiting = outbox(wordpress)
        assert waiting["count"] == 6 and waiting["oldest"].endswith("Z")
    finally:
        site_sidecar.start()

    # The next requests (any page) send the backlog, once the short back-off after the failure ends.
    def flushed() -> bool:
        requests.get(wordpress.rest_url("/"), timeout=60)
        return outbox(wordpress)["count"] == 0

    wait_until(flushed, timeout=90, interval=1, message="the outbox to be sent on a later request")
    assert logged(webhooks, webhook) == Counter({"contact.created": 3, "contact.tag_added": 3})
    receiver.wait_for(6)
    created = sorted(d.data["contact"]["email"] for d in delivered(receiver) if d.event == "contact.created")
    assert created == sorted(emails)
    assert outbox(wordpress)["last_flush"] is not None


def test_the_cron_job_sends_the_backlog(wordpress: WordPressSite, site_sidecar: Sidecar, crm: FluentCRM,
                                        webhooks: WebhooksApi, receiver: Receiver) -> None:
    webhook = webhooks.create(url=receiver.url, events=["contact.created"])
    assert wordpress.php_json("wp_get_schedule('fcwh_flush_outbox')") == "fcwh_every_minute"
    site_sidecar.stop()
    try:
        crm.create_contact(unique_email("cron"))
    finally:
        site_sidecar.start()
    assert outbox(wordpress)["count"] == 1
    # The job's own work, before this PHP process's shutdown could send anything.
    assert wordpress.php("fcwh_run_cron(); echo fcwh_outbox_stats()['count'];").strip() == "0"
    assert logged(webhooks, webhook) == Counter({"contact.created": 1})
    receiver.wait_for(1)


def test_a_request_sends_its_events_in_one_batch(crm: FluentCRM, webhooks: WebhooksApi, receiver: Receiver,
                                                 sidecar_calls: SidecarCalls) -> None:
    webhooks.create(url=receiver.url, events=["contact.created", "contact.tag_added", "contact.list_added"])
    tags, listed = [crm.tag("One"), crm.tag("Two")], [crm.list("Three")]
    with sidecar_calls.recording() as calls:
        crm.create_contact(unique_email("batch"), tags=tags, lists=listed)
    assert [(c["method"], c["path"], c["events"], c["status"]) for c in calls] == [("POST", "/v2/events", 3, 200)]


def test_a_burst_of_thousands_goes_in_chunks_under_the_size_limit(
        wordpress: WordPressSite, site_sidecar: Sidecar, crm: FluentCRM, webhooks: WebhooksApi,
        receiver: Receiver, sidecar_calls: SidecarCalls) -> None:
    """1,200 email.sent events from one mailer run; ~2 KB each (long names), so a batch of 500
    would be far over 1 MB: batches are cut by size as well as by count."""
    webhook = webhooks.create(url=receiver.url, events=["email.sent"])
    # Five tags with long titles make every event's contact about 2 KB.
    tags = [crm.tag(f"{'interest-' * 20}{n}") for n in range(5)]
    contacts = crm.import_contacts([{"email": unique_email("burst"), "tags": tags} for _ in range(1200)], silent=True)
    campaign = int(crm.create_campaign("Big send")["id"])
    assert crm.add_recipients(campaign, contacts) == 1200
    with sidecar_calls.recording() as calls:
        assert len(crm.send_emails()) == 1200

    posts = [c for c in calls if c["path"] == "/v2/events"]
    assert sum(c["events"] for c in posts) == 1200 and len(posts) >= 3  # ~2.4 MB of events
    assert all(c["status"] == 200 and c["bytes"] < 1_000_000 for c in posts), posts

    total = webhooks.http.get(webhooks.url(f"/{webhook['id']}/deliveries"), params={"per_page": 1}, timeout=60)
    assert total.json()["pagination"]["total"] == 1200
    assert outbox(wordpress) | {"last_flush": None} == {"count": 0, "oldest": None, "last_flush": None,
                                                         "rejected": 0}
    first = receiver.wait_for(1)[0]
    assert first.headers["x-fluentcrm-event"] == "email.sent"


def test_an_event_the_sidecar_refuses_does_not_hold_up_the_others(
        wordpress: WordPressSite, site_sidecar: Sidecar, webhooks: WebhooksApi, receiver: Receiver) -> None:
    webhooks.create(url=receiver.url, events=["contact.created"])
    report = wordpress.php_json(
        "(function () {"
        " $events = array();"
        " foreach (array('contact.created', 'contact.exploded', 'contact.created') as $i => $type) {"
        "  $events[] = array('id' => wp_generate_uuid4(), 'event' => $type, 'timestamp' => gmdate('Y-m-d\\\\TH:i:s\\\\Z'),"
        "   'data' => array('contact' => array('id' => 900 + $i, 'email' => \"poison-$i@example.com\")));"
        " }"
        " fcwh_outbox_store($events);"
        " return fcwh_outbox_flush(10, 5);"
        "})()")
    assert report == {"sent": 2, "rejected": 1, "complete": True}
    assert outbox(wordpress)["count"] == 0 and outbox(wordpress)["rejected"] == 1
    receiver.wait_for(2)
    assert sorted(d.data["contact"]["email"] for d in delivered(receiver)) == ["poison-0@example.com",
                                                                              "poison-2@example.com"]
    wordpress.php("$GLOBALS['wpdb']->query(\"DELETE FROM \" . fcwh_outbox_table() . \" WHERE status = 'rejected'\");")


@pytest.fixture
def black_hole() -> Iterator[str]:
    """A TCP listener that accepts connections and never answers: a hung sidecar."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(64)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(listener.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    stop.set()
    thread.join()
    for connection in held:
        connection.close()
    listener.close()


def test_a_hung_sidecar_costs_one_short_timeout_and_loses_nothing(
        wordpress: WordPressSite, site_sidecar: Sidecar, crm: FluentCRM, webhooks: WebhooksApi,
        receiver: Receiver, black_hole: str) -> None:
    webhook = webhooks.create(url=receiver.url, events=["contact.created"])
    wordpress.use_sidecar_constants(black_hole, site_sidecar.token)
    try:
        first = crm.create_contact(unique_email("hung"))  # waits out the plugin's short timeout, then succeeds
        second = crm.create_contact(unique_email("hung"))  # back-off: straight to the outbox
        assert outbox(wordpress)["count"] == 2
        health = wordpress.get_option("fcwh_sidecar_health")
        assert health["ok"] is False and black_hole in health["message"]
    finally:
        wordpress.use_sidecar_constants(site_sidecar.url, site_sidecar.token)
    wordpress.delete_option("fcwh_sidecar_health")  # as if the back-off had run out
    requests.get(wordpress.rest_url("/"), timeout=60)
    assert outbox(wordpress)["count"] == 0
    assert logged(webhooks, webhook) == Counter({"contact.created": 2})
    receiver.wait_for(2)
    assert {d.data["contact"]["email"] for d in delivered(receiver)} == {first["email"], second["email"]}
