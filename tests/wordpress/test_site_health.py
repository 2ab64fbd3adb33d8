"""Operations visibility (issue 12, items 6 and 1): the plugin's Site Health tests, run through
WP_Site_Health inside WordPress (and on the real Tools > Site Health screen) against a real
sidecar in every state the tests report on; the Info tab's section; and the settings screen's
delivery log figures and retention, including with the sidecar away or too old for them.

The module runs its own sidecar on the site's database with hour-long retry delays, so a
delivery whose receiver fails stays pending for real (its row's creation time is then moved back,
to stand for a receiver that has been failing for hours).
"""

from __future__ import annotations

import html
import json
import re
import uuid
from contextlib import contextmanager
from datetime import datetime, timezone
from typing import Iterator

import pytest
import requests

from tests.conftest import CertificateAuthority
from tests.support.net import free_port
from tests.support.receiver import Receiver
from tests.support.sidecar import Sidecar, SidecarLauncher
from tests.support.waiting import wait_until
from tests.support.wordpress import WordPressSite
from tests.wordpress.conftest import FORGET_PLUGIN_STATE
from tests.wordpress.flaky_sidecar import FlakySidecar
from tests.wordpress.webhooks import WebhooksApi

OUR_TESTS = ["fcwh_sidecar", "fcwh_outbox", "fcwh_failed_webhooks", "fcwh_pending_deliveries", "fcwh_retention"]
HOUR_LONG_RETRIES = "3600,3600,3600,3600,3600"

RUN_SITE_HEALTH = """
require_once ABSPATH . 'wp-admin/includes/class-wp-site-health.php';
$health  = WP_Site_Health::get_instance();
$perform = new ReflectionMethod( $health, 'perform_test' ); // what the Site Health screen runs
$perform->setAccessible( true );
$results = array();
foreach ( WP_Site_Health::get_tests()['direct'] as $key => $test ) {
    if ( 0 === strpos( $key, 'fcwh_' ) ) {
        $results[ $key ] = $perform->invoke( $health, $test['test'] );
    }
}
echo wp_json_encode( $results );
"""


@pytest.fixture(scope="module")
def launcher(tmp_path_factory: pytest.TempPathFactory, https_ca: CertificateAuthority,
             request: pytest.FixtureRequest) -> Iterator[SidecarLauncher]:
    launched = SidecarLauncher(lambda: tmp_path_factory.mktemp("wp-sidecar-health"), https_ca.bundle)
    try:
        yield launched
    finally:
        if request.session.testsfailed:
            for sidecar in launched.launched:
                print(f"\n=== sidecar {sidecar.url} ===\n{sidecar.logs_for_report()}")
        launched.shutdown_all()


@pytest.fixture(scope="module")
def site_sidecar(wordpress: WordPressSite, launcher: SidecarLauncher) -> Iterator[Sidecar]:
    """This module's sidecar (see the module doc), found through the wp-config constants."""
    sidecar = launcher.launch(database_url=wordpress.database_url, env={"FCWH_RETRY_DELAYS": HOUR_LONG_RETRIES})
    for webhook in sidecar.api.get("/v2/webhooks").json()["webhooks"]:  # left by other modules
        sidecar.api.delete(f"/v2/webhooks/{webhook['id']}")
    wordpress.use_sidecar_constants(sidecar.url, sidecar.token)
    wordpress.php(FORGET_PLUGIN_STATE)
    try:
        yield sidecar
    finally:
        wordpress.drop_sidecar_constants()


@pytest.fixture(autouse=True)
def clean_outbox(wordpress: WordPressSite, site_sidecar: Sidecar) -> Iterator[None]:
    yield
    wordpress.php(FORGET_PLUGIN_STATE)


def site_health(site: WordPressSite) -> dict[str, dict]:
    results = json.loads(site.php(RUN_SITE_HEALTH))
    assert sorted(results) == sorted(OUR_TESTS)
    for key, result in results.items():
        assert result["test"] == key and result["status"] in ("good", "recommended", "critical")
        assert result["badge"]["label"] == "FluentCRM Webhooks"
        assert result["label"] and result["description"].startswith("<p>")
        assert "page=fcwh-webhooks&tab=settings" in html.unescape(result["actions"]), result["actions"]
    return results


def statuses(results: dict[str, dict]) -> dict[str, str]:
    return {key: result["status"] for key, result in results.items()}


def text(result: dict) -> str:
    return html.unescape(re.sub(r"<[^>]+>", " ", result["description"]))


@contextmanager
def sidecar_at(site: WordPressSite, url: str, token: str, back_to: Sidecar) -> Iterator[None]:
    """The plugin talks to `url` with `token` for the block's length."""
    site.use_sidecar_constants(url, token)
    try:
        yield
    finally:
        site.use_sidecar_constants(back_to.url, back_to.token)
        site.delete_option("fcwh_sidecar_health")  # forget the outage the block recorded


def send_event(sidecar: Sidecar, event: str = "contact.created") -> None:
    answer = sidecar.api.post("/v2/events", json={"events": [{
        "id": str(uuid.uuid4()), "event": event,
        "timestamp": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "data": {"contact": {"id": 7, "email": "health@example.com"}}}]})
    assert answer.status_code == 200, answer.text


def stats(sidecar: Sidecar) -> dict:
    return sidecar.api.get("/v2/stats").json()


def healthy_webhook(sidecar: Sidecar, webhooks: WebhooksApi, receiver: Receiver, name: str = "Healthy") -> dict:
    webhook = webhooks.create(name=name, url=receiver.url, events=["contact.created"])
    send_event(sidecar)
    wait_until(lambda: stats(sidecar)["deliveries"]["success"] >= 1, timeout=60, interval=0.3,
               message="the delivery to succeed")
    return webhook


class TooOldSidecar(FlakySidecar):
    """The real sidecar behind a front that has no `GET /v2/stats`, as a release before it had."""

    def _answer(self, method: str, path: str, headers: dict[str, str], body: bytes) -> tuple[int, bytes]:
        if path.split("?")[0] == "/v2/stats":
            return 404, json.dumps({"code": "rest_no_route", "message": "No route was found matching the URL and "
                                    "request method.", "data": {"status": 404}}).encode()
        return super()._answer(method, path, headers, body)


@pytest.fixture
def too_old_sidecar(site_sidecar: Sidecar) -> Iterator[TooOldSidecar]:
    front = TooOldSidecar(site_sidecar.url).start()
    yield front
    front.stop()


# -- Site Health ---------------------------------------------------------------------------------------
def test_all_good(wordpress: WordPressSite, site_sidecar: Sidecar, webhooks: WebhooksApi, receiver: Receiver) -> None:
    healthy_webhook(site_sidecar, webhooks, receiver)
    results = site_health(wordpress)
    assert statuses(results) == dict.fromkeys(OUR_TESTS, "good")
    assert f"The sidecar at {site_sidecar.url} (version " in text(results["fcwh_sidecar"])
    assert "The outgoing webhook has not failed." in text(results["fcwh_failed_webhooks"])
    assert "No active webhook has a delivery still to send." in text(results["fcwh_pending_deliveries"])
    assert "deleted 30 days after their last attempt" in text(results["fcwh_retention"])
    assert results["fcwh_sidecar"]["badge"]["color"] == "blue"


def test_the_site_health_screen_runs_them_and_the_info_tab_has_a_section(
        wordpress: WordPressSite, site_sidecar: Sidecar, webhooks: WebhooksApi, receiver: Receiver) -> None:
    healthy_webhook(site_sidecar, webhooks, receiver)
    admin = wordpress.cookie_session("admin")
    page = admin.get(f"{wordpress.url}/wp-admin/site-health.php", timeout=120)
    assert page.status_code == 200
    found = re.search(r"var SiteHealth = (\{.*?\});\n", page.text)
    assert found, "no SiteHealth data on the screen"
    direct = {result["test"]: result for result in json.loads(found.group(1))["site_status"]["direct"]}
    assert {key: direct[key]["status"] for key in OUR_TESTS} == dict.fromkeys(OUR_TESTS, "good")

    info = admin.get(f"{wordpress.url}/wp-admin/site-health.php", params={"tab": "debug"}, timeout=120)
    assert info.status_code == 200
    clipboard = html.unescape(re.search(r'data-clipboard-text="([^"]*)"', info.text, re.S).group(1))
    section = clipboard.split("### fluentcrm-webhooks ###", 1)[1].split("###", 1)[0]
    fields = dict(line.split(": ", 1) for line in section.strip().splitlines() if ": " in line)
    version = requests.get(f"{site_sidecar.url}/healthz", timeout=10).json()["version"]
    figures = stats(site_sidecar)
    assert fields["sidecar_url"] == f"{site_sidecar.url} (FCWH_SIDECAR_URL)"
    assert fields["api_token"] == "set" and site_sidecar.token not in info.text
    assert fields["sidecar_version"] == version
    assert fields["sidecar_health"] == "HTTP 200 (database ok, queue ok, workers ok)"
    assert fields["retention"] == "30"
    assert figures["deliveries"]["total"] == figures["deliveries"]["success"] == figures["attempts"] == 1
    assert fields["log_size"] == "1 delivery (1 delivered, 0 failed, 0 pending of which 0 held), 1 attempt"
    assert fields["webhooks"] == "1 (1 active)"
    assert fields["outbox"] == "0 waiting (oldest none), 0 rejected, 0 set aside"
    assert "notify_email" not in fields, "the address is private: not in what is copied"
    assert "FluentCRM Webhooks" in info.text and "Failure notifications go to" in info.text


def test_sidecar_down(wordpress: WordPressSite, site_sidecar: Sidecar) -> None:
    with sidecar_at(wordpress, f"http://127.0.0.1:{free_port()}", site_sidecar.token, site_sidecar):
        results = site_health(wordpress)
    assert statuses(results) == {"fcwh_sidecar": "critical", "fcwh_outbox": "good", "fcwh_failed_webhooks": "recommended",
                                 "fcwh_pending_deliveries": "recommended", "fcwh_retention": "recommended"}
    assert results["fcwh_sidecar"]["label"] == "The FluentCRM Webhooks sidecar cannot be reached"
    assert "could not be reached" in text(results["fcwh_sidecar"])
    assert results["fcwh_failed_webhooks"]["label"] == "Whether an outgoing webhook has failed could not be checked"
    assert results["fcwh_retention"]["label"] == "The webhook delivery log’s retention could not be checked"


def test_token_wrong(wordpress: WordPressSite, site_sidecar: Sidecar) -> None:
    with sidecar_at(wordpress, site_sidecar.url, "not-the-sidecars-token", site_sidecar):
        results = site_health(wordpress)
    assert results["fcwh_sidecar"]["status"] == "critical"
    assert results["fcwh_sidecar"]["label"] == "The FluentCRM Webhooks sidecar rejects the plugin’s token"
    assert "rejected the plugin's API token" in text(results["fcwh_sidecar"])
    assert {key: results[key]["status"] for key in OUR_TESTS[2:]} == dict.fromkeys(OUR_TESTS[2:], "recommended")


def test_sidecar_not_ready(wordpress: WordPressSite, site_sidecar: Sidecar, too_old_sidecar: TooOldSidecar) -> None:
    too_old_sidecar.healthz_status = 503  # its database is away
    with sidecar_at(wordpress, too_old_sidecar.url, site_sidecar.token, site_sidecar):
        result = site_health(wordpress)["fcwh_sidecar"]
    assert result["status"] == "critical" and result["label"] == "The FluentCRM Webhooks sidecar is not ready"
    assert f"The sidecar at {too_old_sidecar.url} answers its health check with HTTP 503 (database: error)." in text(result)


def test_no_token_at_all(wordpress: WordPressSite, site_sidecar: Sidecar) -> None:
    with sidecar_at(wordpress, site_sidecar.url, "", site_sidecar):
        results = site_health(wordpress)
    assert results["fcwh_sidecar"]["status"] == "critical"
    assert results["fcwh_sidecar"]["label"] == "FluentCRM Webhooks has no token for its sidecar"


def test_outbox_backlog(wordpress: WordPressSite, site_sidecar: Sidecar) -> None:
    def park(status: str, age_minutes: int, error: str | None = None) -> None:
        wordpress.sql("INSERT INTO wp_fcwh_outbox (event_id, event_type, payload, status, last_error, created_at)"
                      " VALUES (%s, 'contact.created', '{}', %s, %s, UTC_TIMESTAMP() - INTERVAL %s MINUTE)",
                      (str(uuid.uuid4()), status, error, age_minutes))

    park("pending", 2)
    result = site_health(wordpress)["fcwh_outbox"]
    assert result["status"] == "recommended" and result["label"] == "Some FluentCRM Webhooks events are waiting in WordPress"
    assert "1 event is waiting in WordPress for the sidecar, the oldest for 2 mins." in text(result)

    park("pending", 90)
    park("pending", 30)
    result = site_health(wordpress)["fcwh_outbox"]
    assert result["status"] == "critical" and result["label"] == "FluentCRM Webhooks events are piling up in WordPress"
    assert "3 events are waiting in WordPress for the sidecar, the oldest for 2 hours." in text(result)

    wordpress.sql("TRUNCATE TABLE wp_fcwh_outbox")
    park("set_aside", 5, "HTTP 500: rest_internal_error")
    park("set_aside", 5, "HTTP 500: rest_internal_error")
    park("rejected", 5, "invalid event")
    result = site_health(wordpress)["fcwh_outbox"]
    assert result["status"] == "critical"
    assert ("2 events were set aside after the sidecar failed on them repeatedly (last error: HTTP 500: "
            "rest_internal_error).") in text(result)
    assert "1 event was refused by the sidecar as invalid" in text(result)

    wordpress.sql("DELETE FROM wp_fcwh_outbox WHERE status = 'set_aside'")
    assert site_health(wordpress)["fcwh_outbox"]["status"] == "recommended"  # refused ones only


def test_failed_webhook(wordpress: WordPressSite, site_sidecar: Sidecar, webhooks: WebhooksApi,
                        receiver: Receiver, receiver_factory) -> None:
    healthy_webhook(site_sidecar, webhooks, receiver, name="Still fine")
    gone_receiver = receiver_factory()
    gone_receiver.set_default(410, body=b"gone")
    gone = webhooks.create(name="Gone receiver", url=gone_receiver.url, events=["contact.created"])
    send_event(site_sidecar)
    wait_until(lambda: site_sidecar.api.get(f"/v2/webhooks/{gone['id']}").json()["webhook"]["status"] == "failed",
               timeout=60, interval=0.3, message="the webhook to turn failed")
    result = site_health(wordpress)["fcwh_failed_webhooks"]
    assert result["status"] == "critical" and result["label"] == "1 outgoing webhook has failed"
    assert f"“Gone receiver ({gone_receiver.url})”: its endpoint answered 410 Gone" in text(result)
    assert "1 event held." in text(result) and "Still fine" not in text(result)
    assert "page=fcwh-webhooks\">Outgoing Webhooks</a>" in result["actions"]
    assert result["badge"]["color"] == "red"


def test_old_pending_deliveries(wordpress: WordPressSite, site_sidecar: Sidecar, webhooks: WebhooksApi,
                                receiver: Receiver) -> None:
    """A receiver answering 500: the delivery is retried in an hour, so it stays pending; its row
    is then dated two hours (and then a day) back, as if the receiver had been down since."""
    receiver.set_default(500, body=b"down")
    webhook = webhooks.create(name="Down for hours", url=receiver.url, events=["contact.created"])
    send_event(site_sidecar)
    receiver.wait_for(1)
    wait_until(lambda: stats(site_sidecar)["oldest_pending_at"] is not None, timeout=30, interval=0.3,
               message="the failed attempt to be recorded")
    results = site_health(wordpress)
    assert results["fcwh_pending_deliveries"]["status"] == "good"  # seconds old
    # Meanwhile the failing endpoint is paced: worth a look, not failed (yet).
    assert results["fcwh_failed_webhooks"]["status"] == "recommended"
    assert f"Down for hours ({receiver.url})" in text(results["fcwh_failed_webhooks"])

    wordpress.sql("UPDATE wp_fcwh_deliveries SET created_at = created_at - INTERVAL 2 HOUR WHERE webhook_id = %s",
                  (webhook["id"],))
    result = site_health(wordpress)["fcwh_pending_deliveries"]
    assert result["status"] == "recommended", result
    assert result["label"] == "A webhook delivery has been waiting for 2 hours"
    assert "(1 delivery is pending in all)" in text(result)

    wordpress.sql("UPDATE wp_fcwh_deliveries SET created_at = created_at - INTERVAL 1 DAY WHERE webhook_id = %s",
                  (webhook["id"],))
    result = site_health(wordpress)["fcwh_pending_deliveries"]
    assert result["status"] == "critical" and result["label"] == "A webhook delivery has been waiting for 1 day"

    # A held delivery (its webhook is off) is not "waiting": it is waiting for someone.
    webhooks.http.put(webhooks.url(f"/{webhook['id']}"), json={"status": "inactive"}, timeout=60)
    assert site_health(wordpress)["fcwh_pending_deliveries"]["status"] == "good"


def test_retention_off(wordpress: WordPressSite, site_sidecar: Sidecar, launcher: SidecarLauncher,
                       webhooks: WebhooksApi, receiver: Receiver) -> None:
    # One webhook keeps its own log for ever, under a 30-day default...
    webhooks.create(name="Audit trail", url=receiver.url, events=["contact.created"], retention_days=0)
    result = site_health(wordpress)["fcwh_retention"]
    assert result["status"] == "recommended" and result["label"] == "1 webhook keeps its delivery log for ever"
    assert f"Audit trail ({receiver.url})" in text(result)

    # ...and a sidecar started with FCWH_RETENTION_DAYS=0 keeps everything.
    forever = launcher.launch(database_url=wordpress.database_url, token=site_sidecar.token,
                              env={"FCWH_RETENTION_DAYS": "0", "FCWH_RETRY_DELAYS": HOUR_LONG_RETRIES})
    try:
        with sidecar_at(wordpress, forever.url, forever.token, site_sidecar):
            results = site_health(wordpress)
            page = wordpress.cookie_session("admin").get(
                f"{wordpress.url}/wp-admin/admin.php?page=fcwh-webhooks&tab=settings", timeout=60).text
    finally:
        forever.stop()
    assert results["fcwh_retention"]["status"] == "recommended"
    assert results["fcwh_retention"]["label"] == "The webhook delivery log is kept for ever"
    assert "FCWH_RETENTION_DAYS=0" in text(results["fcwh_retention"])
    assert results["fcwh_sidecar"]["status"] == "good"
    retention = re.search(r'<td id="fcwh-log-retention" data-value="0">\s*<strong>([^<]*)</strong>', page)
    assert retention and retention.group(1) == "kept for ever"


def test_a_sidecar_too_old_for_stats(wordpress: WordPressSite, site_sidecar: Sidecar,
                                     too_old_sidecar: TooOldSidecar) -> None:
    with sidecar_at(wordpress, too_old_sidecar.url, site_sidecar.token, site_sidecar):
        results = site_health(wordpress)
    assert results["fcwh_sidecar"]["status"] == "good" and results["fcwh_failed_webhooks"]["status"] == "good"
    for key in ("fcwh_pending_deliveries", "fcwh_retention"):
        assert results[key]["status"] == "recommended"
        assert "is older than this plugin: it has no GET /v2/stats" in text(results[key])


# -- the settings screen: the log's size and the retention -------------------------------------------
def settings_page(site: WordPressSite) -> str:
    answer = site.cookie_session("admin").get(f"{site.url}/wp-admin/admin.php?page=fcwh-webhooks&tab=settings",
                                              timeout=60)
    assert answer.status_code == 200
    return answer.text


def figure(page: str, key: str) -> int:
    found = re.search(rf'<td id="fcwh-log-{key}" data-value="(-?\d+)">', page)
    assert found, f"no {key} figure"
    return int(found.group(1))


def test_the_settings_screen_shows_the_log_size_and_retention(
        wordpress: WordPressSite, site_sidecar: Sidecar, webhooks: WebhooksApi, receiver: Receiver,
        receiver_factory) -> None:
    healthy_webhook(site_sidecar, webhooks, receiver)
    send_event(site_sidecar)
    wait_until(lambda: stats(site_sidecar)["deliveries"]["success"] >= 2, timeout=60, interval=0.3,
               message="both deliveries to succeed")
    # One held delivery: a webhook switched off keeps what it already had pending.
    dead = receiver_factory()
    dead.set_default(500)
    held = webhooks.create(name="Held", url=dead.url, events=["contact.created"])
    send_event(site_sidecar)
    dead.wait_for(1)
    wait_until(lambda: stats(site_sidecar)["attempts"] == 4, timeout=30, interval=0.3,
               message="the failed attempt to be recorded")
    webhooks.http.put(webhooks.url(f"/{held['id']}"), json={"status": "inactive"}, timeout=60)

    figures = stats(site_sidecar)
    page = settings_page(wordpress)
    deliveries = figures["deliveries"]
    assert figure(page, "success") == deliveries["success"] == 3
    assert figure(page, "failed") == deliveries["failed"] == 0
    assert figure(page, "held") == deliveries["held"] == 1
    assert figure(page, "pending") == deliveries["pending"] - deliveries["held"] == 0
    assert figure(page, "total") == deliveries["total"] == 4
    assert figure(page, "attempts") == figures["attempts"] == 4
    assert figure(page, "retention") == 30
    retention = re.search(r'<td id="fcwh-log-retention" data-value="30">\s*<strong>([^<]*)</strong>', page)
    assert retention and retention.group(1) == "30 days"
    assert 'id="fcwh-log-stats-unavailable"' not in page
    assert 'id="fcwh-outbox-count"' in page  # the outbox section is still there
    # The notifications form has its own button: the connection form, all set by constants here,
    # still has none.
    assert 'id="fcwh-save-notifications"' in page and 'id="submit"' not in page


def test_the_settings_screen_without_a_sidecar_or_with_one_too_old(
        wordpress: WordPressSite, site_sidecar: Sidecar, too_old_sidecar: TooOldSidecar) -> None:
    with sidecar_at(wordpress, f"http://127.0.0.1:{free_port()}", site_sidecar.token, site_sidecar):
        page = settings_page(wordpress)
    unavailable = re.search(r'<div class="notice notice-warning inline" id="fcwh-log-stats-unavailable" '
                            r'data-fcwh-state="(\w+)">\s*<p>(.*?)</p>', page, re.S)
    assert unavailable and unavailable.group(1) == "unreachable"
    assert "could not be reached" in html.unescape(unavailable.group(2))
    assert 'id="fcwh-log-stats"' not in page and 'id="fcwh-outbox-count"' in page

    with sidecar_at(wordpress, too_old_sidecar.url, site_sidecar.token, site_sidecar):
        page = settings_page(wordpress)
    unavailable = re.search(r'id="fcwh-log-stats-unavailable" data-fcwh-state="(\w+)">\s*<p>(.*?)</p>', page, re.S)
    assert unavailable and unavailable.group(1) == "unsupported"
    assert "is older than this plugin" in html.unescape(unavailable.group(2))
