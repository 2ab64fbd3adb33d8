"""Nothing is lost and the site never waits: events the sidecar cannot take wait in the outbox
and go out on a later request or by cron, big bursts go in chunks under the sidecar's 1 MB limit,
an event the sidecar refuses or keeps failing on cannot block the others, and a sidecar that is
down has nothing set aside however long it stays down."""

from __future__ import annotations

import json
import re
import socket
import threading
from collections import Counter
from typing import Iterator

import pytest
import requests

from tests.support.net import free_port
from tests.support.receiver import Receiver
from tests.support.sidecar import Sidecar
from tests.support.waiting import wait_until
from tests.support.wordpress import WordPressSite
from tests.wordpress.flaky_sidecar import INTERNAL_ERROR, FlakySidecar
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
                                                         "rejected": 0, "set_aside": 0, "set_aside_error": None}
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
    assert report == {"sent": 2, "rejected": 1, "set_aside": 0, "complete": True}
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


# -- an event the sidecar keeps failing on --------------------------------------------------------
MAX_TRIES = 5  # FCWH_OUTBOX_MAX_TRIES
# Appended to the PHP the tests run, so that each call flushes exactly when the test says: the PHP
# process's own end-of-request flush (fcwh_flush_at_shutdown()) sees nothing waiting.
NO_FLUSH_AT_SHUTDOWN = "add_filter('pre_option_fcwh_outbox_waiting', function () { return '0'; });"
STORE_CONTACT_EVENTS = """
$ids = array();
$events = array();
foreach (json_decode('%s', true) as $i => $email) {
    $id = wp_generate_uuid4();
    $ids[] = $id;
    $events[] = array('id' => $id, 'event' => 'contact.created', 'timestamp' => gmdate('Y-m-d\\TH:i:s\\Z'),
        'data' => array('contact' => array('id' => 950 + $i, 'email' => $email)));
}
fcwh_outbox_store($events);
echo wp_json_encode($ids);
""" + NO_FLUSH_AT_SHUTDOWN


def store_contact_events(site: WordPressSite, emails: list[str]) -> list[str]:
    """Parks one contact.created per email in the outbox; returns the event ids."""
    return json.loads(site.php(STORE_CONTACT_EVENTS % json.dumps(emails)))


def flush(site: WordPressSite, timeout: float = 5) -> dict:
    """One flush, as the cron job or a request's end runs it (`timeout`: seconds per request)."""
    return json.loads(site.php(f"echo wp_json_encode(fcwh_outbox_flush(10, {timeout}));" + NO_FLUSH_AT_SHUTDOWN))


def a_pause_passes(site: WordPressSite) -> None:
    """As if FCWH_OUTBOX_RETRY_PAUSE (30 s) had passed since each row's last try."""
    site.sql("UPDATE wp_fcwh_outbox SET last_attempt_at = last_attempt_at - INTERVAL 1 MINUTE")


def stats(site: WordPressSite) -> dict:
    """fcwh_outbox_stats(), without a flush at the end of the PHP process that asks."""
    return json.loads(site.php("echo wp_json_encode(fcwh_outbox_stats());" + NO_FLUSH_AT_SHUTDOWN))


def waiting_hint(site: WordPressSite) -> str:
    return site.sql("SELECT option_value FROM wp_options WHERE option_name = 'fcwh_outbox_waiting'")[0][0]


def outbox_rows(site: WordPressSite) -> dict[str, tuple]:
    """event id -> (status, strikes, attempts, last_error)."""
    rows = site.sql("SELECT event_id, status, strikes, attempts, last_error FROM wp_fcwh_outbox")
    return {event_id: tuple(rest) for event_id, *rest in rows}


@pytest.fixture
def flaky_sidecar(wordpress: WordPressSite, site_sidecar: Sidecar) -> Iterator[FlakySidecar]:
    """The plugin talks to a FlakySidecar in front of the module's sidecar; the outbox is emptied after."""
    flaky = FlakySidecar(site_sidecar.url).start()
    wordpress.use_sidecar_constants(flaky.url, site_sidecar.token)
    try:
        yield flaky
    finally:
        wordpress.use_sidecar_constants(site_sidecar.url, site_sidecar.token)
        flaky.stop()
        wordpress.php("$GLOBALS['wpdb']->query('TRUNCATE TABLE ' . fcwh_outbox_table());"
                      "update_option('fcwh_outbox_waiting', '0'); delete_option('fcwh_sidecar_health');")


def test_an_event_the_sidecar_keeps_failing_on_is_set_aside_and_the_rest_flow(
        wordpress: WordPressSite, flaky_sidecar: FlakySidecar, webhooks: WebhooksApi, receiver: Receiver) -> None:
    webhook = webhooks.create(url=receiver.url, events=["contact.created"])
    emails = ["good-0@example.com", "poison@example.com", "good-1@example.com", "good-2@example.com"]
    ids = store_contact_events(wordpress, emails)
    poison = ids[1]
    flaky_sidecar.poisoned = {poison}

    def tries() -> int:
        return sum(1 for call in flaky_sidecar.calls if call.event_ids == [poison])

    reports = []
    for n in range(MAX_TRIES + 1):
        reports.append(flush(wordpress))
        if n == 0:
            # A flush right after (the end of the next request) leaves it alone for its pause.
            assert tries() == 1
            assert flush(wordpress) == {"sent": 0, "rejected": 0, "set_aside": 0, "complete": False}
            assert tries() == 1
        a_pause_passes(wordpress)
    # The first flush isolates the poisoned event (halving) and sends the others past it.
    assert reports[0] == {"sent": 3, "rejected": 0, "set_aside": 0, "complete": False}
    assert reports[1:MAX_TRIES - 1] == [{"sent": 0, "rejected": 0, "set_aside": 0, "complete": False}] * (MAX_TRIES - 2)
    assert reports[MAX_TRIES - 1] == {"sent": 0, "rejected": 0, "set_aside": 1, "complete": True}
    assert reports[MAX_TRIES] == {"sent": 0, "rejected": 0, "set_aside": 0, "complete": True}

    calls = flaky_sidecar.calls
    accepted = [event_id for call in calls if call.status == 200 for event_id in call.event_ids]
    assert sorted(accepted) == sorted(ids[:1] + ids[2:])
    assert [call.event_ids for call in calls if call.event_ids == [poison]] == [[poison]] * MAX_TRIES, \
        "tried alone once per flush (past its pause), and no more once set aside"
    assert logged(webhooks, webhook) == Counter({"contact.created": 3})
    receiver.wait_for(3)
    assert sorted(d.data["contact"]["email"] for d in delivered(receiver)) == sorted(emails[:1] + emails[2:])

    # Kept, never deleted, with what happened to it.
    status, strikes, attempts, last_error = outbox_rows(wordpress)[poison]
    assert (status, strikes, last_error) == ("set_aside", MAX_TRIES, INTERNAL_ERROR["message"])
    assert attempts >= MAX_TRIES
    assert stats(wordpress) | {"last_flush": None} == {
        "count": 0, "oldest": None, "last_flush": None, "rejected": 0, "set_aside": 1,
        "set_aside_error": INTERNAL_ERROR["message"]}
    assert waiting_hint(wordpress) == "0"

    # Retried (what the settings screen's button does), it starts again from a clean slate.
    assert wordpress.php("echo fcwh_outbox_retry_set_aside();" + NO_FLUSH_AT_SHUTDOWN) == "1"
    assert outbox_rows(wordpress)[poison][:2] == ("pending", 0)
    assert waiting_hint(wordpress) == "1"
    assert flush(wordpress) == {"sent": 0, "rejected": 0, "set_aside": 0, "complete": False}
    assert outbox_rows(wordpress)[poison][:2] == ("pending", 1)


def settings_page(session: requests.Session, site: WordPressSite) -> requests.Response:
    return session.get(f"{site.url}/wp-admin/admin.php", params={"page": "fcwh-webhooks", "tab": "settings"},
                       timeout=60)


def test_the_settings_screen_shows_set_aside_events_and_retries_them(
        wordpress: WordPressSite, flaky_sidecar: FlakySidecar, webhooks: WebhooksApi, receiver: Receiver) -> None:
    webhooks.create(url=receiver.url, events=["contact.created"])
    [poison] = store_contact_events(wordpress, ["poison@example.com"])
    flaky_sidecar.poisoned = {poison}
    for _ in range(MAX_TRIES):
        flush(wordpress)
        a_pause_passes(wordpress)
    assert stats(wordpress)["set_aside"] == 1

    admin = wordpress.cookie_session()
    page = settings_page(admin, wordpress).text
    shown = page[page.index('id="fcwh-outbox-set-aside"'):]
    shown = shown[:shown.index("</td>")]
    assert f"1 event set aside: the sidecar failed on it {MAX_TRIES} times while otherwise healthy." in shown
    assert f'<code id="fcwh-outbox-set-aside-error">{INTERNAL_ERROR["message"]}</code>' in shown
    assert "Retry set-aside events" in shown
    nonce = re.search(r'name="_wpnonce" value="([0-9a-f]+)"', shown).group(1)
    form = {"action": "fcwh_retry_set_aside", "_wpnonce": nonce, "_wp_http_referer": "/wp-admin/"}
    admin_post = f"{wordpress.url}/wp-admin/admin-post.php"

    # Without the nonce, or as a user who may not manage options, nothing changes.
    assert admin.post(admin_post, data={"action": "fcwh_retry_set_aside"}, timeout=60).status_code == 403
    subscriber = wordpress.cookie_session("subscriber")
    assert subscriber.post(admin_post, data=form, allow_redirects=False, timeout=60).status_code == 403
    assert outbox_rows(wordpress)[poison][:2] == ("set_aside", MAX_TRIES)

    # Whatever tripped the sidecar up is fixed: retrying puts the event back in line, and the next
    # flush (here the end of this very request) sends it.
    flaky_sidecar.poisoned = set()
    retried = admin.post(admin_post, data=form, allow_redirects=False, timeout=60)
    assert retried.status_code == 302 and retried.headers["Location"].endswith("tab=settings&fcwh_retried=1")
    after = admin.get(retried.headers["Location"], timeout=60).text
    assert "1 set-aside event is back in line; it is sent with the next flush." in after
    assert 'id="fcwh-outbox-set-aside"' not in after
    receiver.wait_for(1)
    assert delivered(receiver)[0].data["contact"]["email"] == "poison@example.com"
    wait_until(lambda: poison not in outbox_rows(wordpress), timeout=30, message="the retried event to be sent")


@pytest.mark.parametrize("away", ["refused", "hung"])
def test_a_sidecar_that_does_not_answer_has_nothing_set_aside(
        away: str, wordpress: WordPressSite, flaky_sidecar: FlakySidecar, site_sidecar: Sidecar,
        webhooks: WebhooksApi, receiver: Receiver, request: pytest.FixtureRequest) -> None:
    webhooks.create(url=receiver.url, events=["contact.created"])
    ids = store_contact_events(wordpress, [f"{away}-{n}@example.com" for n in range(3)])
    # Connection refused (nothing listens there), or a sidecar that accepts and never answers.
    gone = f"http://127.0.0.1:{free_port()}" if away == "refused" else request.getfixturevalue("black_hole")
    wordpress.use_sidecar_constants(gone, site_sidecar.token)
    flushes = 2 * MAX_TRIES
    reports = [flush(wordpress, timeout=1) for _ in range(flushes)]
    assert reports == [{"sent": 0, "rejected": 0, "set_aside": 0, "complete": False}] * flushes
    rows = outbox_rows(wordpress)
    assert {event_id: row[:3] for event_id, row in rows.items()} == {
        event_id: ("pending", 0, flushes) for event_id in ids}
    assert "could not be reached" in rows[ids[0]][3]
    assert stats(wordpress)["count"] == 3 and stats(wordpress)["set_aside"] == 0

    wordpress.use_sidecar_constants(flaky_sidecar.url, site_sidecar.token)
    assert flush(wordpress) == {"sent": 3, "rejected": 0, "set_aside": 0, "complete": True}
    receiver.wait_for(3)


def test_a_sidecar_failing_everything_with_its_database_down_has_nothing_set_aside(
        wordpress: WordPressSite, flaky_sidecar: FlakySidecar, webhooks: WebhooksApi, receiver: Receiver) -> None:
    """It answers 500 to every batch, as the sidecar does while its database is away, and its
    health check says so: no event is to blame, each flush costs one batch and one health check."""
    webhooks.create(url=receiver.url, events=["contact.created"])
    ids = store_contact_events(wordpress, [f"db-down-{n}@example.com" for n in range(4)])
    flaky_sidecar.fail_everything = True
    flaky_sidecar.healthz_status = 503
    reports = [flush(wordpress) for _ in range(MAX_TRIES + 1)]
    assert reports == [{"sent": 0, "rejected": 0, "set_aside": 0, "complete": False}] * (MAX_TRIES + 1)
    assert [call.event_ids for call in flaky_sidecar.calls] == [ids] * (MAX_TRIES + 1), "no halving"
    assert {row[:2] for row in outbox_rows(wordpress).values()} == {("pending", 0)}

    flaky_sidecar.fail_everything = False
    flaky_sidecar.healthz_status = None
    assert flush(wordpress) == {"sent": 4, "rejected": 0, "set_aside": 0, "complete": True}
    receiver.wait_for(4)
