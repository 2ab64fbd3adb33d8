"""The wp-admin screen in a real browser (Debian's Chromium) against the real WordPress, plugin
and sidecar: every step a site owner takes, with a screenshot of each screen.

The browser only ever talks to WordPress; the sidecar's API is used here to arrange what is not
the point of a test (a webhook to look at, events to deliver) and to check the outcome.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest

from tests.browser.browser import Browser
from tests.browser.conftest import AdminScreen
from tests.support.api import (create_webhook, delivery_detail, get_webhook, list_deliveries, list_webhooks,
                               new_event, send_events, wait_for_deliveries, wait_for_webhook)
from tests.support.receiver import Receiver
from tests.support.sidecar import Sidecar
from tests.support.waiting import wait_until
from tests.support.wordpress import WordPressSite

pytestmark = [pytest.mark.browser, pytest.mark.wordpress, pytest.mark.mariadb]


def row(webhook_id: int) -> str:
    return f'.fcwh-webhook-row[data-webhook-id="{webhook_id}"]'


def test_create_a_webhook_through_the_form(screen: AdminScreen, browser: Browser, sidecar: Sidecar,
                                           receiver: Receiver) -> None:
    screen.open()
    browser.click(".fcwh-add-new")
    browser.wait_for("#fcwh-name")
    browser.screenshot("01-create-form")

    browser.fill("#fcwh-name", "CRM sync")
    browser.fill("#fcwh-url", receiver.url.replace("https://", "http://"))
    browser.check('.fcwh-select-all input[data-group="contact"]')
    browser.check('input[name="events[]"][value="email.opened"]')
    browser.click('.fcwh-webhook-form button[type="submit"]')

    # The API's own error, shown next to the URL field, which gets the focus.
    browser.wait_for('.fcwh-field-error[data-field="url"]')
    assert browser.text('.fcwh-field-error[data-field="url"]').strip() == "Webhook URL must be a valid HTTPS URL."
    assert browser.attribute("#fcwh-url", "aria-invalid") == "true"
    assert browser.evaluate("document.activeElement.id") == "fcwh-url"
    assert list_webhooks(sidecar.api) == [], "a refused form must create nothing"
    browser.screenshot("02-create-form-url-error")

    browser.fill("#fcwh-url", receiver.url)
    browser.click('.fcwh-webhook-form button[type="submit"]')
    browser.wait_for("#fcwh-created-secret")
    [webhook] = list_webhooks(sidecar.api)
    assert webhook["name"] == "CRM sync" and webhook["url"] == receiver.url and webhook["status"] == "active"
    assert set(webhook["events"]) == {
        "contact.created", "contact.updated", "contact.deleted", "contact.status_changed", "contact.tag_added",
        "contact.tag_removed", "contact.list_added", "contact.list_removed", "email.opened"}

    # The generated secret, shown once, and in the ready-to-paste verification code.
    secret = get_webhook(sidecar.api, webhook["id"])["secret"]
    assert browser.value("#fcwh-created-secret") == secret
    php_snippet = browser.text("#fcwh-snippet-php + pre")
    assert f"$secret    = '{secret}';" in php_snippet and "X_FLUENTCRM_SIGNATURE" in php_snippet
    assert json.dumps(secret) in browser.text("#fcwh-snippet-node + pre")
    browser.screenshot("03-created-secret-and-snippet")

    browser.click('a:text("Done")')
    browser.wait_for(row(webhook["id"]))
    assert browser.text(f"{row(webhook['id'])} .column-status") == "Active"
    assert secret not in browser.html(), "the list never shows a secret"
    browser.screenshot("04-list")


def test_send_test_shows_the_outcome_inline(screen: AdminScreen, browser: Browser, sidecar: Sidecar,
                                            receiver: Receiver) -> None:
    webhook = create_webhook(sidecar.api, receiver.url, ["contact.created"], name="Test target")
    receiver.script(200, body=b'{"received": true}')
    screen.open()
    browser.click(f"{row(webhook['id'])} .fcwh-send-test")
    browser.wait_for(".fcwh-test-result", text="Test delivered.")
    result = browser.text(".fcwh-test-result")
    assert "200" in browser.text(".fcwh-test-result .fcwh-test-code")
    assert '{"received": true}' in result and " ms" in result
    [request] = receiver.wait_for(1)
    assert request.headers["x-fluentcrm-event"] == "webhook.test"
    browser.screenshot("05-send-test-success")

    # A receiver that fails: the same place says so, with its code and body.
    receiver.script(500, body=b"database is down")
    browser.click(f"{row(webhook['id'])} .fcwh-send-test")
    browser.wait_for(".fcwh-test-result", text="Test failed.")
    assert browser.text(".fcwh-test-result .fcwh-test-code") == "500"
    assert "database is down" in browser.text(".fcwh-test-result")
    browser.screenshot("06-send-test-failure")


def test_the_delivery_log_shows_each_delivery_and_redelivers_one(
        screen: AdminScreen, browser: Browser, sidecar: Sidecar, receiver: Receiver) -> None:
    webhook = create_webhook(sidecar.api, receiver.url, ["contact.created", "contact.updated"], name="Log")
    receiver.script(503, body=b"try later")  # the first attempt of the first event fails, then 200s
    first, second = new_event("contact.created"), new_event("contact.updated")
    send_events(sidecar.api, first)
    wait_for_deliveries(sidecar.api, webhook["id"], 1, "success")
    send_events(sidecar.api, second)
    deliveries = wait_for_deliveries(sidecar.api, webhook["id"], 2, "success")

    screen.open(f"#/webhooks/{webhook['id']}/deliveries")
    browser.wait_for(".fcwh-delivery-row")
    shown_ids = [int(i) for i in browser.evaluate(
        "[...document.querySelectorAll('.fcwh-delivery-row')].map(r => r.dataset.deliveryId)")]
    assert shown_ids == [d["id"] for d in deliveries] and shown_ids == sorted(shown_ids, reverse=True), \
        "newest first, as the API lists them"
    browser.screenshot("07-delivery-log")

    # The status filter.
    browser.click('.fcwh-status-filter a[data-status="failed"]')
    browser.wait_for(".fcwh-empty", text="No delivery with this status.")
    browser.click('.fcwh-status-filter a[data-status="success"]')
    browser.wait_for(".fcwh-delivery-row")
    assert browser.count(".fcwh-delivery-row") == 2

    # One delivery in full: the exact body, the headers, both attempts.
    older = deliveries[-1]
    detail = delivery_detail(sidecar.api, webhook["id"], older["id"])
    browser.click(f'.fcwh-delivery-row[data-delivery-id="{older["id"]}"] a.row-title')
    browser.wait_for(".fcwh-body")
    assert browser.text(".fcwh-body") == detail["body"]
    headers_text = browser.text(".fcwh-facts-table >> nth=1")
    assert detail["headers"]["X-FluentCRM-Signature"] in headers_text
    assert browser.texts(".fcwh-attempt-code") == ["503", "200"]
    assert "try later" in browser.text(".fcwh-attempts")
    browser.screenshot("08-delivery-detail")

    # Redeliver: the same delivery (same id, same body) reaches the receiver again.
    before = len(receiver.requests)
    browser.click(".fcwh-redeliver-button")
    browser.wait_for(".fcwh-redeliver .notice-success")
    again = receiver.wait_for(before + 1)[before]
    assert again.headers["x-fluentcrm-delivery"] == str(older["id"])
    assert again.body.decode() == detail["body"]
    wait_until(lambda: len(delivery_detail(sidecar.api, webhook["id"], older["id"])["attempts"]) == 3,
               timeout=60, message="the redelivery attempt to be logged")
    browser.click(".fcwh-refresh")
    browser.wait_for(".fcwh-attempt-row >> nth=2")
    assert browser.texts(".fcwh-attempt-code") == ["503", "200", "200"]
    browser.screenshot("09-delivery-redelivered")


def test_a_failed_webhook_says_why_recovers_and_reactivates(
        screen: AdminScreen, browser: Browser, sidecar: Sidecar, receiver: Receiver) -> None:
    receiver.set_default(500, body=b"broken receiver")
    webhook = create_webhook(sidecar.api, receiver.url, ["email.opened"], name="Fragile")
    send_events(sidecar.api, *[new_event("email.opened") for _ in range(5)])
    wait_for_webhook(sidecar.api, webhook["id"], timeout=120, status="failed")
    send_events(sidecar.api, new_event("email.opened"), new_event("email.opened"))  # held, not sent

    screen.open()
    browser.wait_for(".fcwh-failed-notice a", text="See the last failed delivery")  # its cause is loaded
    notice = browser.text(".fcwh-failed-notice")
    assert "“Fragile” was turned off because 5 deliveries in a row failed" in notice
    assert "The receiver last answered HTTP 500." in notice
    assert browser.text(".fcwh-reactivate") == "Re-activate and send the 2 held events"
    assert browser.text(f"{row(webhook['id'])} .column-status") == "Failed"
    browser.screenshot("10-failed-webhook")

    # The receiver is fixed: recover the five failed deliveries from the log page; they wait with
    # the held ones while the webhook is off...
    receiver.set_default(200)
    screen.open(f"#/webhooks/{webhook['id']}/deliveries?status=failed")
    browser.wait_for(".fcwh-delivery-row")
    assert browser.count(".fcwh-delivery-row") == 5
    since = datetime.now(timezone.utc) - timedelta(hours=1)
    browser.fill("#fcwh-recover-since", since.strftime("%Y-%m-%dT%H:%M"))  # the browser runs in UTC
    browser.click('.fcwh-recover button[type="submit"]')
    browser.wait_for(".fcwh-recover .notice-success")
    assert browser.text(".fcwh-recover .notice-success") == (
        "5 failed deliveries are queued again; they are sent once the webhook is active.")
    browser.wait_for(".fcwh-reactivate", text="Re-activate and send the 7 held events")
    browser.screenshot("11-recovered-and-held")

    # ...and turning it back on sends all seven.
    browser.click(".fcwh-reactivate")
    wait_for_deliveries(sidecar.api, webhook["id"], 7, "success", timeout=120)
    assert get_webhook(sidecar.api, webhook["id"])["status"] == "active"
    browser.wait_for(".fcwh-failed-notice", state="detached")
    browser.screenshot("12-reactivated")


def test_edit_deactivate_activate_and_delete(screen: AdminScreen, browser: Browser, sidecar: Sidecar,
                                             receiver: Receiver) -> None:
    webhook = create_webhook(sidecar.api, receiver.url, ["campaign.sent"], name="Old name")
    original_secret = get_webhook(sidecar.api, webhook["id"])["secret"]
    screen.open(f"#/webhooks/{webhook['id']}/edit")
    browser.wait_for("#fcwh-name")
    assert browser.value("#fcwh-secret") == "", "the edit form never shows the secret"
    browser.fill("#fcwh-name", "New name")
    browser.check('.fcwh-select-all input[data-group="campaign"]')
    browser.select("#fcwh-status", "inactive")
    browser.fill("#fcwh-max-concurrency", "many")
    browser.click('.fcwh-webhook-form button[type="submit"]')
    browser.wait_for('.fcwh-field-error[data-field="max_concurrency"]')  # the API's word, next to the field
    assert get_webhook(sidecar.api, webhook["id"])["name"] == "Old name", "a refused save changes nothing"
    browser.fill("#fcwh-max-concurrency", "5")
    browser.check("#fcwh-ordered")
    browser.click('.fcwh-webhook-form button[type="submit"]')
    browser.wait_for(".notice-success", text="Webhook saved.")
    saved = get_webhook(sidecar.api, webhook["id"])
    assert saved["name"] == "New name" and saved["status"] == "inactive"
    assert saved["max_concurrency"] == 5 and saved["ordered"] is True
    assert saved["events"] == ["campaign.created", "campaign.sent", "campaign.paused", "campaign.resumed"]
    assert saved["secret"] == original_secret, "a blank secret field keeps the secret"
    browser.screenshot("13-edit-saved")

    screen.open()
    browser.wait_for(f"{row(webhook['id'])} .fcwh-activate")
    assert browser.text(f"{row(webhook['id'])} .column-status") == "Inactive"
    browser.click(f"{row(webhook['id'])} .fcwh-activate")
    browser.wait_for(f"{row(webhook['id'])} .fcwh-deactivate")
    assert get_webhook(sidecar.api, webhook["id"])["status"] == "active"

    browser.dialogs(accept=False)  # "Cancel" in the confirmation keeps it
    browser.click(f"{row(webhook['id'])} .fcwh-delete")
    assert browser.dialogs(accept=True) == [
        "Delete the webhook “New name” and its delivery log? This cannot be undone."]
    assert get_webhook(sidecar.api, webhook["id"])["name"] == "New name"
    browser.click(f"{row(webhook['id'])} .fcwh-delete")
    browser.wait_for(".notice-success", text="Webhook “New name” deleted.")
    browser.wait_for(row(webhook["id"]), state="detached")
    assert webhook["id"] not in [w["id"] for w in list_webhooks(sidecar.api)]
    browser.screenshot("14-deleted")


def test_settings_check_the_connection_and_never_show_the_token(
        screen: AdminScreen, browser: Browser, sidecar: Sidecar, wordpress: WordPressSite) -> None:
    screen.open_settings()
    browser.wait_for(".fcwh-connection-message")
    assert browser.text(".fcwh-connection-message").startswith(f"Connected to the sidecar at {sidecar.url}")
    assert browser.value("#fcwh_sidecar_url") == sidecar.url
    assert browser.value("#fcwh_api_token") == "", "the token field is never filled in"
    assert sidecar.token not in browser.html(), "the token never reaches the browser"
    assert browser.attribute("#fcwh_api_token", "placeholder").endswith(sidecar.token[-4:])
    assert browser.text("#fcwh-outbox-count").endswith("waiting")
    browser.screenshot("15-settings-connected")

    # A wrong token is reported as such by the live check, and the saved one is kept when blank.
    browser.fill("#fcwh_api_token", "not-the-right-token-at-all")
    browser.click("#submit")
    browser.wait_for(".fcwh-connection-message", text="rejected the API token")
    browser.screenshot("16-settings-wrong-token")
    browser.fill("#fcwh_api_token", sidecar.token)
    browser.click("#submit")
    browser.wait_for(".fcwh-connection-message", text="Connected to the sidecar")
    browser.click("#submit")  # blank token field: keep the token
    browser.wait_for(".fcwh-connection-message", text="Connected to the sidecar")
    assert wordpress.get_option("fcwh_api_token") == sidecar.token


def test_settings_from_wp_config_constants_are_read_only(
        screen: AdminScreen, browser: Browser, sidecar: Sidecar, wordpress: WordPressSite) -> None:
    wordpress.set_option("fcwh_api_token", "a-stale-option-the-constant-overrides")
    wordpress.use_sidecar_constants(sidecar.url, sidecar.token)
    try:
        screen.open_settings()
        browser.wait_for(".fcwh-connection-message", text="Connected to the sidecar")
        assert browser.attribute("#fcwh_sidecar_url", "readonly") is not None
        assert browser.attribute("#fcwh_api_token", "readonly") is not None
        assert browser.attribute("#fcwh_api_token", "name") is None, "nothing to submit"
        assert browser.value("#fcwh_api_token").endswith(sidecar.token[-4:])
        assert sidecar.token not in browser.html()
        assert browser.count("#submit") == 0, "no Save button when nothing can be saved"
        assert "Set by the FCWH_API_TOKEN constant in wp-config.php" in browser.text(".fcwh-settings-form")
        browser.screenshot("17-settings-from-constants")
    finally:
        wordpress.drop_sidecar_constants()


def test_every_control_is_labelled_and_the_form_works_from_the_keyboard(
        screen: AdminScreen, browser: Browser, sidecar: Sidecar, receiver: Receiver) -> None:
    unlabelled = """[...document.querySelectorAll('#fcwh-app :is(input, select, textarea, button, a)')]
        .filter((e) => !(e.labels && e.labels.length) && !e.getAttribute('aria-label')
                       && !e.getAttribute('aria-labelledby') && !e.textContent.trim())
        .map((e) => e.outerHTML.slice(0, 120))"""
    screen.open()
    browser.wait_for(".fcwh-add-new")
    browser.focus(".fcwh-add-new")
    browser.press("Enter")
    browser.wait_for("#fcwh-name")
    assert browser.evaluate("document.activeElement.textContent") == "Add Webhook", \
        "after moving to a view, focus goes to its heading"
    assert browser.evaluate(unlabelled) == []

    # Fill the form and submit it without the mouse.
    browser.press("Tab")
    assert browser.evaluate("document.activeElement.id") == "fcwh-name"
    browser.type("Keyboard hook")
    browser.press("Tab")
    assert browser.evaluate("document.activeElement.id") == "fcwh-url"
    browser.type("http://example.com/hook")
    browser.press("Tab")
    assert browser.evaluate("document.activeElement.dataset.group") == "contact"  # "Select all Contact events"
    browser.press("Space")
    assert browser.count('.fcwh-event-group[data-group="contact"] input:checked') == 9
    browser.press("Shift+Tab")
    browser.press("Enter")  # submits the form from the URL field
    browser.wait_for('.fcwh-field-error[data-field="url"]')
    assert browser.evaluate("document.activeElement.id") == "fcwh-url"
    assert list_webhooks(sidecar.api) == []

    for view in ("", f"#/webhooks/{create_webhook(sidecar.api, receiver.url)['id']}/deliveries"):
        screen.open(view)
        browser.wait_for(".fcwh-view-title")
        browser.wait_for(".fcwh-app table, .fcwh-empty")
        assert browser.evaluate(unlabelled) == [], view
    assert [p for p in browser.problems() if p.startswith("pageerror")] == []
