"""Opt-in: the plugin with a REAL FluentCRM (not the stand-in), on a site of its own.

It runs once per FluentCRM release found: each `fluent-crm-<version>.tar.gz` in the workplace's
`../shared/third-party/` beside this repository (CI has 2.9.65 and 2.9.84 there, which fire different
hooks for the same change; FCWH_THIRD_PARTY names another folder), or only the plugin folder that
FLUENTCRM_SRC names (the one holding fluent-crm.php, e.g. an unzipped download of the free plugin).
Without either, as on a user's machine, it is skipped and says why. FluentCRM's code is never copied
into this repository: the archives are unpacked into the test's temporary folder.

Every change is made the way a site makes it, through FluentCRM's own public paths: its REST API
(as the administrator, with an Application Password), its PHP API (FluentCrmApi() and the models'
public methods), the links of the emails it sends (open pixel, tracked links, unsubscribe page,
List-Unsubscribe), its bounce handler URL, its campaign screens' routes, and automations started by a
WordPress sign-up. Each test then checks that every change arrived exactly once, with the right
data.

The site has no mail server: a must-use plugin written by the fixture (MAIL_CATCHER) makes wp_mail()
append each message to a file, so the tests can follow the links of the emails FluentCRM sent.

Out of reach of free FluentCRM: commerce.* (needs WooCommerce or FluentCart) and
funnel.sequence_completed (FluentCRM Pro).
"""

from __future__ import annotations

import hashlib
import html
import json
import os
import re
import tarfile
import uuid
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

import pytest
import requests

from tests.conftest import CertificateAuthority
from tests.support.mariadb import MariaDBServer
from tests.support.receiver import Receiver
from tests.support.sidecar import Sidecar, SidecarLauncher
from tests.support.waiting import wait_until
from tests.support.wordpress import PLUGIN_FILE, PLUGIN_SOURCE, WordPressSite
from tests.wordpress.standin import unique_email
from tests.wordpress.webhooks import SEED, WebhooksApi, delivered

THIRD_PARTY = Path(os.environ.get("FCWH_THIRD_PARTY", "") or
                   Path(__file__).resolve().parents[2].parent / "shared" / "third-party")
NO_FLUENTCRM = ("no real FluentCRM here: set FLUENTCRM_SRC to a FluentCRM plugin folder (with fluent-crm.php), "
                f"or put fluent-crm-<version>.tar.gz in {THIRD_PARTY}")


def fluentcrm_releases() -> list[Any]:
    """One pytest param per FluentCRM to run against: FLUENTCRM_SRC's folder, else every archive in
    THIRD_PARTY (oldest first), else one skipped param saying what is missing."""
    folder = os.environ.get("FLUENTCRM_SRC")
    if folder:
        source = Path(folder).expanduser()
        if not (source / "fluent-crm.php").is_file():
            return [pytest.param(None, id="FLUENTCRM_SRC", marks=pytest.mark.skip(
                reason=f"FLUENTCRM_SRC={folder} holds no fluent-crm.php"))]
        return [pytest.param(source, id="FLUENTCRM_SRC")]
    archives = sorted(THIRD_PARTY.glob("fluent-crm-*.tar.gz"),
                      key=lambda path: tuple(int(part) for part in re.findall(r"\d+", path.name)))
    if not archives:
        return [pytest.param(None, id="no-fluentcrm", marks=pytest.mark.skip(reason=NO_FLUENTCRM))]
    return [pytest.param(archive, id=archive.name.removeprefix("fluent-crm-").removesuffix(".tar.gz"))
            for archive in archives]


def unpacked_plugin(source: Path, into: Path) -> Path:
    """The plugin folder of `source`: itself, or `fluent-crm/` unpacked from the archive into `into`."""
    if source.is_dir():
        return source
    with tarfile.open(source) as archive:
        archive.extractall(into, filter="data")
    plugin = into / "fluent-crm"
    assert (plugin / "fluent-crm.php").is_file(), f"{source.name} holds no fluent-crm/fluent-crm.php"
    return plugin

# FluentCRM finishes some changes in background requests of its own (the mailer, campaign
# processing): generous, as the machine is shared.
BACKGROUND_DEADLINE = 180.0

MAILS_FILE = "test-mails.jsonl"
MAIL_CATCHER = """<?php
/**
 * Plugin Name: Test mail catcher
 * Description: The test site has no mail server: wp_mail() appends each message to a file instead.
 */
add_filter('pre_wp_mail', static function ($short_circuit, $message) {
    file_put_contents(WP_CONTENT_DIR . '/%s', wp_json_encode($message) . "\\n", FILE_APPEND | LOCK_EX);
    return true;
}, 10, 2);
""" % MAILS_FILE


@pytest.fixture(scope="module", params=fluentcrm_releases())
def real_site(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory,
              mariadb_server: MariaDBServer, https_ca: CertificateAuthority) -> Iterator[tuple[WordPressSite, Sidecar]]:
    plugin = unpacked_plugin(request.param, tmp_path_factory.mktemp("fluent-crm-source"))
    site = WordPressSite(tmp_path_factory.mktemp("real-fluentcrm"), mariadb_server,
                         database=f"wp_real_fluentcrm_{request.param_index}",
                         plugins={"fluent-crm": plugin, "fluentcrm-webhooks": PLUGIN_SOURCE},
                         activate=["fluent-crm/fluent-crm.php", PLUGIN_FILE])
    site.install()
    mu_plugins = site.root / "wp-content" / "mu-plugins"
    mu_plugins.mkdir(exist_ok=True)
    (mu_plugins / "test-mail-catcher.php").write_text(MAIL_CATCHER)
    site.start()
    launcher = SidecarLauncher(lambda: tmp_path_factory.mktemp("real-fluentcrm-sidecar"), https_ca.bundle)
    try:
        sidecar = launcher.launch(database_url=site.database_url)
        site.use_sidecar_constants(sidecar.url, sidecar.token)
        yield site, sidecar
    finally:
        launcher.shutdown_all()
        site.stop()


# -- driving the real FluentCRM -------------------------------------------------------------------
@dataclass(frozen=True)
class Mail:
    """One message FluentCRM handed to wp_mail()."""

    to: str
    subject: str
    body: str
    headers: list[str]

    def links(self) -> list[str]:
        return [html.unescape(url) for url in re.findall(r'(?:href|src)="([^"]+)"', self.body)]

    def link(self, fragment: str) -> str:
        found = [url for url in self.links() if fragment in url]
        assert found, f"no link with {fragment!r} in the email {self.subject!r}: {self.links()}"
        return found[0]

    @property
    def open_pixel(self) -> str:
        return self.link("route=open")

    @property
    def list_unsubscribe(self) -> str:
        [header] = [h for h in self.headers if h.lower().startswith("list-unsubscribe:")]
        return re.search(r"<([^>]+)>", header).group(1)


class RealFluentCRM:
    """What an administrator, a contact, a mail client and a mail provider do on the site."""

    def __init__(self, site: WordPressSite) -> None:
        self.site = site
        self.http = site.session("admin")
        self.visitor = requests.Session()  # a contact's mail client / browser: no credentials
        self.label = uuid.uuid4().hex[:6]  # titles are unique in FluentCRM

    # -- its REST API ----------------------------------------------------------------------------
    def call(self, method: str, route: str, expect: int = 200, **body: Any) -> Any:
        answer = self.http.request(method, self.site.rest_url("/fluent-crm/v2" + route),
                                   json=body if body else None, timeout=120)
        assert answer.status_code == expect, f"{method} {route} answered {answer.status_code}: {answer.text[:2000]}"
        return answer.json()

    def tag(self, title: str) -> int:
        return int(self.call("POST", "/tags", title=f"{title} {self.label}")["item"]["id"])

    def list(self, title: str) -> int:
        return int(self.call("POST", "/lists", title=f"{title} {self.label}")["item"]["id"])

    def create_contact(self, email: str, **fields: Any) -> int:
        fields.setdefault("status", "subscribed")
        return int(self.call("POST", "/subscribers", email=email, **fields)["contact"]["id"])

    def update_contact(self, contact_id: int, **fields: Any) -> None:
        self.call("PUT", f"/subscribers/{contact_id}", subscriber=fields)

    def set_status(self, contact_ids: list[int], status: str) -> None:
        """The contact list's bulk "change status" (subscribers-property)."""
        self.call("PUT", "/subscribers/subscribers-property", property="status", subscribers=contact_ids, value=status)

    def delete_contact(self, contact_id: int) -> None:
        self.call("DELETE", f"/subscribers/{contact_id}")

    # -- emails, and what their recipients do with them ------------------------------------------
    def send_email(self, contact_id: int, subject: str, body: str) -> Mail:
        """A one-off email from the contact's profile screen; FluentCRM sends it right away."""
        campaign = self.call("GET", f"/subscribers/{contact_id}/emails/template-mock")["email_mock"]
        campaign.update(email_subject=subject, email_body=body)
        self.call("POST", f"/subscribers/{contact_id}/emails/send", campaign=campaign)
        return self.wait_for_mail(subject)

    def mails(self) -> list[Mail]:
        path = self.site.root / "wp-content" / MAILS_FILE
        lines = path.read_text().splitlines() if path.exists() else []
        return [Mail(m["to"], m["subject"], m["message"], list(m["headers"])) for m in map(json.loads, lines)]

    def wait_for_mail(self, subject: str) -> Mail:
        def sent() -> Mail | None:
            mail = next((m for m in self.mails() if m.subject == subject), None)
            if mail is None:  # another mailer run was busy: the email waits in the queue
                self.run_mailer()
            return mail

        return wait_until(sent, timeout=BACKGROUND_DEADLINE, interval=1.0, message=f"FluentCRM to send {subject!r}")

    def visit(self, url: str) -> requests.Response:
        """A contact opening a link (tracked links answer with a redirect, not followed)."""
        answer = self.visitor.get(url, allow_redirects=False, timeout=60)
        assert answer.status_code in (200, 302, 307), f"GET {url} answered {answer.status_code}: {answer.text[:500]}"
        return answer

    def unsubscribe_on_page(self, mail: Mail) -> None:
        """The unsubscribe page's form (it posts to admin-ajax with the link's secure hash)."""
        query = dict(re.findall(r"[?&]([^=&]+)=([^&]*)", mail.link("route=unsubscribe")))
        answer = self.visitor.post(f"{self.site.url}/wp-admin/admin-ajax.php", timeout=60, data={
            "action": "fluentcrm_unsubscribe_ajax", "secure_hash": query["secure_hash"], "_e_id": query["ce_id"],
            "reason": "other", "other_reason": "too many emails"})
        assert answer.status_code == 200 and answer.json()["success"], answer.text[:500]

    def one_click_unsubscribe(self, mail: Mail) -> None:
        """A mail client's List-Unsubscribe-Post (RFC 8058)."""
        answer = self.visitor.post(mail.list_unsubscribe, data={"List-Unsubscribe": "One-Click"}, timeout=60)
        assert answer.status_code == 200 and answer.json()["success"], answer.text[:500]

    def ses_bounce(self, email: str) -> None:
        self.ses_notification({"notificationType": "Bounce", "bounce": {
            "bounceType": "Permanent", "bouncedRecipients": [{"emailAddress": email, "diagnosticCode": "550 5.1.1"}]}})

    def ses_complaint(self, email: str) -> None:
        self.ses_notification({"notificationType": "Complaint", "complaint": {
            "complaintFeedbackType": "abuse", "complainedRecipients": [{"emailAddress": email}]}})

    def ses_notification(self, notification: dict) -> None:
        """Amazon SES (through SNS) calling the bounce handler URL FluentCRM's settings show."""
        url = self.call("GET", "/setting/bounce_configs")["bounce_settings"]["ses"]["webhook_url"]
        answer = self.visitor.post(url, json=notification, timeout=60)
        assert answer.status_code == 200, answer.text[:500]

    # -- campaigns -------------------------------------------------------------------------------
    def campaign_processing(self, campaign_id: int) -> str:
        """The campaign screen's poll while a campaign is being prepared (it queues the emails)."""
        return self.call("GET", f"/campaigns/{campaign_id}/processing-stat")["campaign"]["status"]

    def campaign_status(self, campaign_id: int) -> str:
        """The campaign screen's progress poll (it also moves the campaign along)."""
        return self.call("GET", f"/campaigns/{campaign_id}/status")["campaign"]["status"]

    def run_mailer(self) -> None:
        """The background request FluentCRM posts to itself to send queued emails now."""
        answer = self.visitor.post(f"{self.site.url}/wp-admin/admin-ajax.php",
                                   data={"action": "fluentcrm-post-campaigns-send-now"}, timeout=120)
        assert answer.status_code == 200, answer.text[:500]

    # -- WordPress -------------------------------------------------------------------------------
    def register_user(self, login: str) -> str:
        """A new WordPress user (its sign-up starts FluentCRM's "New User Sign Up" automations)."""
        email = unique_email(login)
        answer = self.http.post(self.site.rest_url("/wp/v2/users"), timeout=60, json={
            "username": f"{login}-{uuid.uuid4().hex[:6]}", "email": email, "password": uuid.uuid4().hex})
        assert answer.status_code == 201, answer.text[:500]
        return email

    def contact_id(self, email: str) -> int:
        return int(self.site.php(f"echo FluentCrmApi('contacts')->getContact({json.dumps(email)})->id;").strip())


# -- checking what arrived --------------------------------------------------------------------------
def arrived_once(webhooks: WebhooksApi, webhook: dict, receiver: Receiver, expected: Counter) -> list[dict]:
    """Waits until the sidecar logged the expected events for the webhook (some come from FluentCRM's
    background requests), checks that nothing more was logged, and returns the payloads delivered."""

    def logged() -> Counter:
        return Counter(d["event"] for d in webhooks.deliveries(webhook["id"]))

    def all_logged() -> Counter | None:
        now = logged()
        return now if all(now[event] >= count for event, count in expected.items()) else None

    seen = wait_until(all_logged, timeout=BACKGROUND_DEADLINE, interval=0.5,
                      message=lambda: f"{expected}, logged so far: {logged()}")
    assert seen == expected
    receiver.wait_for(sum(expected.values()), timeout=BACKGROUND_DEADLINE)
    payloads = [item.payload for item in delivered(receiver)]
    assert sorted(p["event"] for p in payloads) == sorted(expected.elements())
    return payloads


def of(payloads: list[dict], event: str) -> list[dict]:
    return [p["data"] for p in payloads if p["event"] == event]


def term_ids(terms: list[dict]) -> list[int]:
    assert all(type(term["id"]) is int and term["title"] for term in terms), terms
    return sorted(term["id"] for term in terms)


def check_contact(contact: dict, emails: dict[int, str]) -> int:
    """The contact object: integer id, the email of that contact, tags and lists as {id, title, slug}."""
    assert type(contact["id"]) is int and contact["email"] == emails[contact["id"]], contact
    term_ids(contact["tags"])
    term_ids(contact["lists"])
    return contact["id"]


# -- the tests --------------------------------------------------------------------------------------
CONTACT_EVENTS = ["contact.created", "contact.updated", "contact.deleted", "contact.status_changed",
                  "contact.tag_added", "contact.tag_removed", "contact.list_added", "contact.list_removed"]


def test_contact_changes_through_rest_and_php_api_arrive_once(real_site: tuple[WordPressSite, Sidecar],
                                                              receiver: Receiver) -> None:
    site, _ = real_site
    crm, webhooks = RealFluentCRM(site), WebhooksApi(site)
    webhook = webhooks.create(url=receiver.url, events=CONTACT_EVENTS)
    vip, gold = crm.tag("VIP"), crm.tag("Gold")
    news, promo = crm.list("News"), crm.list("Promo")

    # REST: a new contact with a tag and a list (2.9.65 fires contact_created twice here).
    email = unique_email("rest")
    contact = crm.create_contact(email, first_name="Jane", tags=[vip], lists=[news])
    # PHP API: the model's public methods.
    site.php(f"""
        $contact = \\FluentCrm\\App\\Models\\Subscriber::find({contact});
        $contact->attachTags(array({gold}));
        $contact->detachTags(array({vip}));
        $contact->attachLists(array({promo}));
        $contact->detachLists(array({news}));
    """)
    # REST: the profile editor (a field, a tag added back), then its status field (no status hook).
    crm.update_contact(contact, first_name="Janet", attach_tags=[vip])
    crm.update_contact(contact, status="pending")
    crm.set_status([contact], "subscribed")
    # PHP API: createOrUpdate(), as forms and other plugins call it; then the bulk delete route,
    # which hands the ids on as the client sent them (strings).
    other_email = unique_email("php-api")
    other = int(site.php(f"""
        echo FluentCrmApi('contacts')->createOrUpdate(array(
            'email' => {json.dumps(other_email)}, 'status' => 'subscribed', 'tags' => array({gold})))->id;
    """).strip())
    crm.call("DELETE", "/subscribers", subscribers=[str(other)])
    crm.delete_contact(contact)

    payloads = arrived_once(webhooks, webhook, receiver, Counter({
        "contact.created": 2, "contact.tag_added": 4, "contact.tag_removed": 1, "contact.list_added": 2,
        "contact.list_removed": 1, "contact.updated": 2, "contact.status_changed": 2, "contact.deleted": 2}))
    emails = {contact: email, other: other_email}
    for payload in payloads:
        check_contact(payload["data"]["contact"], emails)

    created = {d["contact"]["id"]: d["contact"] for d in of(payloads, "contact.created")}
    assert created[contact]["first_name"] == "Jane" and created[contact]["status"] == "subscribed"
    assert term_ids(created[contact]["tags"]) == [vip] and term_ids(created[contact]["lists"]) == [news]
    assert term_ids(created[other]["tags"]) == [gold]

    def changed(event: str, key: str) -> list[tuple[int, list[int]]]:
        return sorted((d["contact"]["id"], term_ids(d[key])) for d in of(payloads, event))

    assert changed("contact.tag_added", "tags") == sorted([(contact, [vip]), (contact, [gold]), (contact, [vip]),
                                                           (other, [gold])])
    assert changed("contact.tag_removed", "tags") == [(contact, [vip])]
    assert changed("contact.list_added", "lists") == sorted([(contact, [news]), (contact, [promo])])
    assert changed("contact.list_removed", "lists") == [(contact, [news])]
    changes = [d["changes"] for d in of(payloads, "contact.updated")]
    assert sorted(changes, key=json.dumps) == [{"first_name": "Janet"}, {"status": "pending"}]
    assert sorted((d["old_status"], d["new_status"]) for d in of(payloads, "contact.status_changed")) == sorted(
        [("subscribed", "pending"), ("pending", "subscribed")])
    deleted = {d["contact"]["id"]: d["contact"] for d in of(payloads, "contact.deleted")}
    assert set(deleted) == {contact, other}
    assert deleted[contact]["first_name"] == "Janet" and term_ids(deleted[contact]["tags"]) == sorted([vip, gold])
    assert term_ids(deleted[contact]["lists"]) == [promo]
    webhooks.delete_created()


def save_preferences(crm: RealFluentCRM, contact_id: int, old_email: str, **form: str) -> None:
    """The manage-subscription page's form (admin-ajax, as the contact: no credentials)."""
    secure_hash = crm.site.php(f"echo fluentCrmGetContactManagedHash({contact_id});").strip()
    answer = crm.visitor.post(f"{crm.site.url}/wp-admin/admin-ajax.php", timeout=60, data={
        "action": "fluentcrm_manage_preferences_ajax", "_secure_hash": secure_hash,
        "_abs_hash": hashlib.md5(old_email.encode()).hexdigest(), **form})
    assert answer.status_code == 200 and answer.json()["success"], answer.text[:500]


def test_contact_changes_fluentcrm_reports_without_their_own_hook_arrive_once(
        real_site: tuple[WordPressSite, Sidecar], receiver: Receiver) -> None:
    """Issue 10: custom fields, the property route and bulk actions, the manage-subscription page,
    WordPress user sync, bounces for unknown addresses, and a change repeated in one request."""
    site, _ = real_site
    crm, webhooks = RealFluentCRM(site), WebhooksApi(site)
    webhook = webhooks.create(url=receiver.url, events=CONTACT_EVENTS)
    a, b = crm.tag("A"), crm.tag("B")
    # The companies table, as turning on FluentCRM's company module creates it (the module stays off).
    company = int(site.php("""
        require_once FLUENTCRM_PLUGIN_PATH . 'database/migrations/CompaniesMigrator.php';
        \\FluentCrmMigrations\\CompaniesMigrator::migrate();
        echo \\FluentCrm\\App\\Models\\Company::create(array('name' => 'Acme ' . wp_generate_password(6, false)))->id;
    """).strip())

    # Custom fields: part of a creation; the editor alone, with a column, createOrUpdate().
    email = unique_email("doors")
    contact = crm.create_contact(email, first_name="Jo", last_name="Doe", custom_values={"color": "red"})
    crm.update_contact(contact, custom_values={"color": "blue", "size": "M"})
    crm.update_contact(contact, first_name="Al", custom_values={"color": "", "size": "M"})
    site.php(f"""FluentCrmApi('contacts')->createOrUpdate(array('email' => {json.dumps(email)},
                 'custom_values' => array('size' => 'L')));""")
    # The property route and the contact list's bulk actions.
    for column, value in [("contact_type", "customer"), ("avatar", "https://127.0.0.1/a.png")]:
        crm.call("PUT", "/subscribers/subscribers-property", property=column, subscribers=[contact], value=value)
    for action, value in [("add_to_company", company), ("remove_from_company", company)]:
        crm.call("POST", "/subscribers/do-bulk-action", action_name=action, subscriber_ids=[contact], new_status=value)
    crm.call("PUT", "/subscribers/subscribers-property", property="company_id", subscribers=[contact], value=company)
    crm.call("POST", "/subscribers/do-bulk-action", action_name="change_contact_type", subscriber_ids=[contact],
             new_status="lead")
    crm.call("POST", "/subscribers/do-bulk-action", action_name="update_custom_fields", subscriber_ids=[contact],
             custom_field={"key": "size", "value": "S"})
    # The manage-subscription page: a name, then an email (which moves the contact to pending).
    save_preferences(crm, contact, email, email=email, first_name="Joe", last_name="Doe")
    moved = unique_email("moved")
    save_preferences(crm, contact, email, email=moved, first_name="Joe", last_name="Doe")

    # WordPress user sync: the contact of a user follows the user's profile (by query).
    site.php("fluentcrm_update_option('user_syncing_settings', array('status' => 'yes'));")
    user_email = crm.register_user("synced")
    synced = crm.create_contact(user_email, first_name="Sam")
    user_id = int(site.php(f"echo get_user_by('email', {json.dumps(user_email)})->ID;").strip())
    renamed = unique_email("renamed")
    site.php(f"wp_update_user(array('ID' => {user_id}, 'first_name' => 'Synced'));")
    site.php(f"wp_update_user(array('ID' => {user_id}, 'user_email' => {json.dumps(renamed)}));")
    site.php("fluentcrm_update_option('user_syncing_settings', array('status' => 'no'));")

    # A bounce for an address no contact has: FluentCRM stores a bounced contact.
    nobody = unique_email("nobody")
    crm.ses_bounce(nobody)

    # One request: tag B added, A and B removed, B added again; a name Bo -> Al -> Bo.
    again_email = unique_email("again")
    again = crm.create_contact(again_email, first_name="Bo", tags=[a])
    site.php(f"""
        $contact = \\FluentCrm\\App\\Models\\Subscriber::find({again});
        $contact->attachTags(array({b}));
        $contact->detachTags(array({a}, {b}));
        $contact->attachTags(array({b}));
        foreach (array('Al', 'Bo') as $name) {{
            FluentCrmApi('contacts')->createOrUpdate(array('email' => {json.dumps(again_email)}, 'first_name' => $name));
        }}
    """)

    payloads = arrived_once(webhooks, webhook, receiver, Counter({
        "contact.created": 4, "contact.updated": 16, "contact.status_changed": 1, "contact.tag_added": 3,
        "contact.tag_removed": 1}))
    bounced = site.php(f"echo FluentCrmApi('contacts')->getContact({json.dumps(nobody)})->id;").strip()
    known = {contact: {email, moved}, synced: {user_email, renamed}, int(bounced): {nobody}, again: {again_email}}
    for payload in payloads:
        seen = payload["data"]["contact"]
        check_contact(seen, {seen["id"]: seen["email"]})
        assert seen["email"] in known[seen["id"]], seen

    def updates_of(contact_id: int) -> list[tuple[dict, dict]]:
        found = [(d["changes"], d["custom_fields"]) for d in of(payloads, "contact.updated")
                 if d["contact"]["id"] == contact_id]
        return sorted(found, key=json.dumps)

    assert updates_of(contact) == sorted([
        ({}, {"color": {"old": "red", "new": "blue"}, "size": {"old": None, "new": "M"}}),
        ({"first_name": "Al"}, {"color": {"old": "blue", "new": None}}),
        ({}, {"size": {"old": "M", "new": "L"}}),
        ({}, {"size": {"old": "L", "new": "S"}}),
        ({"contact_type": "customer"}, {}),
        ({"avatar": "https://127.0.0.1/a.png"}, {}),
        ({"company_id": company}, {}),
        ({"company_id": None}, {}),
        ({"company_id": company}, {}),
        ({"contact_type": "lead"}, {}),
        ({"first_name": "Joe"}, {}),
        ({"email": moved, "status": "pending"}, {}),
    ], key=json.dumps)
    [status] = of(payloads, "contact.status_changed")
    assert (status["contact"]["id"], status["old_status"], status["new_status"]) == (contact, "subscribed", "pending")

    # User sync also links the contact to the user (user_id) where it was not yet.
    sync_changes = [changes for changes, _ in updates_of(synced)]
    assert len(sync_changes) == 2 and all(set(c) - {"user_id"} for c in sync_changes), sync_changes
    assert sorted(({k: v for k, v in c.items() if k != "user_id"} for c in sync_changes), key=json.dumps) == sorted(
        [{"first_name": "Synced"}, {"email": renamed}], key=json.dumps)

    created = {d["contact"]["id"]: d["contact"] for d in of(payloads, "contact.created")}
    assert created[int(bounced)]["status"] == "bounced" and created[int(bounced)]["email"] == nobody

    assert updates_of(again) == [({"first_name": "Al"}, {}), ({"first_name": "Bo"}, {})]
    tag_changes = sorted((event, term_ids(d["tags"])) for event in ("contact.tag_added", "contact.tag_removed")
                         for d in of(payloads, event) if d["contact"]["id"] == again)
    assert tag_changes == [("contact.tag_added", [a]), ("contact.tag_added", [b]), ("contact.tag_added", [b]),
                           ("contact.tag_removed", sorted([a, b]))]
    webhooks.delete_created()


EMAIL_EVENTS = ["email.sent", "email.opened", "email.clicked", "email.unsubscribed", "email.bounced",
                "email.spam_complaint", "contact.status_changed"]


def test_emails_opens_clicks_unsubscribes_and_bounces_arrive_once(real_site: tuple[WordPressSite, Sidecar],
                                                                  receiver: Receiver) -> None:
    site, _ = real_site
    crm, webhooks = RealFluentCRM(site), WebhooksApi(site)
    emails = {}
    for name in ("reader", "clicker", "leaver", "quitter", "bouncer", "complainer"):
        address = unique_email(name)
        emails[crm.create_contact(address)] = address
    reader, clicker, leaver, quitter, bouncer, complainer = emails
    webhook = webhooks.create(url=receiver.url, events=EMAIL_EVENTS)

    body = '<p>Our offer: <a href="https://example.org/offer">have a look</a></p>'
    subjects = {contact: f"Hello {name} {crm.label}" for contact, name in
                ((reader, "reader"), (clicker, "clicker"), (leaver, "leaver"))}
    mails = {contact: crm.send_email(contact, subject, body) for contact, subject in subjects.items()}

    crm.visit(mails[reader].open_pixel)  # opened
    crm.visit(mails[reader].open_pixel)  # opened again: not an event
    for _ in range(2):  # every click is an event
        assert crm.visit(mails[reader].link("ns_url=")).headers["location"] == "https://example.org/offer"
    crm.visit(mails[clicker].link("ns_url="))  # a click on an unopened email opens it too
    crm.one_click_unsubscribe(mails[leaver])
    crm.unsubscribe_on_page(mails[clicker])
    crm.unsubscribe_on_page(mails[clicker])  # already unsubscribed: nothing changes
    site.php(f"\\FluentCrm\\App\\Models\\Subscriber::find({quitter})->updateStatus('unsubscribed');")  # no email
    crm.ses_bounce(emails[bouncer])
    crm.ses_complaint(emails[complainer])

    payloads = arrived_once(webhooks, webhook, receiver, Counter({
        "email.sent": 3, "email.opened": 2, "email.clicked": 3, "email.unsubscribed": 3, "email.bounced": 1,
        "email.spam_complaint": 1, "contact.status_changed": 5}))
    for payload in payloads:
        check_contact(payload["data"]["contact"], emails)

    sent = {d["contact"]["id"]: d["email"] for d in of(payloads, "email.sent")}
    assert set(sent) == set(subjects)
    for contact, email in sent.items():
        assert type(email["id"]) is int and email["contact_id"] == contact and email["subject"] == subjects[contact]
        assert email["campaign_id"] is None  # a one-off email from the profile belongs to no campaign
        assert email["sent_at"].endswith("Z")
    assert sorted(d["email"]["id"] for d in of(payloads, "email.opened")) == sorted([sent[reader]["id"],
                                                                                      sent[clicker]["id"]])
    clicks = of(payloads, "email.clicked")
    assert sorted(d["email"]["id"] for d in clicks) == sorted([sent[reader]["id"]] * 2 + [sent[clicker]["id"]])
    assert {d["email"]["url"] for d in clicks} == {"https://example.org/offer"}
    unsubscribed = {d["contact"]["id"]: d for d in of(payloads, "email.unsubscribed")}
    assert set(unsubscribed) == {leaver, clicker, quitter}
    assert unsubscribed[leaver]["source"] == "from_header" and unsubscribed[leaver]["email"]["id"] == sent[leaver]["id"]
    assert unsubscribed[clicker]["source"] == "web_ui" and unsubscribed[clicker]["email"]["id"] == sent[clicker]["id"]
    assert unsubscribed[quitter]["source"] is None and unsubscribed[quitter]["email"] is None
    [bounced] = of(payloads, "email.bounced")
    assert bounced["contact"]["id"] == bouncer and bounced["email"] is None and bounced["new_status"] == "bounced"
    [complaint] = of(payloads, "email.spam_complaint")
    assert complaint["contact"]["id"] == complainer and complaint["new_status"] == "complained"
    status_changes = sorted((d["contact"]["id"], d["old_status"], d["new_status"])
                            for d in of(payloads, "contact.status_changed"))
    assert status_changes == sorted([(leaver, "subscribed", "unsubscribed"), (clicker, "subscribed", "unsubscribed"),
                                     (quitter, "subscribed", "unsubscribed"), (bouncer, "subscribed", "bounced"),
                                     (complainer, "subscribed", "complained")])
    webhooks.delete_created()


CAMPAIGN_EVENTS = ["campaign.created", "campaign.paused", "campaign.resumed", "campaign.sent", "email.sent"]


def test_campaign_created_paused_resumed_and_sent_arrive_once(real_site: tuple[WordPressSite, Sidecar],
                                                             receiver: Receiver) -> None:
    site, _ = real_site
    crm, webhooks = RealFluentCRM(site), WebhooksApi(site)
    audience = crm.list("Audience")
    emails = {}
    for name in ("first", "second"):
        address = unique_email(name)
        emails[crm.create_contact(address, lists=[audience])] = address
    webhook = webhooks.create(url=receiver.url, events=CAMPAIGN_EVENTS)

    # The campaign screens: create, duplicate, compose and choose the recipients, schedule.
    title = f"Spring sale {crm.label}"
    campaign = crm.call("POST", "/campaigns", title=title)
    campaign_id = int(campaign["id"])
    copy_id = int(crm.call("POST", f"/campaigns/{campaign_id}/duplicate")["campaign"]["id"])
    settings = dict(campaign["settings"], sending_filter="list_tag",
                    subscribers=[{"list": str(audience), "tag": "all"}])
    crm.call("PUT", f"/campaigns/{campaign_id}", title=title, email_subject="Spring is here",
             email_body='<p>Sale: <a href="https://example.org/sale">now</a></p>', settings=settings)
    # Scheduled a moment ahead rather than "send now": "send now" queues the emails in a background
    # request, after which FluentCRM's background mailer may send them all before the screen's first
    # poll, and a finished campaign cannot be paused. The screen's polls move a scheduled campaign
    # along: processing-stat queues its emails, status turns it "working" once its time has come.
    start_at = site.php("echo wp_date('Y-m-d H:i:s', time() + 2);").strip()  # the site's local time
    crm.call("POST", f"/campaigns/{campaign_id}/schedule", scheduled_at=start_at)
    wait_until(lambda: crm.campaign_processing(campaign_id) == "scheduled", timeout=BACKGROUND_DEADLINE,
               interval=0.5, message="the campaign's emails to be queued")
    wait_until(lambda: crm.campaign_status(campaign_id) == "working", timeout=BACKGROUND_DEADLINE, interval=0.5,
               message="the campaign to be working")
    crm.call("POST", f"/campaigns/{campaign_id}/pause")
    crm.call("POST", f"/campaigns/{campaign_id}/resume")

    def finished() -> bool:
        crm.run_mailer()
        return crm.campaign_status(campaign_id) == "archived"

    wait_until(finished, timeout=BACKGROUND_DEADLINE, interval=1.0, message="the campaign to finish sending")

    payloads = arrived_once(webhooks, webhook, receiver, Counter({
        "campaign.created": 2, "campaign.paused": 1, "campaign.resumed": 1, "campaign.sent": 1, "email.sent": 2}))
    created = {d["campaign"]["id"]: d for d in of(payloads, "campaign.created")}
    assert set(created) == {campaign_id, copy_id}
    assert created[campaign_id]["campaign"]["title"] == title and "duplicated_from" not in created[campaign_id]
    assert created[copy_id]["duplicated_from"] == campaign_id
    [paused], [resumed], [sent] = (of(payloads, e) for e in ("campaign.paused", "campaign.resumed", "campaign.sent"))
    assert (paused["campaign"]["id"], paused["campaign"]["status"]) == (campaign_id, "paused")
    assert (resumed["campaign"]["id"], resumed["campaign"]["status"]) == (campaign_id, "working")
    assert (sent["campaign"]["id"], sent["campaign"]["status"]) == (campaign_id, "archived")
    assert sent["campaign"]["recipients_count"] == 2
    # FluentCRM keeps the site's local time; the payload carries UTC.
    assert sent["campaign"]["scheduled_at"] == site.php(
        f"echo get_gmt_from_date('{start_at}', 'Y-m-d\\TH:i:s\\Z');").strip()
    for data in of(payloads, "email.sent"):
        contact = check_contact(data["contact"], emails)
        assert data["email"]["campaign_id"] == campaign_id and data["email"]["contact_id"] == contact
        assert data["email"]["subject"] == "Spring is here"
    assert sorted(d["contact"]["id"] for d in of(payloads, "email.sent")) == sorted(emails)
    webhooks.delete_created()


FUNNEL_EVENTS = ["funnel.subscriber_added", "funnel.subscriber_completed", "funnel.subscriber_exited"]


def test_automation_entries_completions_and_exits_arrive_once(real_site: tuple[WordPressSite, Sidecar],
                                                              receiver: Receiver) -> None:
    site, _ = real_site
    crm, webhooks = RealFluentCRM(site), WebhooksApi(site)
    goal, welcomed = crm.tag("Goal reached"), crm.tag("Welcomed")
    # The automation editor: "New User Sign Up" -> wait 2 days -> goal "tag applied" -> apply a tag.
    title = f"Onboarding {crm.label}"
    funnel = int(crm.call("POST", "/funnels", funnel={"title": title, "trigger_name": "user_register"})["funnel"]["id"])
    steps = [
        {"type": "action", "action_name": "fluentcrm_wait_times", "title": "Wait",
         "settings": {"wait_type": "unit_wait", "wait_time_amount": 2, "wait_time_unit": "days"}},
        {"type": "benchmark", "action_name": "fluentcrm_contact_added_to_tags", "title": "Goal",
         "settings": {"tags": [goal], "select_type": "any", "type": "optional", "can_enter": "yes"}},
        {"type": "action", "action_name": "add_contact_to_tag", "title": "Welcome",
         "settings": {"tags": [welcomed]}},
    ]
    crm.call("POST", f"/funnels/{funnel}/sequences", status="published", sequences=json.dumps(steps),
             funnel_settings=json.dumps({"subscription_status": "subscribed"}),
             conditions=json.dumps({"update_type": "update", "user_roles": []}))
    webhook = webhooks.create(url=receiver.url, events=FUNNEL_EVENTS)

    # Six sign-ups enter by the trigger (and wait two days); one contact enters by the goal.
    emails = {}
    for name in ("achiever", "leaver", "cancelled", "removed", "deleted", "stayer"):
        address = crm.register_user(name)
        emails[crm.contact_id(address)] = address
    achiever, leaver, cancelled, removed, deleted, stayer = emails
    goal_email = unique_email("goal")
    by_goal = crm.create_contact(goal_email)
    emails[by_goal] = goal_email

    crm.update_contact(achiever, attach_tags=[goal])  # reaches the goal, then the end
    crm.update_contact(by_goal, attach_tags=[goal])  # enters at the goal, then the end
    site.php(f"\\FluentCrm\\App\\Models\\Subscriber::find({leaver})->updateStatus('unsubscribed');")
    crm.call("PUT", f"/funnels/{funnel}/subscribers/{cancelled}/status", status="cancelled")
    crm.call("DELETE", f"/funnels/{funnel}/subscribers", subscriber_ids=[removed])
    crm.delete_contact(deleted)
    crm.call("DELETE", f"/funnels/{funnel}")  # the stayer is still waiting in it

    payloads = arrived_once(webhooks, webhook, receiver, Counter({
        "funnel.subscriber_added": 7, "funnel.subscriber_completed": 2, "funnel.subscriber_exited": 5}))
    for payload in payloads:
        check_contact(payload["data"]["contact"], emails)
        assert payload["data"]["funnel"] == {"id": funnel, "title": title}
    assert sorted(d["contact"]["id"] for d in of(payloads, "funnel.subscriber_added")) == sorted(emails)
    completed = sorted(d["contact"]["id"] for d in of(payloads, "funnel.subscriber_completed"))
    assert completed == sorted([achiever, by_goal])
    assert sorted((d["contact"]["id"], d["reason"]) for d in of(payloads, "funnel.subscriber_exited")) == sorted([
        (leaver, "contact_unsubscribed"), (cancelled, "cancelled"), (removed, "removed"),
        (deleted, "contact_deleted"), (stayer, "funnel_deleted")])
    webhooks.delete_created()


def test_real_fluentcrm_keeps_its_incoming_webhooks_screen(real_site: tuple[WordPressSite, Sidecar]) -> None:
    site, _ = real_site
    ours = site.session().get(site.rest_url(SEED), timeout=60)
    assert ours.status_code == 200 and set(ours.json()) == {"webhooks"}
    theirs = site.cookie_session().get(site.rest_url(SEED), timeout=60)
    assert theirs.status_code == 200 and set(theirs.json()) > {"webhooks"}, theirs.text[:500]


# -- bulk removals with no hook per contact (issue 10: items 6, 7, 8) --------------------------------
def test_deleting_tags_and_lists_reports_each_contact_once(real_site: tuple[WordPressSite, Sidecar],
                                                          receiver: Receiver) -> None:
    site, _ = real_site
    crm, webhooks = RealFluentCRM(site), WebhooksApi(site)
    vip, gold = crm.tag("Doomed VIP"), crm.tag("Doomed Gold")
    news, promo = crm.list("Doomed News"), crm.list("Doomed Promo")
    emails = {}
    for name, tags, lists in (("both", [vip, gold], [news, promo]), ("one", [vip], [news])):
        address = unique_email(name)
        emails[crm.create_contact(address, tags=tags, lists=lists)] = address
    both, one = emails
    webhook = webhooks.create(url=receiver.url, events=["contact.tag_removed", "contact.list_removed"])

    crm.call("DELETE", f"/tags/{vip}")  # a model delete, then the bulk pivot delete
    crm.call("POST", "/tags/do-bulk-action", tagIds=[gold])  # a query delete
    crm.call("DELETE", f"/lists/{news}")
    crm.call("POST", "/lists/do-bulk-action", listIds=[promo])

    payloads = arrived_once(webhooks, webhook, receiver, Counter({"contact.tag_removed": 3,
                                                                  "contact.list_removed": 3}))
    for payload in payloads:
        check_contact(payload["data"]["contact"], emails)
    removed = sorted((p["event"], p["data"]["contact"]["id"], term_ids(p["data"].get("tags") or p["data"]["lists"]))
                     for p in payloads)
    assert removed == sorted([("contact.tag_removed", both, [vip]), ("contact.tag_removed", one, [vip]),
                              ("contact.tag_removed", both, [gold]), ("contact.list_removed", both, [news]),
                              ("contact.list_removed", one, [news]), ("contact.list_removed", both, [promo])])
    titles = {term["id"]: term["title"] for p in payloads for term in p["data"].get("tags") or p["data"]["lists"]}
    assert titles == {vip: f"Doomed VIP {crm.label}", gold: f"Doomed Gold {crm.label}",
                      news: f"Doomed News {crm.label}", promo: f"Doomed Promo {crm.label}"}
    for data in of(payloads, "contact.list_removed"):  # the contact as it is now: the list is gone
        [removed_list] = term_ids(data["lists"])
        assert removed_list not in term_ids(data["contact"]["lists"])
    webhooks.delete_created()


def test_bulk_funnel_removals_pending_contacts_and_empty_automations(real_site: tuple[WordPressSite, Sidecar],
                                                                    receiver: Receiver) -> None:
    site, _ = real_site
    crm, webhooks = RealFluentCRM(site), WebhooksApi(site)

    def automation(title: str, steps: list[dict]) -> int:
        """A published "New User Sign Up" automation whose new contacts wait for their double opt-in."""
        funnel = int(crm.call("POST", "/funnels", funnel={"title": f"{title} {crm.label}",
                                                          "trigger_name": "user_register"})["funnel"]["id"])
        crm.call("POST", f"/funnels/{funnel}/sequences", status="published", sequences=json.dumps(steps),
                 funnel_settings=json.dumps({"subscription_status": "pending"}),
                 conditions=json.dumps({"update_type": "update", "user_roles": []}))
        return funnel

    waiting = automation("Opt-in first", [{"type": "action", "action_name": "fluentcrm_wait_times", "title": "Wait",
                                           "settings": {"wait_type": "unit_wait", "wait_time_amount": 2,
                                                        "wait_time_unit": "days"}}])
    empty = automation("No steps yet", [])  # FluentCRM creates each entry's row and deletes it at once
    webhook = webhooks.create(url=receiver.url, events=FUNNEL_EVENTS)

    emails = {}
    for name in ("deleted", "removed", "stayer"):
        address = crm.register_user(name)
        emails[crm.contact_id(address)] = address
    deleted, removed, stayer = emails
    rows = crm.call("GET", f"/funnels/{waiting}/subscribers")["funnel_subscribers"]["data"]
    assert {int(row["subscriber_id"]): row["status"] for row in rows} == dict.fromkeys(emails, "pending")
    row_of = {int(row["subscriber_id"]): int(row["id"]) for row in rows}

    crm.delete_contact(deleted)  # a pending row, deleted with its contact
    crm.call("POST", "/funnels/remove-bulk-subscribers", funnel_subscriber_ids=[row_of[removed]])
    crm.call("POST", "/funnels/do-bulk-action", action_name="delete_funnels", funnel_ids=[waiting, empty])

    payloads = arrived_once(webhooks, webhook, receiver, Counter({"funnel.subscriber_added": 3,
                                                                  "funnel.subscriber_exited": 3}))
    for payload in payloads:
        check_contact(payload["data"]["contact"], emails)
        assert payload["data"]["funnel"] == {"id": waiting, "title": f"Opt-in first {crm.label}"}
    assert sorted(d["contact"]["id"] for d in of(payloads, "funnel.subscriber_added")) == sorted(emails)
    assert sorted((d["contact"]["id"], d["reason"]) for d in of(payloads, "funnel.subscriber_exited")) == sorted([
        (deleted, "contact_deleted"), (removed, "removed"), (stayer, "funnel_deleted")])
    webhooks.delete_created()
