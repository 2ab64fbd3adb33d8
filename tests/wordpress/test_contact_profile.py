"""The "Webhook deliveries" section of FluentCRM's contact profile, through FluentCRM's own
extension point (FluentCrmApi('extender')->addProfileSection): the section FluentCRM lists
(`GET /fluent-crm/v2/reports/options?fields=profile_sections`, what its screen gets as
window.fcAdmin.profile_sections), the HTML its screen shows (`GET /fluent-crm/v2/subscribers/{id}/
external_view?section_provider=fcwh_deliveries`), and Redeliver as the section's script calls it
(cookie + REST nonce on the plugin's proxy route). On the stand-in, and on the real FluentCRM
releases of ../shared/third-party (skipped with the reason when absent). The browser test is
tests/browser/test_contact_profile_screen.py.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterator

import pytest
import requests

from tests.support.receiver import Receiver
from tests.support.sidecar import Sidecar
from tests.support.waiting import wait_until
from tests.support.wordpress import STANDIN_FILE, WordPressSite
from tests.wordpress.conftest import FORGET_PLUGIN_STATE
from tests.wordpress.standin import FluentCRM, unique_email
from tests.wordpress.test_privacy import contact_log, wait_settled
from tests.wordpress.test_real_fluentcrm import RealFluentCRM, real_site  # noqa: F401  (the real-FluentCRM site fixture)
from tests.wordpress.webhooks import CANONICAL, WebhooksApi

SECTION = "fcwh_deliveries"
SECTION_ENTRY = {"name": "fluentcrm_profile_extended", "title": "Webhook deliveries", "handler": "route",
                 "query": {"handler": SECTION}}

READER = """
require_once ABSPATH . 'wp-admin/includes/user.php';
add_role('crm_reader', 'CRM reader', array('read' => true, 'fcrm_read_contacts' => true));
$user = get_user_by('login', 'reader');
if (!$user) {
    $user = get_user_by('id', wp_insert_user(array('user_login' => 'reader', 'user_pass' => wp_generate_password(16, false),
        'user_email' => 'reader@example.com', 'role' => 'crm_reader')));
}
list($password) = WP_Application_Passwords::create_new_application_password($user->ID, array('name' => 'tests ' . uniqid()));
echo wp_json_encode(array('login' => 'reader', 'app_password' => $password));
"""


# -- reading the section ----------------------------------------------------------------------------
def profile_sections(http: requests.Session, site: WordPressSite) -> dict:
    answer = http.get(site.rest_url("/fluent-crm/v2/reports/options"), params={"fields": "profile_sections"}, timeout=60)
    assert answer.status_code == 200, answer.text[:1000]
    return answer.json()["options"]["profile_sections"]


def section(http: requests.Session, site: WordPressSite, contact_id: int) -> dict:
    answer = http.get(site.rest_url(f"/fluent-crm/v2/subscribers/{contact_id}/external_view"),
                      params={"section_provider": SECTION}, timeout=60)
    assert answer.status_code == 200, answer.text[:1000]
    return answer.json()


def rows(content_html: str) -> list[dict]:
    """The section's rows: delivery and webhook ids, event, webhook, status (machine and label), button."""
    found = []
    for row in re.findall(r'<tr class="fcwh-profile-delivery".*?</tr>', content_html, re.S):
        cells = dict(re.findall(r'<td class="fcwh-profile-(\w+)[^"]*">(.*?)</td>', row, re.S))
        found.append({
            "delivery": int(re.search(r'data-fcwh-delivery="(\d+)"', row).group(1)),
            "webhook_id": int(re.search(r'data-fcwh-webhook="(\d+)"', row).group(1)),
            "event": html.unescape(re.sub(r"<[^>]+>", "", cells["event"])),
            "webhook": html.unescape(cells["webhook"]),
            "status": re.search(r'data-fcwh-status="(\w+)"', row).group(1),
            "label": html.unescape(re.search(r'data-fcwh-status="\w+">([^<]*)<', row).group(1)),
            "redeliver": "data-fcwh-redeliver" in row,
        })
    return found


def redeliver(http: requests.Session, site: WordPressSite, webhook_id: int, delivery_id: int) -> requests.Response:
    """What assets/js/contact-profile.js sends."""
    return http.post(site.rest_url(f"{CANONICAL}/{webhook_id}/deliveries/{delivery_id}/redeliver"),
                     headers={"Accept": "application/json"}, timeout=60)


# -- the stand-in -----------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def reader(wordpress: WordPressSite) -> requests.Session:
    """A user FluentCRM lets read contacts, who may not manage webhooks."""
    user = json.loads(wordpress.php(READER))
    session = requests.Session()
    session.auth = (user["login"], user["app_password"])
    return session


@pytest.fixture
def contact(crm: FluentCRM, webhooks: WebhooksApi, receiver: Receiver, site_sidecar: Sidecar) -> dict:
    """A contact with three deliveries (created, updated, an order), and a bystander with one."""
    webhook = webhooks.create(name="Profile <b>hook</b>", url=receiver.url,
                              events=["contact.created", "contact.updated", "commerce.order_created"])
    email = unique_email("profile")
    made = crm.create_contact(email, first_name="Pat")
    crm.update_contact(made["id"], first_name="Patricia")
    crm.woo_order(email=email, total="5.00")
    crm.create_contact(unique_email("bystander"))
    deliveries = wait_settled(site_sidecar, 3, contact_id=made["id"])
    return {"id": int(made["id"]), "email": email, "webhook": webhook, "deliveries": deliveries}


def test_fluentcrm_lists_the_section_for_those_who_manage_webhooks(wordpress: WordPressSite, site_sidecar: Sidecar,
                                                                   reader: requests.Session) -> None:
    sections = profile_sections(wordpress.session("admin"), wordpress)
    assert sections[SECTION] == SECTION_ENTRY
    assert list(sections)[:2] == ["subscriber", "subscriber_emails"]  # FluentCRM's own stay first
    assert SECTION not in profile_sections(reader, wordpress)


def test_the_section_shows_the_contacts_deliveries_newest_first(wordpress: WordPressSite, contact: dict,
                                                                site_sidecar: Sidecar) -> None:
    shown = section(wordpress.session("admin"), wordpress, contact["id"])
    assert shown["heading"] == "Webhook deliveries"
    found = rows(shown["content_html"])
    assert [r["delivery"] for r in found] == [d["id"] for d in contact["deliveries"]]
    assert [r["event"] for r in found] == ["commerce.order_created", "contact.updated", "contact.created"]
    webhook_id = contact["webhook"]["id"]
    assert all(r["webhook"] == f"Profile <b>hook</b> (#{webhook_id})" for r in found)  # as text, escaped
    assert "<b>hook</b>" not in shown["content_html"]
    assert all(r["status"] == "success" and r["label"] == "Delivered" and r["redeliver"] for r in found)
    # Each event links to the delivery's page of the webhooks screen.
    assert f"page=fcwh-webhooks#/webhooks/{webhook_id}/deliveries/{found[0]['delivery']}" in shown["content_html"]


def test_redeliver_from_the_section_sends_the_same_delivery_again(wordpress: WordPressSite, contact: dict,
                                                                  receiver: Receiver, site_sidecar: Sidecar,
                                                                  reader: requests.Session) -> None:
    [first, *_] = rows(section(wordpress.session("admin"), wordpress, contact["id"])["content_html"])
    before = len(receiver.requests)
    browser = wordpress.cookie_session()  # logged in, with the REST nonce: as the section's script
    answer = redeliver(browser, wordpress, first["webhook_id"], first["delivery"])
    assert answer.status_code == 202, answer.text
    assert answer.json()["delivery"]["id"] == first["delivery"]
    [again] = receiver.wait_for(before + 1)[before:]
    assert again.headers["x-fluentcrm-delivery"] == str(first["delivery"])

    # Without the nonce the login cookie counts for nothing; a contact reader may not redeliver.
    del browser.headers["X-WP-Nonce"]
    assert redeliver(browser, wordpress, first["webhook_id"], first["delivery"]).status_code == 401
    assert redeliver(reader, wordpress, first["webhook_id"], first["delivery"]).status_code == 403
    refused = section(reader, wordpress, contact["id"])["content_html"]
    assert "not allowed" in refused and "fcwh-profile-delivery" not in refused


def test_the_section_says_when_the_log_cannot_be_read(wordpress: WordPressSite, contact: dict,
                                                      site_sidecar: Sidecar) -> None:
    wordpress.use_sidecar_constants("http://127.0.0.1:9", site_sidecar.token)  # nothing listens there
    try:
        content = section(wordpress.session("admin"), wordpress, contact["id"])["content_html"]
    finally:
        wordpress.use_sidecar_constants(site_sidecar.url, site_sidecar.token)
        wordpress.php(FORGET_PLUGIN_STATE)
    assert "fcwh-profile-error" in content
    assert "The webhook delivery log could not be read" in content and "could not be reached" in content


def test_a_contact_without_deliveries(wordpress: WordPressSite, crm: FluentCRM, site_sidecar: Sidecar) -> None:
    quiet = crm.create_contact(unique_email("quiet"))  # no webhook subscribed: nothing recorded
    content = section(wordpress.session("admin"), wordpress, quiet["id"])["content_html"]
    assert "No webhook deliveries about this contact." in content


def test_fluentcrms_screen_loads_the_script_through_its_no_conflict_mode(wordpress: WordPressSite,
                                                                         site_sidecar: Sidecar) -> None:
    page = wordpress.cookie_session().get(f"{wordpress.url}/wp-admin/admin.php", params={"page": "fluentcrm-admin"},
                                          timeout=60).text
    assert re.search(r"<script[^>]+src=['\"][^'\"]*/fluentcrm-webhooks/assets/js/contact-profile\.js", page)
    assert "window.fcwhContactProfile" in page
    # Not on other screens.
    other = wordpress.cookie_session().get(f"{wordpress.url}/wp-admin/index.php", timeout=60).text
    assert "contact-profile.js" not in other


def test_without_fluentcrm_there_is_no_section(wordpress: WordPressSite, site_sidecar: Sidecar) -> None:
    wordpress.php(f"require_once ABSPATH . 'wp-admin/includes/plugin.php'; deactivate_plugins('{STANDIN_FILE}');")
    try:
        state = wordpress.php_json("array(function_exists('FluentCrmApi'), apply_filters('fluentcrm_profile_sections', array()))")
        assert state == [False, []]
        page = wordpress.cookie_session().get(f"{wordpress.url}/wp-admin/admin.php", params={"page": "fluentcrm-admin"},
                                              timeout=60)
        assert "contact-profile.js" not in page.text
    finally:
        wordpress.php(f"require_once ABSPATH . 'wp-admin/includes/plugin.php'; activate_plugin('{STANDIN_FILE}');")


# -- the real FluentCRM -----------------------------------------------------------------------------
@pytest.fixture
def real(real_site: tuple[WordPressSite, Sidecar]) -> Iterator[tuple[WordPressSite, Sidecar, WebhooksApi]]:  # noqa: F811
    site, sidecar = real_site
    api = WebhooksApi(site)
    yield site, sidecar, api
    api.delete_created()


def test_real_fluentcrm_shows_the_section_redelivers_and_erases(real: tuple[WordPressSite, Sidecar, WebhooksApi],
                                                                 receiver: Receiver) -> None:
    site, sidecar, webhooks = real
    webhook = webhooks.create(name="Real profile hook", url=receiver.url, events=["contact.created", "contact.updated"])
    crm = RealFluentCRM(site)
    email = unique_email("real-profile")
    contact_id = crm.create_contact(email, first_name="Rae")
    crm.update_contact(contact_id, first_name="Raelynn")
    deliveries = wait_settled(sidecar, 2, contact_id=contact_id)
    admin = site.session("admin")

    # FluentCRM's own registry of profile sections, and the HTML its screen gets for ours.
    assert profile_sections(admin, site)[SECTION] == SECTION_ENTRY
    shown = section(admin, site, contact_id)
    assert shown["heading"] == "Webhook deliveries"
    found = rows(shown["content_html"])
    assert [(r["delivery"], r["event"], r["webhook"], r["status"]) for r in found] == [
        (d["id"], d["event"], f"Real profile hook (#{webhook['id']})", "success") for d in deliveries]

    # Redeliver, as the section's script does it.
    before = len(receiver.requests)
    answer = redeliver(site.cookie_session(), site, webhook["id"], found[0]["delivery"])
    assert answer.status_code == 202, answer.text
    assert receiver.wait_for(before + 1)[before].headers["x-fluentcrm-delivery"] == str(found[0]["delivery"])

    # The privacy tools find the contact through FluentCRM's model, then the log by id and address.
    assert site.php_json(f"fcwh_privacy_subject({json.dumps(email)})") == {"email": email, "contact_id": contact_id}
    exported = site.php_json(f"fcwh_privacy_export({json.dumps(email)}, 1)")
    assert [item["item_id"] for item in exported["data"]] == [f"fcwh-delivery-{d['id']}" for d in deliveries]
    wait_until(lambda: all(d["status"] != "pending" for d in contact_log(sidecar, contact_id=contact_id)["deliveries"]),
               message="the redelivery to finish")
    erased = site.php_json(f"fcwh_privacy_erase({json.dumps(email)}, 1)")
    assert erased["items_removed"] is True and erased["done"] is True
    assert "No webhook deliveries about this contact." in section(admin, site, contact_id)["content_html"]
