"""The wp-admin screen in a real browser (Debian's Chromium) against the real WordPress, plugin
and sidecar: every step a site owner takes, with a screenshot of each screen.

The browser only ever talks to WordPress; the sidecar's API is used here to arrange what is not
the point of a test (a webhook to look at, events to deliver) and to check the outcome.
"""

from __future__ import annotations

import json
import uuid
from datetime import datetime, timedelta, timezone

import pytest

from tests.browser.browser import Browser
from tests.browser.conftest import AdminScreen
from tests.support.api import (create_webhook, delivery_detail, expect, get_webhook, list_deliveries,
                               list_webhooks, new_event, send_events, wait_for_deliveries, wait_for_webhook)
from tests.support.receiver import Receiver
from tests.support.sidecar import Sidecar
from tests.support.waiting import wait_until
from tests.support.wordpress import WordPressSite

pytestmark = [pytest.mark.browser, pytest.mark.wordpress, pytest.mark.mariadb]


def row(webhook_id: int) -> str:
    return f'.fcwh-webhook-row[data-webhook-id="{webhook_id}"]'


def now_event(event: str, **fields) -> dict:
    """An event that happened now: a webhook records only events after it subscribed (issue 10)."""
    return new_event(event, timestamp=datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"), **fields)


def add_tag(wordpress: WordPressSite, title: str) -> int:
    """A FluentCRM tag in the site's own table (no hooks: nothing to capture)."""
    slug = f"{title.lower().replace(' ', '-')}-{uuid.uuid4().hex[:8]}"
    wordpress.sql("INSERT INTO wp_fc_tags (title, slug, created_at, updated_at) VALUES (%s, %s, NOW(), NOW())",
                  (title, slug))
    return int(wordpress.sql("SELECT id FROM wp_fc_tags WHERE slug = %s", (slug,))[0][0])


def add_contact(wordpress: WordPressSite, first_name: str, last_name: str) -> tuple[int, str]:
    """A FluentCRM contact in the site's own table; its id and email."""
    email = f"{first_name.lower()}-{uuid.uuid4().hex[:8]}@example.com"
    wordpress.sql("INSERT INTO wp_fc_subscribers (email, first_name, last_name, status, created_at, updated_at)"
                  " VALUES (%s, %s, %s, 'subscribed', NOW(), NOW())", (email, first_name, last_name))
    return int(wordpress.sql("SELECT id FROM wp_fc_subscribers WHERE email = %s", (email,))[0][0]), email


def stats(sidecar: Sidecar, webhook_id: int, **query: str) -> dict:
    return expect(sidecar.api.get(f"/v2/webhooks/{webhook_id}/stats", params=query), 200)


def drawn_bars(browser: Browser, chart: str) -> list[dict]:
    """The bars of an SVG chart: what each stands for and its drawn height."""
    return browser.evaluate(f"""[...document.querySelectorAll({json.dumps(chart + ' rect.fcwh-bar')})].map((r) => ({{
        start: r.dataset.start, kind: r.dataset.kind, count: Number(r.dataset.count),
        height: r.getBBox().height, max: Number(r.ownerSVGElement.dataset.max),
        chartHeight: Number(r.ownerSVGElement.getAttribute('height'))}}))""")


def assert_bars_match(bars: list[dict], answer: dict) -> None:
    """One bar per non-zero count of the stats answer, each as tall as its share of the tallest bucket."""
    expected = {(b["start"], kind): b[kind] for b in answer["buckets"] for kind in ("success", "failed", "retrying")
                if b[kind]}
    assert {(bar["start"], bar["kind"]): bar["count"] for bar in bars} == expected
    tallest = max(sum(b[k] for k in ("success", "failed", "retrying")) for b in answer["buckets"])
    for bar in bars:
        assert bar["max"] == tallest
        assert abs(bar["height"] - max(1, round(bar["count"] / tallest * bar["chartHeight"]))) < 0.01, bar


def test_create_a_webhook_through_the_form(screen: AdminScreen, browser: Browser, sidecar: Sidecar,
                                           receiver: Receiver, wordpress: WordPressSite) -> None:
    vip = add_tag(wordpress, "VIP customer")
    screen.open()
    browser.click(".fcwh-add-new")
    browser.wait_for("#fcwh-name")
    browser.screenshot("01-create-form")

    # Events this site cannot produce (no FluentCRM Pro here) cannot be ticked, and say why.
    cannot = browser.evaluate("""[...document.querySelectorAll('input[name="events[]"]:disabled')].map((e) =>
        document.getElementById(e.getAttribute('aria-describedby')).textContent)""")
    assert cannot and all(reason.strip().startswith("Needs ") and reason.strip().endswith("active on this site.")
                          for reason in cannot), cannot

    browser.fill("#fcwh-name", "CRM sync")
    browser.fill("#fcwh-url", receiver.url.replace("https://", "http://"))
    browser.check('.fcwh-select-all input[data-group="contact"]')
    browser.check('input[name="events[]"][value="email.opened"]')
    # A custom header (its value typed into a masked field) and a condition on one of the site's tags.
    browser.click(".fcwh-header-add")
    browser.fill(".fcwh-header-name", "Authorization")
    browser.fill(".fcwh-header-value", "Bearer created-token")
    assert browser.attribute(".fcwh-header-value", "type") == "password"
    tag_names = [name.strip() for name in browser.texts('.fcwh-term-picker[data-kind="tags"] label')]
    assert "VIP customer" in tag_names, "the pickers offer the site's real tags"
    browser.check(f'.fcwh-term-picker[data-kind="tags"] input[data-term-id="{vip}"]')
    browser.select('.fcwh-match[data-kind="tags"]', "all")
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
    assert webhook["headers"] == {"Authorization": "********"}
    assert webhook["conditions"] == {"tags": {"match": "all", "ids": [vip]}}
    assert webhook["auto_recover"] is True
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

    # Reloaded, the page says the secret was shown once and how to get a new one.
    screen.open(f"#/webhooks/{webhook['id']}/created")
    browser.wait_for(".fcwh-secret-gone")
    assert "shown once" in browser.text(".fcwh-secret-gone") and "Rotate secret" in browser.text(".fcwh-secret-gone")
    assert secret not in browser.html()

    browser.click('a:text("All webhooks")')
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

    # The result can be dismissed; test sends are not the webhook's "last delivery".
    browser.click(".fcwh-test-result .fcwh-dismiss")
    browser.wait_for(".fcwh-test-result", state="detached")
    assert get_webhook(sidecar.api, webhook["id"])["last_delivery"] is None
    assert browser.text(f"{row(webhook['id'])} .column-last-delivery") == "Nothing sent yet"
    tests = list_deliveries(sidecar.api, webhook["id"])
    assert len(tests) == 2 and all(d["test"] for d in tests)

    # In the log they are marked, and can be hidden or shown alone.
    screen.open(f"#/webhooks/{webhook['id']}/deliveries")
    browser.wait_for(".fcwh-delivery-row")
    assert browser.count(".fcwh-delivery-row .fcwh-test-mark") == 2
    browser.select("#fcwh-test-filter", "exclude")
    browser.wait_for(".fcwh-empty", text="No delivery matches this filter.")
    browser.select("#fcwh-test-filter", "only")
    browser.wait_for(".fcwh-delivery-row")
    assert browser.count(".fcwh-delivery-row") == 2
    assert "test=only" in browser.url()
    browser.screenshot("06b-test-sends-only")


# The contrast ratio (WCAG 2) of an element's text on the first opaque background behind it.
CONTRAST = """(() => {
    const element = document.querySelector(SELECTOR);
    const rgb = (text) => text.match(/[\\d.]+/g).map(Number);
    let holder = element, background = null;
    while (holder && !background) {
        const value = rgb(getComputedStyle(holder).backgroundColor);
        if (value.length === 3 || value[3] > 0) background = value;
        holder = holder.parentElement;
    }
    const luminance = ([r, g, b]) => [r, g, b].map((c) => c / 255)
        .map((c) => (c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4))
        .reduce((sum, c, i) => sum + c * [0.2126, 0.7152, 0.0722][i], 0);
    const [a, b] = [luminance(rgb(getComputedStyle(element).color)), luminance(background || [255, 255, 255])];
    return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
})()"""


def rate_percent(answer: dict) -> str:
    """The success rate as the screen writes it: one decimal at most ("66.7", "100")."""
    return f"{round(answer['totals']['success_rate'] * 1000) / 10:g}"


def chart_range(browser: Browser, chart: str) -> dict:
    """The range a chart drew, as its stats answer named it."""
    return {key: browser.attribute(chart, f"data-{key}") for key in ("since", "until", "bucket")}


def assert_contact_names_route(wordpress: WordPressSite, contact_id: int, email: str) -> None:
    """The route the log names its contacts through: a contact FluentCRM no longer has is left
    out; anything but 1 to 100 ids is a 400 that names `ids`; strangers get a 401."""
    route = wordpress.rest_url("/fluentcrm-webhooks/v1/contact-names")
    admin = wordpress.session()
    answer = admin.get(route, params={"ids": f"{contact_id},999999"}, timeout=60)
    assert answer.status_code == 200
    assert answer.json() == {"contacts": [{"id": contact_id, "name": "Ada Lovelace", "email": email}]}
    for bad in ("", "1,x", "0", "1,,2", "-1", "٣", ",".join(str(n) for n in range(1, 102))):
        refused = admin.get(route, params={"ids": bad}, timeout=60)
        assert refused.status_code == 400 and refused.json()["code"] == "rest_invalid_param", bad
        assert "ids" in refused.json()["data"]["params"]
    assert wordpress.session(None).get(route, params={"ids": "1"}, timeout=60).status_code == 401


def test_the_delivery_log_shows_each_delivery_and_redelivers_one(
        screen: AdminScreen, browser: Browser, sidecar: Sidecar, receiver: Receiver,
        wordpress: WordPressSite) -> None:
    contact_id, email = add_contact(wordpress, "Ada", "Lovelace")
    about = {"contact": {"id": contact_id, "email": email, "first_name": "Ada", "last_name": "Lovelace",
                         "status": "subscribed"}}
    webhook = create_webhook(sidecar.api, receiver.url, ["contact.created", "contact.updated"], name="Log")
    receiver.script(503, body=b"try later")  # the first attempt of the first event fails, then 200s
    first, second = now_event("contact.created", data=about), now_event("contact.updated", data=about)
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
    # Each row names its contact (from FluentCRM), linked to the profile.
    browser.wait_for(".fcwh-delivery-row .fcwh-contact", text="Ada Lovelace")
    assert browser.texts(".fcwh-delivery-row .fcwh-contact") == ["Ada Lovelace", "Ada Lovelace"]
    assert browser.attribute(".fcwh-delivery-row a.fcwh-contact >> nth=0", "href").endswith(f"#/subscribers/{contact_id}")
    assert_contact_names_route(wordpress, contact_id, email)
    # The chart over the chosen range: its bars are the sidecar's counts (2 successes, 1 retried attempt).
    log_chart = ".fcwh-range-health svg.fcwh-chart"
    browser.wait_for(log_chart)
    answer = stats(sidecar, webhook["id"], **chart_range(browser, log_chart))
    assert answer["totals"]["success"] == 2 and answer["totals"]["retrying"] == 1, answer
    assert_bars_match(drawn_bars(browser, log_chart), answer)
    assert browser.text(".fcwh-range-health .fcwh-rate").startswith(f"{rate_percent(answer)}% succeeded")
    browser.screenshot("07-delivery-log")
    browser.select("#fcwh-range", "7d")
    browser.wait_for(f'{log_chart}[data-bucket="day"]')
    assert_bars_match(drawn_bars(browser, log_chart), stats(sidecar, webhook["id"], **chart_range(browser, log_chart)))

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
    # Indented to read, the same document as the exact bytes (which the copy button copies).
    assert json.loads(browser.text(".fcwh-body")) == json.loads(detail["body"]) and "\n" in browser.text(".fcwh-body")
    assert f"Ada Lovelace · {email} · contact #{contact_id}" in browser.text(".fcwh-facts-table >> nth=0")
    headers_text = browser.text(".fcwh-facts-table >> nth=1")
    assert detail["headers"]["X-FluentCRM-Signature"] in headers_text
    # The two look-alike ids say what each names.
    assert "The webhook" in headers_text and "The delivery (Standard Webhooks name)" in headers_text
    assert "UTC" in browser.text(".fcwh-facts-table time >> nth=0"), "times carry their time zone"
    assert browser.texts(".fcwh-attempt-code") == ["503", "200"]
    assert "try later" in browser.text(".fcwh-attempts")
    browser.screenshot("08-delivery-detail")

    # Redeliver: not the main button of a delivery that succeeded; the same delivery (same id,
    # same body) reaches the receiver again, and the page follows it without a refresh.
    assert "button-primary" not in browser.attribute(".fcwh-redeliver-button", "class")
    before = len(receiver.requests)
    browser.click(".fcwh-redeliver-button")
    browser.wait_for(".fcwh-redeliver .notice-success")
    again = receiver.wait_for(before + 1)[before]
    assert again.headers["x-fluentcrm-delivery"] == str(older["id"])
    assert again.body.decode() == detail["body"]
    wait_until(lambda: len(delivery_detail(sidecar.api, webhook["id"], older["id"])["attempts"]) == 3,
               timeout=60, message="the redelivery attempt to be logged")
    browser.wait_for(".fcwh-attempt-row >> nth=2")  # polled while pending: no click on Refresh
    assert browser.texts(".fcwh-attempt-code") == ["503", "200", "200"]
    browser.screenshot("09-delivery-redelivered")

    # The list: deliveries per hour over 24 hours, stacked, and the success rate over 7 days.
    screen.open()
    list_chart = f"{row(webhook['id'])} .column-health svg.fcwh-chart"
    browser.wait_for(list_chart)
    answer = stats(sidecar, webhook["id"], **chart_range(browser, list_chart))
    assert answer["bucket"] == "hour" and 24 <= len(answer["buckets"]) <= 25
    assert answer["totals"]["success"] == 3
    assert_bars_match(drawn_bars(browser, list_chart), answer)
    browser.wait_for(f"{row(webhook['id'])} .fcwh-rate", text="(7 days)")
    week = stats(sidecar, webhook["id"], since=(datetime.now(timezone.utc) - timedelta(days=7)).isoformat())
    assert float(browser.attribute(f"{row(webhook['id'])} .fcwh-rate", "data-rate")) == week["totals"]["success_rate"]
    browser.screenshot("09b-list-health-chart")


def test_a_failed_webhook_says_why_recovers_and_reactivates(
        screen: AdminScreen, browser: Browser, sidecar: Sidecar, receiver: Receiver) -> None:
    receiver.set_default(500, body=b"broken receiver")
    webhook = create_webhook(sidecar.api, receiver.url, ["email.opened"], name="Fragile")
    send_events(sidecar.api, *[now_event("email.opened") for _ in range(5)])
    wait_for_webhook(sidecar.api, webhook["id"], timeout=120, status="failed")
    send_events(sidecar.api, now_event("email.opened"), now_event("email.opened"))  # held, not sent

    screen.open()
    browser.wait_for(".fcwh-failed-notice a", text="See the last failed delivery")  # its cause is loaded
    notice = browser.text(".fcwh-failed-notice")
    assert "“Fragile” was turned off because 5 deliveries in a row failed" in notice
    assert "The receiver last answered HTTP 500." in notice
    assert browser.text(".fcwh-reactivate") == "Re-activate and send the 2 held events"
    assert browser.text(f"{row(webhook['id'])} .column-status").startswith("Failed")
    # Self-healing is on by default: the list says when the receiver is tried again.
    probe_at = get_webhook(sidecar.api, webhook["id"])["next_recovery_probe_at"]
    assert probe_at is not None
    assert browser.attribute(f"{row(webhook['id'])} .fcwh-next-probe time", "datetime") == probe_at
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
    webhook = create_webhook(sidecar.api, receiver.url, ["campaign.sent"], name="Old name",
                             headers={"X-Api-Key": "k-123-stored"})
    original_secret = get_webhook(sidecar.api, webhook["id"])["secret"]
    screen.open(f"#/webhooks/{webhook['id']}/edit")
    browser.wait_for("#fcwh-name")
    assert browser.value("#fcwh-secret") == "", "the edit form never shows the secret"
    # A stored header value never reaches the browser: its field is empty and says it is kept.
    assert browser.value(".fcwh-header-name") == "X-Api-Key"
    assert browser.value(".fcwh-header-value") == ""
    assert browser.attribute(".fcwh-header-value", "data-stored") == "true"
    assert "k-123-stored" not in browser.html()
    browser.click(".fcwh-header-add")
    browser.fill(".fcwh-header-row >> nth=1 >> .fcwh-header-name", "Authorization")
    browser.fill(".fcwh-header-row >> nth=1 >> .fcwh-header-value", "Bearer edit-token")
    browser.uncheck("#fcwh-auto-recover")
    browser.check('.fcwh-condition[data-condition="statuses"] input[data-status="subscribed"]')
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
    assert saved["headers"] == {"X-Api-Key": "********", "Authorization": "********"}
    assert saved["auto_recover"] is False and saved["conditions"] == {"statuses": ["subscribed"]}
    browser.screenshot("13-edit-saved")

    # Rotate the secret, keeping the old one valid for an hour: the new one is shown once.
    browser.dialogs(accept=True)
    browser.select("#fcwh-rotate-overlap", "3600")
    browser.click(".fcwh-rotate-button")
    browser.wait_for(".fcwh-rotated")
    [question] = browser.dialogs(accept=True)
    assert "keeps working for the overlap" in question
    rotated = get_webhook(sidecar.api, webhook["id"])
    assert browser.value("#fcwh-rotated-secret") == rotated["secret"] != original_secret
    expires = datetime.fromisoformat(rotated["previous_secret_expires_at"].replace("Z", "+00:00"))
    assert abs((expires - datetime.now(timezone.utc)) - timedelta(hours=1)) < timedelta(minutes=5)
    assert browser.attribute(".fcwh-rotated-overlap time", "datetime") == rotated["previous_secret_expires_at"]
    browser.screenshot("13b-secret-rotated")
    screen.open(f"#/webhooks/{webhook['id']}/edit")
    browser.wait_for(".fcwh-overlap-now")
    assert rotated["secret"] not in browser.html(), "the new secret too is shown only once"

    screen.open()
    browser.wait_for(f"{row(webhook['id'])} .fcwh-activate")
    assert browser.text(f"{row(webhook['id'])} .column-status").startswith("Inactive")
    assert "dropped, not kept" in browser.text(f"{row(webhook['id'])} .fcwh-dropped-note")
    browser.click(f"{row(webhook['id'])} .fcwh-activate")
    browser.wait_for(f"{row(webhook['id'])} .fcwh-deactivate")
    assert get_webhook(sidecar.api, webhook["id"])["status"] == "active"

    # The headers reach the receiver, the stored one kept through the re-save; the log masks them.
    receiver.script(200)
    expect(sidecar.api.post(f"/v2/webhooks/{webhook['id']}/test"), 200)
    [sent] = receiver.wait_for(1)
    assert sent.headers["x-api-key"] == "k-123-stored" and sent.headers["authorization"] == "Bearer edit-token"
    [test_send] = list_deliveries(sidecar.api, webhook["id"])
    logged = delivery_detail(sidecar.api, webhook["id"], test_send["id"])["headers"]
    assert logged["X-Api-Key"] == logged["Authorization"] == "********"

    # Deactivating asks first, and says events are then dropped, not held.
    browser.dialogs(accept=False)
    browser.click(f"{row(webhook['id'])} .fcwh-deactivate")
    [question] = browser.dialogs(accept=False)
    assert question.startswith("Deactivate “New name”?") and "dropped, not kept" in question
    assert get_webhook(sidecar.api, webhook["id"])["status"] == "active"

    # The red "Delete" reads at WCAG AA (4.5:1) on the striped row.
    assert browser.evaluate(CONTRAST.replace("SELECTOR", json.dumps(f"{row(webhook['id'])} .fcwh-delete"))) >= 4.5

    # "Cancel" in the confirmation keeps it
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


def test_a_stale_sidecar_outage_is_asked_again_and_said_plainly(
        screen: AdminScreen, browser: Browser, sidecar: Sidecar, wordpress: WordPressSite) -> None:
    # What a probe made before the sidecar started leaves behind (the README's own order).
    wordpress.set_option("fcwh_sidecar_health", {
        "ok": False, "since": 1, "checked_at": 1, "kind": "unreachable", "status": 0,
        "message": "cURL error 7: Failed to connect to 127.0.0.1 port 8787"})
    screen.open()
    assert browser.count("#fcwh-sidecar-notice") == 0, "asked again, the sidecar answers: no alarm"
    assert wordpress.get_option("fcwh_sidecar_health")["ok"] is True

    # Really away: said without transport codes, with what to do.
    wordpress.set_option("fcwh_sidecar_url", "http://127.0.0.1:9")
    screen.open()
    notice = browser.text("#fcwh-sidecar-notice")
    assert "cannot reach the webhook sidecar" in notice and "http://127.0.0.1:9" in notice
    assert "cURL" not in notice and "FCWH_" not in notice
    # The screen's own message too; the technical detail stays one click away.
    browser.wait_for(".fcwh-plain-error", text="does not answer")
    detail = browser.evaluate("[document.querySelector('.fcwh-error-detail').open,"
                              " document.querySelector('.fcwh-error-detail code').textContent]")
    assert detail[0] is False and "cURL" in detail[1]
    browser.screenshot("18-sidecar-unreachable-plain")


def test_a_copy_of_the_site_pauses_delivery_until_resumed_here(
        screen: AdminScreen, browser: Browser, sidecar: Sidecar, receiver: Receiver,
        wordpress: WordPressSite) -> None:
    recorded = wordpress.get_option("fcwh_site_identity")
    assert recorded["url"] == wordpress.url, "the identity the site first ran under"
    webhook = create_webhook(sidecar.api, receiver.url, ["contact.created"], name="Live receiver")
    production = {"url": "http://127.0.0.9:8080", "environment": "production"}
    wordpress.set_option("fcwh_site_identity", production)  # as a copy of that site finds it
    try:
        # A visitor's page (neither admin, REST, cron nor WP-CLI) sends nothing and calls nothing.
        assert wordpress.php_json("fcwh_staging_ready_to_send()") is False
        assert expect(sidecar.api.get("/v2/delivery"), 200)["paused"] is False
        screen.open()
        notice = browser.text("#fcwh-site-copy-notice")
        assert "This looks like a copy of http://127.0.0.9:8080: webhooks are paused." in notice
        assert wordpress.url in notice and "has not confirmed" not in notice
        state = expect(sidecar.api.get("/v2/delivery"), 200)
        assert state["paused"] is True and state["site"] == production
        # Nothing leaves the copy, not even a test send.
        browser.click(f"{row(webhook['id'])} .fcwh-send-test")
        browser.wait_for(".fcwh-inline-row .notice-error", text="delivery is paused for this site")
        assert receiver.requests == []
        browser.screenshot("19-site-copy-paused")
        # Anything but the two buttons is refused and changes nothing: no nonce 403, another choice 400.
        post = """(async ([nonce, choice]) => (await fetch('/wp-admin/admin-post.php', {method: 'POST',
            body: new URLSearchParams({action: 'fcwh_site_copy', _wpnonce: nonce, choice}), redirect: 'manual'})).status)"""
        nonce = browser.evaluate("document.querySelector('#fcwh-site-copy-notice [name=_wpnonce]').value")
        assert browser.evaluate(f"({post})(['not-a-nonce', 'resume'])") == 403
        assert browser.evaluate(f"({post})([{json.dumps(nonce)}, 'resume-everything'])") == 400
        assert expect(sidecar.api.get("/v2/delivery"), 200)["paused"] is True
        assert wordpress.get_option("fcwh_site_identity") == production

        browser.click(".fcwh-keep-paused")
        browser.wait_for("#fcwh-site-copy-notice")
        assert browser.count(".fcwh-keep-paused") == 0 and browser.count(".fcwh-resume-here") == 1
        assert expect(sidecar.api.get("/v2/delivery"), 200)["paused"] is True
        browser.goto(wordpress.url + "/wp-admin/index.php")
        browser.wait_for("#wpadminbar")
        assert browser.count("#fcwh-site-copy-notice") == 0, "kept paused: only the plugin's screen says so"

        screen.open()
        browser.click(".fcwh-resume-here")
        browser.wait_for(".fcwh-site-copy-resumed")
        assert browser.count("#fcwh-site-copy-notice") == 0
        assert expect(sidecar.api.get("/v2/delivery"), 200)["paused"] is False
        assert {k: wordpress.get_option("fcwh_site_identity")[k] for k in ("url", "environment")} == {
            "url": wordpress.url, "environment": "local"}
    finally:
        wordpress.set_option("fcwh_site_identity", recorded)
        wordpress.delete_option("fcwh_site_copy")
        expect(sidecar.api.put("/v2/delivery", json={"paused": False}), 200)
