"""Failure notices (issue 12, item 4), end to end: a webhook turned `failed` for real (its receiver
answers 410 Gone), found by the plugin's every-minute cron run through wp-cron.php, mailed once to
the right address, announced with `fcwh_webhook_failed`, shown on wp-admin pages to those who
manage webhooks, dismissible per user and per failure; re-activation through the REST proxy mails
and announces the recovery once; a second failure the same day is not mailed until the day is over.

Mail and actions are caught by a must-use plugin of the test site (`pre_wp_mail`), so they are
seen whichever process sent them: wp-cron.php, a REST request, or PHP run inside WordPress.
"""

from __future__ import annotations

import html
import json
import re
import uuid
from datetime import datetime, timezone
from typing import Iterator

import pytest
import requests

from tests.support.receiver import Receiver
from tests.support.sidecar import Sidecar
from tests.support.waiting import wait_until
from tests.support.wordpress import WordPressSite
from tests.wordpress.webhooks import CANONICAL, SEED, WebhooksApi

CATCHER = r"""<?php
/* Test mu-plugin (tests/wordpress/test_failure_notices.py): while wp-content/fcwh-catch.on exists,
 * wp_mail() is answered here (nothing is sent) and every mail and fcwh_webhook_* action is logged. */
if ( file_exists( WP_CONTENT_DIR . '/fcwh-catch.on' ) ) {
	$fcwh_catch = static function ( array $record ) {
		$record['pid'] = getmypid();
		file_put_contents( WP_CONTENT_DIR . '/fcwh-catch.log', wp_json_encode( $record ) . "\n", FILE_APPEND | LOCK_EX );
	};
	add_filter( 'pre_wp_mail', static function ( $short, $atts ) use ( $fcwh_catch ) {
		$fcwh_catch( array( 'kind' => 'mail', 'to' => $atts['to'], 'subject' => $atts['subject'],
			'message' => $atts['message'] ) );
		return true;
	}, 10, 2 );
	foreach ( array( 'fcwh_webhook_failed', 'fcwh_webhook_recovered' ) as $fcwh_hook ) {
		add_action( $fcwh_hook, static function ( $webhook ) use ( $fcwh_catch, $fcwh_hook ) {
			$fcwh_catch( array( 'kind' => $fcwh_hook, 'webhook' => $webhook ) );
		} );
	}
}
"""

FORGET_NOTICES = """
delete_option('fcwh_webhook_watch');
delete_option('fcwh_notify_email');
delete_metadata('user', 0, 'fcwh_dismissed_webhook_notices', '', true);
"""


class Catcher:
    """What the site mailed and announced since the last `take()`."""

    def __init__(self, site: WordPressSite) -> None:
        content = site.root / "wp-content"
        (content / "mu-plugins").mkdir(exist_ok=True)
        self.plugin = content / "mu-plugins" / "fcwh-test-catcher.php"
        self.plugin.write_text(CATCHER)
        self.switch = content / "fcwh-catch.on"
        self.log = content / "fcwh-catch.log"
        self.switch.touch()
        self.log.unlink(missing_ok=True)

    def take(self) -> list[dict]:
        if not self.log.exists():
            return []
        records = [json.loads(line) for line in self.log.read_text().splitlines()]
        self.log.unlink()
        return records

    def mails(self, records: list[dict]) -> list[dict]:
        return [r for r in records if r["kind"] == "mail"]

    def actions(self, records: list[dict]) -> list[tuple[str, int]]:
        return [(r["kind"], r["webhook"]["id"]) for r in records if r["kind"] != "mail"]

    def remove(self) -> None:
        self.switch.unlink(missing_ok=True)
        self.plugin.unlink(missing_ok=True)
        self.log.unlink(missing_ok=True)


@pytest.fixture(scope="module")
def catcher(wordpress: WordPressSite) -> Iterator[Catcher]:
    caught = Catcher(wordpress)
    yield caught
    caught.remove()


@pytest.fixture(autouse=True)
def fresh_notices(wordpress: WordPressSite, site_sidecar: Sidecar, catcher: Catcher) -> Iterator[None]:
    wordpress.php(FORGET_NOTICES)
    catcher.take()
    yield
    wordpress.php(FORGET_NOTICES)


def run_cron(site: WordPressSite) -> None:
    """The plugin's every-minute job, made due and run by wp-cron.php as a system cron would."""
    site.php("wp_clear_scheduled_hook(FCWH_CRON_HOOK);"
             "wp_schedule_event(time() - 1, FCWH_CRON_SCHEDULE, FCWH_CRON_HOOK);"
             "delete_transient('doing_cron');")
    answer = requests.get(f"{site.url}/wp-cron.php", timeout=120)
    assert answer.status_code == 200, answer.text[:500]
    assert site.php_json("wp_next_scheduled(FCWH_CRON_HOOK) > time()"), "the job did not run"


def send_event(sidecar: Sidecar, event: str = "contact.created") -> None:
    answer = sidecar.api.post("/v2/events", json={"events": [{
        "id": str(uuid.uuid4()), "event": event,
        "timestamp": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "data": {"contact": {"id": 1, "email": "someone@example.com"}}}]})
    assert answer.status_code == 200, answer.text


def status_of(sidecar: Sidecar, webhook_id: int) -> str:
    return sidecar.api.get(f"/v2/webhooks/{webhook_id}").json()["webhook"]["status"]


def drive_to_failed(sidecar: Sidecar, receiver: Receiver, webhook_id: int) -> None:
    """A receiver answering 410 Gone turns the webhook failed at its first delivery."""
    receiver.set_default(410, body=b"gone")
    send_event(sidecar)
    wait_until(lambda: status_of(sidecar, webhook_id) == "failed", timeout=60, interval=0.3,
               message="the webhook to turn failed after a 410")


def admin_page(session: requests.Session, site: WordPressSite, path: str = "/wp-admin/") -> str:
    answer = session.get(f"{site.url}{path}", timeout=60)
    assert answer.status_code == 200, answer.text[:500]
    return answer.text


def notice(page: str, kind: str) -> str | None:
    """The text of the plugin's failed/recovered notice on a page, or None."""
    found = re.search(rf'<div class="notice [^"]*fcwh-webhook-notice"[^>]*id="fcwh-webhook-{kind}-notice".*?</div>',
                      page, re.S)
    return None if found is None else html.unescape(re.sub(r"<[^>]+>", " ", found.group(0)))


def notice_attributes(page: str, kind: str) -> dict[str, str]:
    found = re.search(rf'id="fcwh-webhook-{kind}-notice"\s+data-fcwh-notices="([^"]*)" data-fcwh-nonce="([^"]*)"', page)
    assert found, f"no {kind} notice"
    return {"notices": html.unescape(found.group(1)), "nonce": found.group(2)}


def hidden_fields(form: str) -> dict[str, str]:
    """The hidden inputs of a form's HTML (WordPress quotes their attributes either way)."""
    fields = {}
    for tag in re.findall(r"<input[^>]*>", form):
        attributes = {name: html.unescape(value) for name, _, value in re.findall(r"""([\w-]+)=(["'])(.*?)\2""", tag)}
        if attributes.get("type") == "hidden" and "name" in attributes:
            fields[attributes["name"]] = attributes.get("value", "")
    return fields


def reactivate(http: requests.Session, webhooks: WebhooksApi, webhook_id: int, base: str = CANONICAL) -> dict:
    answer = http.put(webhooks.url(f"/{webhook_id}", base=base), json={"status": "active"}, timeout=60)
    assert answer.status_code == 200, answer.text[:500]
    return answer.json()["webhook"]


def test_a_failure_and_its_recovery_reach_the_admin_once(
        wordpress: WordPressSite, site_sidecar: Sidecar, webhooks: WebhooksApi, receiver: Receiver,
        catcher: Catcher) -> None:
    webhook = webhooks.create(name="Orders to ERP", url=receiver.url, events=["contact.created"])
    run_cron(wordpress)  # sees it active: nothing to say
    assert catcher.take() == []

    drive_to_failed(site_sidecar, receiver, webhook["id"])
    run_cron(wordpress)
    records = catcher.take()
    [mail] = catcher.mails(records)
    assert mail["to"] == "admin@example.com"  # the site's admin email: nothing set on the settings screen
    assert mail["subject"] == "[FluentCRM Webhooks test site] Outgoing webhook “Orders to ERP” has failed"
    assert receiver.url in mail["message"] and "410 Gone" in mail["message"]
    assert "Held: 1 event is kept" in mail["message"]
    assert "page=fcwh-webhooks" in mail["message"]
    assert catcher.actions(records) == [("fcwh_webhook_failed", webhook["id"])]
    [announced] = [r["webhook"] for r in records if r["kind"] == "fcwh_webhook_failed"]
    assert announced["status"] == "failed" and announced["name"] == "Orders to ERP" and "secret" not in announced

    run_cron(wordpress)  # the same failure, seen again: said once
    assert catcher.take() == []

    # The notice: on any wp-admin page, for those who manage webhooks, never for a subscriber.
    admin = wordpress.cookie_session("admin")
    page = admin_page(admin, wordpress)
    text = notice(page, "failed")
    assert text is not None and "“Orders to ERP”" in text and "410 Gone" in text and "1 event held" in text
    assert "is-dismissible" in page and 'id="fcwh-webhook-notice-dismissal"' in page
    assert notice(admin_page(admin, wordpress, "/wp-admin/edit.php"), "failed") is not None
    manager = wordpress.cookie_session("manager")  # FluentCRM grants it fcrm_manage_settings
    assert notice(admin_page(manager, wordpress, "/wp-admin/profile.php"), "failed") is not None
    subscriber = wordpress.cookie_session("subscriber")
    assert "fcwh-webhook-notice" not in admin_page(subscriber, wordpress, "/wp-admin/profile.php")

    # Dismissed with the × button (what its script posts): gone for the admin, not for the manager.
    attributes = notice_attributes(page, "failed")
    assert attributes["notices"].startswith(f"failed-{webhook['id']}-")
    dismissed = admin.post(f"{wordpress.url}/wp-admin/admin-ajax.php", timeout=60, data={
        "action": "fcwh_dismiss_webhook_notice", "notices": attributes["notices"],
        "_ajax_nonce": attributes["nonce"]})
    assert dismissed.status_code == 200 and dismissed.json()["success"] is True, dismissed.text
    assert "fcwh-webhook-notice" not in admin_page(admin, wordpress)
    assert notice(admin_page(manager, wordpress, "/wp-admin/profile.php"), "failed") is not None
    forged = subscriber.post(f"{wordpress.url}/wp-admin/admin-ajax.php", timeout=60, data={
        "action": "fcwh_dismiss_webhook_notice", "notices": attributes["notices"], "_ajax_nonce": attributes["nonce"]})
    assert forged.status_code in (400, 403)

    # Re-activated on the admin screen (cookie and nonce, through the REST proxy): the recovery is
    # mailed and announced at once, and the next cron run does not say it again.
    receiver.set_default(200)
    reactivated = reactivate(admin, webhooks, webhook["id"])
    assert reactivated["status"] == "active"
    records = catcher.take()
    [mail] = catcher.mails(records)
    assert mail["to"] == "admin@example.com"
    assert mail["subject"] == "[FluentCRM Webhooks test site] Outgoing webhook “Orders to ERP” is active again"
    assert catcher.actions(records) == [("fcwh_webhook_recovered", webhook["id"])]
    run_cron(wordpress)
    assert catcher.take() == []
    page = admin_page(admin, wordpress)
    assert notice(page, "failed") is None
    assert "“Orders to ERP”" in (notice(page, "recovered") or "")
    receiver.wait_for(2)  # the held event went out (the 410 answer first)

    # A second failure the same day: announced and shown again (a new failure, though the first
    # was dismissed), but not mailed...
    drive_to_failed(site_sidecar, receiver, webhook["id"])
    run_cron(wordpress)
    records = catcher.take()
    assert catcher.mails(records) == []
    assert catcher.actions(records) == [("fcwh_webhook_failed", webhook["id"])]
    page = admin_page(admin, wordpress)
    assert notice(page, "failed") is not None and notice_attributes(page, "failed")["notices"] != attributes["notices"]

    # ...until a day has passed since the first mail, if it is still failed then.
    wordpress.php("$state = get_option('fcwh_webhook_watch');"
                  f"$state['webhooks']['{webhook['id']}']['mailed_at'] -= DAY_IN_SECONDS;"
                  "update_option('fcwh_webhook_watch', $state);")
    run_cron(wordpress)
    records = catcher.take()
    assert [m["subject"] for m in catcher.mails(records)] == [
        "[FluentCRM Webhooks test site] Outgoing webhook “Orders to ERP” has failed"]
    assert catcher.actions(records) == []  # the failure itself was announced already
    run_cron(wordpress)
    assert catcher.take() == []

    # Re-activated through the REST API with an Application Password, at the seed's path:
    # the recovery is mailed and announced.
    receiver.set_default(200)
    reactivate(webhooks.http, webhooks, webhook["id"], base=SEED)
    records = catcher.take()
    assert [m["subject"] for m in catcher.mails(records)] == [
        "[FluentCRM Webhooks test site] Outgoing webhook “Orders to ERP” is active again"]
    assert catcher.actions(records) == [("fcwh_webhook_recovered", webhook["id"])]
    run_cron(wordpress)
    assert catcher.take() == []


def test_the_address_on_the_settings_screen_gets_the_mail(
        wordpress: WordPressSite, site_sidecar: Sidecar, webhooks: WebhooksApi, receiver: Receiver,
        catcher: Catcher) -> None:
    admin = wordpress.cookie_session("admin")
    settings_url = f"{wordpress.url}/wp-admin/admin.php?page=fcwh-webhooks&tab=settings"

    def save(address: str) -> str:
        page = admin.get(settings_url, timeout=60).text
        form = re.search(r'<form[^>]*id="fcwh-notifications-form".*?</form>', page, re.S)
        assert form, "no notification settings form"
        fields = hidden_fields(form.group(0))
        assert fields["option_page"] == "fcwh_notifications"
        fields["fcwh_notify_email"] = address
        saved = admin.post(f"{wordpress.url}/wp-admin/options.php", data=fields, timeout=60)
        assert saved.status_code == 200, saved.text[:500]
        return saved.text

    assert 'placeholder="admin@example.com"' in admin.get(settings_url, timeout=60).text
    after = save("not an address")
    assert "is not a valid email address; the notification address was not changed." in html.unescape(after)
    assert wordpress.get_option("fcwh_notify_email") in (None, "")
    after = save("ops@example.test")
    assert 'value="ops@example.test"' in after
    assert wordpress.get_option("fcwh_notify_email") == "ops@example.test"
    assert save("still wrong@") and wordpress.get_option("fcwh_notify_email") == "ops@example.test"

    webhook = webhooks.create(name="CRM sync", url=receiver.url, events=["contact.created"])
    run_cron(wordpress)
    drive_to_failed(site_sidecar, receiver, webhook["id"])
    run_cron(wordpress)
    [mail] = catcher.mails(catcher.take())
    assert mail["to"] == "ops@example.test" and "“CRM sync” has failed" in mail["subject"]

    # Re-activated behind the plugin's back (on the sidecar itself, as a script or another site
    # would): the next cron run finds the recovery.
    receiver.set_default(200)
    assert site_sidecar.api.put(f"/v2/webhooks/{webhook['id']}", json={"status": "active"}).status_code == 200
    assert catcher.take() == []
    run_cron(wordpress)
    records = catcher.take()
    [mail] = catcher.mails(records)
    assert mail["to"] == "ops@example.test" and "“CRM sync” is active again" in mail["subject"]
    assert catcher.actions(records) == [("fcwh_webhook_recovered", webhook["id"])]


def test_a_failure_is_found_by_a_listing_and_one_ended_before_the_cron_saw_it_is_not_mailed(
        wordpress: WordPressSite, site_sidecar: Sidecar, webhooks: WebhooksApi, receiver: Receiver,
        catcher: Catcher) -> None:
    # The Outgoing Webhooks screen lists the webhooks through the proxy: that finds a failure too.
    listed_one = webhooks.create(name="Listed", url=receiver.url, events=["contact.created"])
    run_cron(wordpress)
    drive_to_failed(site_sidecar, receiver, listed_one["id"])
    assert webhooks.http.get(webhooks.url(), timeout=60).status_code == 200
    records = catcher.take()
    assert [m["subject"] for m in catcher.mails(records)] == [
        "[FluentCRM Webhooks test site] Outgoing webhook “Listed” has failed"]
    assert catcher.actions(records) == [("fcwh_webhook_failed", listed_one["id"])]
    run_cron(wordpress)
    assert catcher.take() == []
    webhooks.http.delete(webhooks.url(f"/{listed_one['id']}"), timeout=60)
    run_cron(wordpress)  # deleted: forgotten, and its notice gone
    assert "fcwh-webhook-notice" not in admin_page(wordpress.cookie_session("admin"), wordpress)

    # Failed and re-activated before any check saw it: both transitions are announced, no mail
    # (whoever re-activated it knows, and nobody was told it had failed).
    quick = webhooks.create(name="Quick fix", url=receiver.url, events=["contact.created"])
    run_cron(wordpress)
    drive_to_failed(site_sidecar, receiver, quick["id"])
    receiver.set_default(200)
    reactivate(webhooks.http, webhooks, quick["id"])
    records = catcher.take()
    assert catcher.mails(records) == []
    assert catcher.actions(records) == [("fcwh_webhook_failed", quick["id"]), ("fcwh_webhook_recovered", quick["id"])]
    run_cron(wordpress)
    assert catcher.take() == []


def test_the_dismiss_link_works_without_javascript(
        wordpress: WordPressSite, site_sidecar: Sidecar, webhooks: WebhooksApi, receiver: Receiver,
        catcher: Catcher) -> None:
    webhook = webhooks.create(name="No JS", url=receiver.url, events=["contact.created"])
    drive_to_failed(site_sidecar, receiver, webhook["id"])
    run_cron(wordpress)  # first sight: already failed, and nobody was told yet
    assert len(catcher.mails(catcher.take())) == 1
    admin = wordpress.cookie_session("admin")
    page = admin_page(admin, wordpress, "/wp-admin/edit.php")
    link = re.search(r'<a href="([^"]+)" class="fcwh-webhook-notice-dismiss"', page)
    assert link, "no Dismiss link"
    followed = admin.get(html.unescape(link.group(1)), headers={"Referer": f"{wordpress.url}/wp-admin/edit.php"},
                         timeout=60, allow_redirects=False)
    assert followed.status_code == 302 and followed.headers["Location"].endswith("/wp-admin/edit.php")
    assert "fcwh-webhook-notice" not in admin_page(admin, wordpress, "/wp-admin/edit.php")
    # A link without its nonce does nothing.
    bare = admin.get(f"{wordpress.url}/wp-admin/admin-post.php", params={
        "action": "fcwh_dismiss_webhook_notice", "notices": "failed-1-1"}, timeout=60, allow_redirects=False)
    assert bare.status_code == 403
