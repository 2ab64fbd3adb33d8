"""WordPress's personal-data tools for the delivery log: the exporter and the eraser driven through
WordPress's own screens (Tools → Export / Erase Personal Data: the request, the screen's nonce, the
AJAX calls its script makes page by page), checked before and after against the sidecar's own
routes; what the screens say when the sidecar is down; the suggested privacy-policy text; and
uninstall with and without FCWH_UNINSTALL_DROP_SIDECAR_TABLES.

The site has no php-zip, so WordPress cannot write the export's ZIP: a must-use plugin of the test
(EXPORT_CAPTURE) keeps the grouped data WordPress would put in it, and skips the ZIP only when
ZipArchive is missing.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
import requests

from tests.support.api import delivery_detail, expect, now_iso, send_events
from tests.support.receiver import Receiver
from tests.support.sidecar import Sidecar
from tests.support.waiting import wait_until
from tests.support.wordpress import PLUGIN_FILE, WordPressSite
from tests.wordpress.conftest import FORGET_PLUGIN_STATE
from tests.wordpress.standin import FluentCRM, unique_email
from tests.wordpress.webhooks import WebhooksApi

GROUP_ID = "fluentcrm-webhooks-deliveries"
EXPORTER_NAME = "FluentCRM Webhooks delivery log"
SIDECAR_TABLES = ["wp_fcwh_attempts", "wp_fcwh_deliveries", "wp_fcwh_events", "wp_fcwh_schema", "wp_fcwh_state", "wp_fcwh_webhooks"]
PLUGIN_ADMIN = "require_once ABSPATH . 'wp-admin/includes/plugin.php';"

EXPORT_CAPTURE_FILE = "fcwh-test-privacy-capture.php"
EXPORT_CAPTURE = """<?php
/**
 * Plugin Name: Test export capture
 * Description: Keeps the grouped data of each personal-data export (what WordPress writes into the
 * export's ZIP) as wp-content/fcwh-test-export-{request id}.json; skips the ZIP without php-zip.
 */
add_action('wp_privacy_personal_data_export_file', static function ($request_id) {
    file_put_contents(WP_CONTENT_DIR . '/fcwh-test-export-' . (int) $request_id . '.json',
        wp_json_encode(get_post_meta($request_id, '_export_data_grouped', true)));
}, 5);
add_action('admin_init', static function () {
    if (!class_exists('ZipArchive')) {
        remove_action('wp_privacy_personal_data_export_file', 'wp_privacy_generate_personal_data_export_file', 10);
    }
});
"""


# -- the sidecar's view ---------------------------------------------------------------------------
def contact_log(sidecar: Sidecar, body: bool = False, **who: Any) -> dict:
    """GET /v2/contacts/deliveries on the sidecar itself (all of it: up to 100)."""
    params = {**who, "per_page": 100, **({"include": "body"} if body else {})}
    return expect(sidecar.api.get("/v2/contacts/deliveries", params=params), 200)


def contact_delivery_ids(sidecar: Sidecar, **who: Any) -> set[int]:
    return {d["id"] for d in contact_log(sidecar, **who)["deliveries"]}


def wait_settled(sidecar: Sidecar, count: int, **who: Any) -> list[dict]:
    """The contact's `count` deliveries, once none of them is pending any more."""
    def settled() -> list[dict] | None:
        deliveries = contact_log(sidecar, **who)["deliveries"]
        done = len(deliveries) == count and all(d["status"] != "pending" for d in deliveries)
        return deliveries if done else None

    return wait_until(settled, timeout=60, message=lambda: f"{count} settled deliveries for {who}: "
                                                           f"{contact_log(sidecar, **who)['deliveries']}")


# -- WordPress's privacy screens ------------------------------------------------------------------
@dataclass
class ToolRun:
    """What one run of an exporter/eraser screen got back: every AJAX answer, in order."""

    answers: list[dict] = field(default_factory=list)  # {"index", "page", "body"}
    error: Any = None  # `data` of the first failed answer
    request_id: int = 0

    def ours(self, index: int) -> list[dict]:
        return [a["body"]["data"] for a in self.answers if a["index"] == index and a["body"]["success"]]


class PrivacyTools:
    """Tools → Export / Erase Personal Data, as the administrator uses them: the request is created
    with WordPress's wp_create_user_request(), the screen is loaded for its nonce, and the AJAX
    calls are made in the order wp-admin/js/privacy-tools.js makes them."""

    def __init__(self, site: WordPressSite) -> None:
        self.site = site
        self.http = site.cookie_session()

    def create_request(self, email: str, action: str) -> int:
        return int(self.site.php(
            f"$id = wp_create_user_request({json.dumps(email)}, {json.dumps(action)}, array(), 'confirmed');"
            "if (is_wp_error($id)) { fwrite(STDERR, $id->get_error_message()); exit(1); } echo $id;"))

    def screen(self, name: str) -> requests.Response:
        answer = self.http.get(f"{self.site.url}/wp-admin/{name}.php", timeout=60)
        assert answer.status_code == 200, answer.text[:1000]
        return answer

    def nonce(self, screen: str, request_id: int) -> tuple[int, str]:
        page = self.screen(screen).text
        match = re.search(r'data-(?:exporters|erasers)-count="(\d+)"\s+data-request-id="' + str(request_id)
                          + r'"\s+data-nonce="([0-9a-f]+)"', page)
        assert match, f"no action for request {request_id} on {screen}"
        return int(match.group(1)), match.group(2)

    def tool_index(self, kind: str) -> int:
        """The 1-based index WordPress gives the plugin's exporter or eraser."""
        registry = "wp_privacy_personal_data_exporters" if kind == "export" else "wp_privacy_personal_data_erasers"
        keys = self.site.php_json(f"array_keys(apply_filters('{registry}', array()))")
        return keys.index("fluentcrm-webhooks") + 1

    def run(self, email: str, kind: str) -> ToolRun:
        """Every exporter (or eraser) of the site, page by page, until each says done."""
        action, screen, ajax = (("export_personal_data", "export-personal-data", "wp-privacy-export-personal-data")
                                if kind == "export" else
                                ("remove_personal_data", "erase-personal-data", "wp-privacy-erase-personal-data"))
        run = ToolRun(request_id=self.create_request(email, action))
        count, nonce = self.nonce(screen, run.request_id)
        for index in range(1, count + 1):
            for page in range(1, 1000):
                data = {"action": ajax, "id": run.request_id, "page": page, "security": nonce,
                        ("exporter" if kind == "export" else "eraser"): index}
                if kind == "export":
                    data["sendAsEmail"] = "false"
                answer = self.http.post(f"{self.site.url}/wp-admin/admin-ajax.php", data=data, timeout=120)
                assert answer.status_code == 200, answer.text[:1000]
                body = answer.json()
                run.answers.append({"index": index, "page": page, "body": body})
                if not body["success"]:
                    run.error = body["data"]
                    return run
                if body["data"]["done"]:
                    break
        return run

    def request_status(self, request_id: int) -> str:
        return self.site.php_json(f"wp_get_user_request({request_id})->status")


# -- fixtures ---------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def capture(wordpress: WordPressSite) -> Iterator[None]:
    mu_plugins = wordpress.root / "wp-content" / "mu-plugins"
    mu_plugins.mkdir(exist_ok=True)
    (mu_plugins / EXPORT_CAPTURE_FILE).write_text(EXPORT_CAPTURE)
    yield
    (mu_plugins / EXPORT_CAPTURE_FILE).unlink(missing_ok=True)


@pytest.fixture
def tools(wordpress: WordPressSite, site_sidecar: Sidecar, capture: None) -> PrivacyTools:
    return PrivacyTools(wordpress)


@dataclass
class People:
    """Two contacts with deliveries about them: `email` (created, updated, an order) and `other`."""

    email: str
    contact_id: int
    other_email: str
    other_id: int
    webhook: dict


@pytest.fixture
def people(crm: FluentCRM, webhooks: WebhooksApi, receiver: Receiver, site_sidecar: Sidecar) -> People:
    webhook = webhooks.create(name="Privacy test webhook", url=receiver.url,
                              events=["contact.created", "contact.updated", "commerce.order_created"])
    email, other_email = unique_email("privacy"), unique_email("bystander")
    contact = crm.create_contact(email, first_name="Priya")
    crm.update_contact(contact["id"], first_name="Priyanka")
    crm.woo_order(email=email, total="19.90")
    other = crm.create_contact(other_email, first_name="Otto")
    wait_settled(site_sidecar, 3, contact_id=contact["id"])
    wait_settled(site_sidecar, 1, contact_id=other["id"])
    return People(email, int(contact["id"]), other_email, int(other["id"]), webhook)


# -- export -------------------------------------------------------------------------------------------
def test_export_through_wordpress_lists_each_delivery_with_its_exact_body(
        tools: PrivacyTools, people: People, site_sidecar: Sidecar, wordpress: WordPressSite) -> None:
    expected = contact_log(site_sidecar, contact_id=people.contact_id)["deliveries"]
    assert sorted(d["event"] for d in expected) == ["commerce.order_created", "contact.created", "contact.updated"]
    # The request is in capitals: WordPress keeps the address as given, the sidecar matches any case.
    run = tools.run(people.email.upper(), "export")
    assert run.error is None, run.error

    index = tools.tool_index("export")
    items = [item for page in run.ours(index) for item in page["data"]]
    assert [item["item_id"] for item in items] == [f"fcwh-delivery-{d['id']}" for d in expected]  # newest first
    for item, delivery in zip(items, expected, strict=True):
        fields = {datum["name"]: datum["value"] for datum in item["data"]}
        detail = delivery_detail(site_sidecar.api, delivery["webhook_id"], delivery["id"])
        assert item["group_id"] == GROUP_ID and item["group_label"] == "Webhook deliveries"
        assert fields == {
            "Delivery ID": str(delivery["id"]),
            "Event": delivery["event"],
            "Webhook": f"Privacy test webhook (#{people.webhook['id']})",
            "Sent to (host)": "127.0.0.1",
            "Recorded at (UTC)": delivery["created_at"],
            "Last attempt (UTC)": delivery["attempted_at"],
            "Status": "success",
            "Body": detail["body"],  # the exact bytes the receiver got
        }
        assert json.loads(fields["Body"])["data"]["contact"]["email"] == people.email
    assert all(people.other_email not in item_field["value"] for item in items for item_field in item["data"])

    # What WordPress puts in the export file: our group, with every delivery.
    grouped = json.loads((wordpress.root / "wp-content" / f"fcwh-test-export-{run.request_id}.json").read_text())
    assert list(grouped[GROUP_ID]["items"]) == [item["item_id"] for item in items]
    # Exporting changes nothing in the log.
    assert contact_log(site_sidecar, contact_id=people.contact_id)["deliveries"] == expected


def test_export_pages_follow_the_sidecar_pages_of_100(wordpress: WordPressSite, webhooks: WebhooksApi,
                                                     receiver: Receiver, site_sidecar: Sidecar) -> None:
    """An address with no FluentCRM contact (found by its hash alone) and 105 deliveries: WordPress's
    page 1 holds the newest 100, page 2 the other 5 and says done."""
    webhook = webhooks.create(name="Busy", url=receiver.url, events=["contact.updated"])
    email = unique_email("busy")
    send_events(site_sidecar.api, *[
        {"id": str(uuid.uuid4()), "event": "contact.updated", "timestamp": now_iso(),
         "data": {"contact": {"id": 900_000 + n, "email": email}, "changes": {"n": n}}} for n in range(105)])
    wait_until(lambda: contact_log(site_sidecar, email=email)["pagination"]["total"] == 105,
               timeout=60, message="105 deliveries")
    newest = [d["id"] for d in contact_log(site_sidecar, email=email)["deliveries"]]
    assert len(newest) == 100  # the sidecar's own page

    pages = wordpress.php_json(
        f"array_map(function ($page) {{ $r = fcwh_privacy_export({json.dumps(email)}, $page);"
        " return array('done' => $r['done'], 'ids' => array_map(function ($i) { return $i['item_id']; }, $r['data'])); },"
        " array(1, 2, 3))")
    assert [len(page["ids"]) for page in pages] == [100, 5, 0]
    assert [page["done"] for page in pages] == [False, True, True]
    assert pages[0]["ids"] == [f"fcwh-delivery-{i}" for i in newest]
    exported = {int(i.rsplit("-", 1)[1]) for page in pages for i in page["ids"]}
    assert len(exported) == 105 and all(d["webhook_id"] == webhook["id"]
                                        for d in contact_log(site_sidecar, email=email)["deliveries"])


# -- erase --------------------------------------------------------------------------------------------
def test_erase_through_wordpress_removes_bodies_stops_pending_and_leaves_others(
        tools: PrivacyTools, people: People, crm: FluentCRM, webhooks: WebhooksApi,
        receiver_factory, site_sidecar: Sidecar, wordpress: WordPressSite) -> None:
    # A second webhook whose receiver answers 410 Gone: the webhook turns failed at once and holds
    # that delivery and the next one, pending, until it is active again.
    gone = receiver_factory()
    gone.set_default(status=410)
    held_webhook = webhooks.create(name="Gone", url=gone.url, events=["contact.updated"])
    crm.update_contact(people.contact_id, last_name="Gone")
    wait_until(lambda: expect(site_sidecar.api.get(f"/v2/webhooks/{held_webhook['id']}"), 200)["webhook"]["status"]
               == "failed", timeout=60, message="the 410 to fail the webhook")
    crm.update_contact(people.contact_id, last_name="Held")

    def settled() -> list[dict] | None:
        deliveries = contact_log(site_sidecar, contact_id=people.contact_id)["deliveries"]
        main = [d["status"] for d in deliveries if d["webhook_id"] == people.webhook["id"]]
        held = [d["status"] for d in deliveries if d["webhook_id"] == held_webhook["id"]]
        return deliveries if main == ["success"] * 5 and held == ["pending", "pending"] else None

    before = wait_until(settled, timeout=60, message=lambda: f"the deliveries to settle: "
                        f"{contact_log(site_sidecar, contact_id=people.contact_id)['deliveries']}")
    pending = {d["id"] for d in before if d["status"] == "pending"}
    other_before = contact_log(site_sidecar, body=True, contact_id=people.other_id)

    run = tools.run(people.email, "erase")
    assert run.error is None, run.error
    [ours] = run.ours(tools.tool_index("erase"))
    assert ours["items_removed"] is True and ours["items_retained"] is False and ours["done"] is True
    assert any("7 webhook deliveries was erased" in m for m in ours["messages"]), ours["messages"]
    assert any("2 pending webhook deliveries about this person were stopped" in m for m in ours["messages"]), ours["messages"]
    assert tools.request_status(run.request_id) == "request-completed"

    # Nothing about the contact is found any more, by id or by address.
    assert contact_log(site_sidecar, contact_id=people.contact_id)["pagination"]["total"] == 0
    assert contact_log(site_sidecar, email=people.email)["pagination"]["total"] == 0
    # The rows stay as tombstones: no body, no receiver's answer; the pending one is failed, unsent.
    for delivery in before:
        detail = delivery_detail(site_sidecar.api, delivery["webhook_id"], delivery["id"])
        assert detail["body"] == "" and detail["response_body"] is None
        assert all(attempt["response_body"] is None for attempt in detail["attempts"])
        if delivery["id"] in pending:
            assert detail["status"] == "failed" and detail["next_attempt_at"] is None
    # An erased delivery cannot be sent again, through WordPress either.
    erased = before[-1]
    redeliver = webhooks.http.post(webhooks.url(f"/{erased['webhook_id']}/deliveries/{erased['id']}/redeliver"),
                                   timeout=60)
    assert redeliver.status_code == 409 and redeliver.json()["code"] == "delivery_erased"
    # The other contact is untouched, bodies and all.
    assert contact_log(site_sidecar, body=True, contact_id=people.other_id) == other_before

    # Erasing again finds nothing: WordPress says "No personal data was found".
    again = tools.run(people.email, "erase")
    [second] = again.ours(tools.tool_index("erase"))
    assert second == {"items_removed": False, "items_retained": False, "messages": [], "done": True}


# -- the sidecar down ---------------------------------------------------------------------------------
@pytest.fixture
def sidecar_down(site_sidecar: Sidecar, wordpress: WordPressSite) -> Iterator[None]:
    site_sidecar.stop()
    try:
        yield
    finally:
        site_sidecar.start()
        wordpress.php(FORGET_PLUGIN_STATE)


def test_with_the_sidecar_down_export_and_erase_fail_with_the_reason(
        tools: PrivacyTools, people: People, sidecar_down: None, site_sidecar: Sidecar,
        wordpress: WordPressSite) -> None:
    export = tools.run(people.email, "export")
    # A plain string: WordPress's screen prints it under "An error occurred while attempting to export".
    assert isinstance(export.error, str), export.error
    assert export.error.startswith("The FluentCRM Webhooks delivery log could not be exported: ")
    assert f"The FluentCRM Webhooks sidecar at {site_sidecar.url} could not be reached" in export.error
    assert tools.request_status(export.request_id) == "request-confirmed"  # not completed

    erase = tools.run(people.email, "erase")
    assert isinstance(erase.error, str) and erase.error.startswith(
        "The personal data in the FluentCRM Webhooks delivery log could not be erased: "), erase.error
    assert "Nothing was erased there" in erase.error
    assert tools.request_status(erase.request_id) == "request-confirmed"
    # WordPress's erase screen shows only "An error occurred" itself: the reason is shown on its next load.
    screen = tools.screen("erase-personal-data").text
    assert "fcwh-privacy-erase-error" in screen and "could not be erased" in screen
    assert "fcwh-privacy-erase-error" not in tools.screen("erase-personal-data").text  # once

    # Called directly (WP-CLI, other code), the callbacks return WP_Error.
    codes = wordpress.php_json(f"array(fcwh_privacy_export({json.dumps(people.email)}, 1)->get_error_code(),"
                               f" fcwh_privacy_erase({json.dumps(people.email)}, 1)->get_error_code())")
    assert codes == ["fcwh_privacy_export_failed", "fcwh_privacy_erase_failed"]


def test_a_rejected_token_is_an_error_too(tools: PrivacyTools, people: People, wordpress: WordPressSite,
                                          site_sidecar: Sidecar) -> None:
    wordpress.use_sidecar_constants(site_sidecar.url, "not-the-token")
    try:
        export = tools.run(people.email, "export")
        assert isinstance(export.error, str) and "rejected the plugin's API token" in export.error
    finally:
        wordpress.use_sidecar_constants(site_sidecar.url, site_sidecar.token)
        wordpress.php(FORGET_PLUGIN_STATE)
    assert contact_log(site_sidecar, contact_id=people.contact_id)["pagination"]["total"] == 3


# -- policy text, registration ------------------------------------------------------------------------
def test_the_policy_guide_suggests_what_is_sent_where_and_for_how_long(tools: PrivacyTools) -> None:
    guide = tools.screen("privacy-policy-guide").text
    assert "FluentCRM Webhooks" in guide
    assert "webhook endpoints" in guide and "30 days" in guide and "FCWH_RETENTION_DAYS" in guide


def test_exporter_and_eraser_are_registered(wordpress: WordPressSite, site_sidecar: Sidecar) -> None:
    registered = wordpress.php_json(
        "array(apply_filters('wp_privacy_personal_data_exporters', array())['fluentcrm-webhooks'],"
        " apply_filters('wp_privacy_personal_data_erasers', array())['fluentcrm-webhooks'])")
    assert registered == [{"exporter_friendly_name": EXPORTER_NAME, "callback": "fcwh_privacy_export"},
                          {"eraser_friendly_name": EXPORTER_NAME, "callback": "fcwh_privacy_erase"}]


# -- uninstall ---------------------------------------------------------------------------------------
def sidecar_tables(site: WordPressSite) -> list[str]:
    return sorted(name for (name,) in site.sql("SHOW TABLES LIKE 'wp\\_fcwh\\_%%'") if name != "wp_fcwh_outbox")


def uninstall(site: WordPressSite, constant: str = "") -> None:
    site.php(f"{PLUGIN_ADMIN} {constant} deactivate_plugins('{PLUGIN_FILE}'); uninstall_plugin('{PLUGIN_FILE}');")


def test_uninstall_keeps_the_sidecar_tables_unless_the_constant_says_drop(wordpress: WordPressSite,
                                                                         site_sidecar: Sidecar) -> None:
    assert sidecar_tables(wordpress) == SIDECAR_TABLES
    try:
        uninstall(wordpress)
        assert sidecar_tables(wordpress) == SIDECAR_TABLES  # the default: the sidecar's data stays
        wordpress.php(f"{PLUGIN_ADMIN} activate_plugin('{PLUGIN_FILE}');")

        uninstall(wordpress, "define('FCWH_UNINSTALL_DROP_SIDECAR_TABLES', 'wp_; DROP TABLE wp_users; --');")
        assert sidecar_tables(wordpress) == SIDECAR_TABLES  # not a prefix: nothing dropped
        wordpress.php(f"{PLUGIN_ADMIN} activate_plugin('{PLUGIN_FILE}');")

        site_sidecar.stop()  # it would recreate what it misses
        uninstall(wordpress, "define('FCWH_UNINSTALL_DROP_SIDECAR_TABLES', true);")
        assert sidecar_tables(wordpress) == []
        assert wordpress.sql("SHOW TABLES LIKE 'wp_users'")  # WordPress's own tables stay
    finally:
        wordpress.php(f"{PLUGIN_ADMIN} activate_plugin('{PLUGIN_FILE}');")
        if not site_sidecar.process.running:
            site_sidecar.start()  # migrates: the tables are back, empty
        wordpress.php(FORGET_PLUGIN_STATE)
    assert sidecar_tables(wordpress) == SIDECAR_TABLES
    assert expect(site_sidecar.api.get("/v2/webhooks"), 200)["webhooks"] == []
