"""The traps of fluentcrm-events.md, one by one: hook forms that differ between releases, status
changes reported through several paths, stale models, events FluentCRM has no hook for."""

from __future__ import annotations

import json
from collections import Counter

import pytest

from tests.support.receiver import Receiver
from tests.support.wordpress import WordPressSite
from tests.wordpress.standin import FluentCRM, unique_email
from tests.wordpress.webhooks import WebhooksApi, delivered

ALL_CONTACT_AND_EMAIL = ["contact.created", "contact.updated", "contact.status_changed", "contact.tag_added",
                         "contact.list_added", "email.bounced", "email.spam_complaint", "email.unsubscribed"]


def logged(webhooks: WebhooksApi, webhook: dict) -> Counter:
    return Counter(d["event"] for d in webhooks.deliveries(webhook["id"]))


@pytest.mark.parametrize(("release", "silent", "tag_events"), [
    ("2.9.84", True, 2),   # "import silently" suppresses only the old-style hooks
    ("2.9.84", False, 2),
    ("2.9.65", True, 0),   # 2.9.65 has no new-style hooks: a silent import fires no tag hook at all
    ("2.9.65", False, 2),
])
def test_imported_contacts(release: str, silent: bool, tag_events: int, crm: FluentCRM, webhooks: WebhooksApi,
                           receiver: Receiver) -> None:
    webhook = webhooks.create(url=receiver.url, events=["contact.created", "contact.tag_added"])
    crm.set_release(release)
    tag = crm.tag("Imported")
    rows = [{"email": unique_email("import"), "tags": [tag]} for _ in range(2)]
    ids = crm.import_contacts(rows, silent=silent)

    assert logged(webhooks, webhook) == Counter({"contact.created": 2, "contact.tag_added": tag_events})
    receiver.wait_for(2 + tag_events)
    assert sorted(d.data["contact"]["id"] for d in delivered(receiver) if d.event == "contact.created") == sorted(ids)


def test_each_status_path_reports_a_change_once(crm: FluentCRM, webhooks: WebhooksApi, receiver: Receiver) -> None:
    webhook = webhooks.create(url=receiver.url, events=ALL_CONTACT_AND_EMAIL)
    contact = crm.create_contact(unique_email("status"))
    cid = int(contact["id"])

    crm.update_contact(cid, status="pending")  # PUT /subscribers/{id}: only contact_updated fires
    crm.create_or_update(email=contact["email"], status="subscribed")  # buggy empty status hook + status_to
    crm.create_or_update(email=contact["email"], status="transactional")  # no status hook at all
    crm.set_status_as_admin([cid], "unsubscribed")  # status_to first, then status_changed
    crm.unsubscribe(cid, source="web_ui")  # already unsubscribed: the "before" hook only, no change

    counts = logged(webhooks, webhook)
    assert counts == Counter({"contact.created": 1, "contact.updated": 3, "contact.status_changed": 4,
                              "email.unsubscribed": 1})
    receiver.wait_for(sum(counts.values()))
    changes = [(d.data["old_status"], d.data["new_status"]) for d in delivered(receiver)
               if d.event == "contact.status_changed"]
    assert sorted(changes) == sorted([("subscribed", "pending"), ("pending", "subscribed"),
                                      ("subscribed", "transactional"), ("transactional", "unsubscribed")])
    [unsubscribed] = [d.data for d in delivered(receiver) if d.event == "email.unsubscribed"]
    assert unsubscribed["email"] is None and unsubscribed["source"] is None
    assert unsubscribed["contact"]["status"] == "unsubscribed"


@pytest.mark.parametrize("complaint", ["complained", "spammed"])
def test_bounces_and_complaints_are_email_events(complaint: str, crm: FluentCRM, webhooks: WebhooksApi,
                                                 receiver: Receiver) -> None:
    webhook = webhooks.create(url=receiver.url, events=["email.bounced", "email.spam_complaint"])
    bouncing, complaining = crm.create_contact(unique_email("b")), crm.create_contact(unique_email("c"))
    crm.bounce(bouncing["email"], "bounced")
    crm.bounce(complaining["email"], complaint)
    assert logged(webhooks, webhook) == Counter({"email.bounced": 1, "email.spam_complaint": 1})
    receiver.wait_for(2)
    by_event = {d.event: d.data for d in delivered(receiver)}
    assert by_event["email.bounced"]["contact"]["email"] == bouncing["email"]
    assert by_event["email.spam_complaint"]["new_status"] == complaint


def test_sent_emails_are_read_again_and_batches_mix_campaign_and_one_off_emails(
        crm: FluentCRM, webhooks: WebhooksApi, receiver: Receiver) -> None:
    webhook = webhooks.create(url=receiver.url, events=["email.sent", "email.opened", "email.clicked"])
    contacts = [int(crm.create_contact(unique_email("mail"))["id"]) for _ in range(3)]
    campaign = int(crm.create_campaign("Digest")["id"])
    crm.add_recipients(campaign, contacts)
    one_off = crm.queue_one_off_email(contacts[0], "Your invoice")
    sent_ids = sorted(crm.send_emails())
    [campaign_email, other_email, third_email] = [i for i in sent_ids if i != one_off]
    crm.open_email(campaign_email)
    crm.open_email(campaign_email)  # a second open fires nothing
    crm.click_email(other_email, "https://example.com/a")  # first click on an unopened email opens it
    crm.click_email(other_email, "https://example.com/b")
    counts = logged(webhooks, webhook)
    assert counts == Counter({"email.sent": 4, "email.opened": 2, "email.clicked": 2})
    receiver.wait_for(8)
    sent = {d.data["email"]["id"]: d.data["email"] for d in delivered(receiver) if d.event == "email.sent"}
    assert sent[one_off]["campaign_id"] is None and sent[one_off]["subject"] == "Your invoice"
    assert sent[third_email]["campaign_id"] == campaign
    clicks = [d.data["email"]["url"] for d in delivered(receiver) if d.event == "email.clicked"]
    assert sorted(clicks) == ["https://example.com/a", "https://example.com/b"]


def test_cancelled_emails_of_a_batch_are_not_sent_events(crm: FluentCRM, webhooks: WebhooksApi,
                                                         receiver: Receiver) -> None:
    webhook = webhooks.create(url=receiver.url, events=["email.sent"])
    contacts = [int(crm.create_contact(unique_email("batch"))["id"]) for _ in range(3)]
    campaign = int(crm.create_campaign("Batch")["id"])
    crm.add_recipients(campaign, contacts)
    queued_ids = sorted(int(i) for i in crm.site.php_json(
        f"FluentCrm\\App\\Models\\CampaignEmail::where('campaign_id', {campaign})->pluck('id')"))
    sent = crm.send_emails(cancel_ids=[queued_ids[1]])
    assert sorted(sent) == [queued_ids[0], queued_ids[2]]
    assert logged(webhooks, webhook) == Counter({"email.sent": 2})
    receiver.wait_for(2)
    assert sorted(d.data["email"]["id"] for d in delivered(receiver)) == [queued_ids[0], queued_ids[2]]


def test_campaign_lifecycle_events(crm: FluentCRM, webhooks: WebhooksApi, receiver: Receiver) -> None:
    webhook = webhooks.create(url=receiver.url, events=["campaign.created", "campaign.sent", "campaign.paused",
                                                         "campaign.resumed"])
    contact = int(crm.create_contact(unique_email("camp"))["id"])
    campaign = int(crm.create_campaign("Spring")["id"])
    copy = int(crm.duplicate_campaign(campaign)["id"])
    crm.add_recipients(campaign, [contact])
    assert crm.pause_campaign(campaign) is False  # only a working campaign pauses
    crm.start_campaign(campaign)  # draft -> scheduled -> working: neither a pause nor a resume
    assert crm.pause_campaign(campaign) and crm.resume_campaign(campaign)
    crm.send_emails()
    assert crm.poll_campaign(campaign) == "archived"
    crm.hourly_archive(campaign)  # FluentCRM's hourly job reports the same campaign again, stale
    crm.hourly_archive(copy)  # ... and one that finished without the admin polling (stale status)

    assert logged(webhooks, webhook) == Counter({"campaign.created": 2, "campaign.sent": 2, "campaign.paused": 1,
                                                 "campaign.resumed": 1})
    receiver.wait_for(6)
    created = {d.data["campaign"]["id"]: d.data for d in delivered(receiver) if d.event == "campaign.created"}
    assert created[copy]["duplicated_from"] == campaign and "duplicated_from" not in created[campaign]
    sent = [d.data["campaign"] for d in delivered(receiver) if d.event == "campaign.sent"]
    assert sorted(c["id"] for c in sent) == [campaign, copy] and {c["status"] for c in sent} == {"archived"}


def test_funnel_exits_are_derived_from_every_path(crm: FluentCRM, webhooks: WebhooksApi, receiver: Receiver) -> None:
    webhook = webhooks.create(url=receiver.url, events=["funnel.subscriber_exited"])
    leaving_contact = crm.create_contact(unique_email("leaving"))
    leaving = int(leaving_contact["id"])
    active = crm.create_funnel("Active row")
    status_triggered = crm.create_funnel("Reacts to status", trigger_name="fluent_crm/subscriber_status_changed")
    waiting = crm.create_funnel("Waiting at a goal")
    for funnel, status in ((active, "active"), (status_triggered, "active"), (waiting, "waiting")):
        crm.enter_funnel(funnel, leaving, status=status)
    crm.bounce(leaving_contact["email"], "bounced")  # FluentCRM cancels only the first funnel's row

    stayer = int(crm.create_contact(unique_email("stayer"))["id"])
    cancelled = crm.create_funnel("Cancelled by admin")
    removed = crm.create_funnel("Removed by admin")
    deleted = crm.create_funnel("Deleted funnel")
    for funnel in (cancelled, removed, deleted):
        crm.enter_funnel(funnel, stayer)
    other = int(crm.create_contact(unique_email("other"))["id"])
    crm.enter_funnel(deleted, other)
    crm.set_funnel_row_status(cancelled, stayer, "cancelled")
    crm.remove_from_funnel(removed, [stayer])
    crm.delete_funnel(deleted)

    doomed = int(crm.create_contact(unique_email("doomed"))["id"])
    in_progress = crm.create_funnel("Contact deleted")
    crm.enter_funnel(in_progress, doomed)
    crm.delete_contacts([str(doomed)])  # bulk delete passes the ids as the client sent them

    assert logged(webhooks, webhook) == Counter({"funnel.subscriber_exited": 6})
    receiver.wait_for(6)
    exits = sorted((d.data["funnel"]["id"], d.data["contact"]["id"], d.data["reason"]) for d in delivered(receiver))
    assert exits == sorted([
        (active, leaving, "contact_bounced"),
        (cancelled, stayer, "cancelled"),
        (removed, stayer, "removed"),
        (deleted, stayer, "funnel_deleted"),
        (deleted, other, "funnel_deleted"),
        (in_progress, doomed, "contact_deleted"),
    ])
    titles = {d.data["funnel"]["id"]: d.data["funnel"]["title"] for d in delivered(receiver)}
    assert titles[deleted] == "Deleted funnel"  # read before the funnel was deleted


def test_funnel_entries_completions_and_sequences(crm: FluentCRM, webhooks: WebhooksApi, receiver: Receiver) -> None:
    webhook = webhooks.create(url=receiver.url, events=["funnel.subscriber_added", "funnel.subscriber_completed",
                                                         "funnel.sequence_completed"])
    contact = int(crm.create_contact(unique_email("funnel"))["id"])
    by_trigger, by_goal = crm.create_funnel("By trigger"), crm.create_funnel("By goal")
    crm.enter_funnel(by_trigger, contact, via="start")  # start hook + model event: one entry
    crm.enter_funnel(by_goal, contact, via="goal")  # no start hook: the model event alone
    crm.enter_funnel(crm.create_funnel("Pending"), contact, via="start", status="pending")
    crm.complete_funnel(by_trigger, contact, twice=True)
    sequence = crm.create_sequence("Drip")
    crm.complete_sequence(sequence, contact)

    assert logged(webhooks, webhook) == Counter({"funnel.subscriber_added": 3, "funnel.subscriber_completed": 1,
                                                 "funnel.sequence_completed": 1})
    receiver.wait_for(5)
    [sequence_done] = [d.data for d in delivered(receiver) if d.event == "funnel.sequence_completed"]
    assert sequence_done["sequence"] == {"id": sequence, "title": "Drip"} and sequence_done["contact"]["id"] == contact


def test_store_orders_from_woocommerce_and_fluentcart(crm: FluentCRM, webhooks: WebhooksApi,
                                                     receiver: Receiver) -> None:
    webhook = webhooks.create(url=receiver.url, events=["commerce.order_created", "commerce.order_completed",
                                                         "commerce.order_refunded", "commerce.revenue_recorded"])
    customer = crm.create_contact(unique_email("buyer"))
    campaign = int(crm.create_campaign("Sale")["id"])
    woo = crm.woo_order(customer["email"], "10.00", id_only=True)  # some code passes the id alone
    crm.woo_complete(woo)  # not attributed: no revenue
    guest = crm.woo_order(unique_email("guest"), "5.50")  # no FluentCRM contact for this buyer
    cart = crm.cart_order(customer["email"], "25.00", currency="GBP", fc_cid=campaign)
    crm.cart_complete(cart)
    crm.cart_refund(cart)

    assert logged(webhooks, webhook) == Counter({"commerce.order_created": 3, "commerce.order_completed": 2,
                                                 "commerce.order_refunded": 1, "commerce.revenue_recorded": 1})
    receiver.wait_for(7)
    orders = {(d.event, d.data["order"]["provider"], d.data["order"]["id"]): d.data for d in delivered(receiver)}
    assert orders[("commerce.order_created", "woocommerce", woo)]["contact"]["id"] == int(customer["id"])
    assert orders[("commerce.order_created", "woocommerce", guest)]["contact"] is None
    cart_created = orders[("commerce.order_created", "fluentcart", cart)]
    assert cart_created["order"]["total"] == 25.0 and cart_created["order"]["currency"] == "GBP"  # from cents
    revenue = orders[("commerce.revenue_recorded", "fluentcart", cart)]
    assert revenue["campaign"]["id"] == campaign and revenue["amount"] == 25.0


def test_types_nobody_subscribes_to_are_not_sent(wordpress: WordPressSite, crm: FluentCRM, webhooks: WebhooksApi,
                                                 receiver: Receiver) -> None:
    webhooks.create(url=receiver.url, events=["contact.created"])
    webhooks.create(url=receiver.url, events=["contact.tag_added"], status="inactive")
    before = intake_count(wordpress)
    crm.create_contact(unique_email("filtered"), tags=[crm.tag("Ignored")], lists=[crm.list("Ignored too")])
    # One event reached the sidecar: contact.created. tag_added (only an inactive webhook wants it)
    # and list_added (nobody) were never built nor sent.
    assert intake_count(wordpress) == before + 1
    [only] = receiver.wait_for(1)
    assert only.headers["x-fluentcrm-event"] == "contact.created"


def intake_count(site: WordPressSite) -> int:
    """Event ids the sidecar has taken in (its fcwh_events table, in the site's database)."""
    [(count,)] = site.sql("SELECT COUNT(*) FROM wp_fcwh_events")
    return int(count)


# -- doors through which contacts change with no hook of their own (issue 10) -----------------------
def updates(receiver: Receiver) -> list[tuple[int, dict, dict]]:
    """(contact id, changes, custom_fields) of each contact.updated delivered, sorted (deliveries
    run in parallel: the order they arrive in says nothing)."""
    found = [(d.data["contact"]["id"], d.data["changes"], d.data["custom_fields"])
             for d in delivered(receiver) if d.event == "contact.updated"]
    return sorted(found, key=json.dumps)


def test_custom_fields_and_properties_saved_without_contact_updated(wordpress: WordPressSite, crm: FluentCRM,
                                                                     webhooks: WebhooksApi, receiver: Receiver) -> None:
    webhook = webhooks.create(url=receiver.url, events=["contact.created", "contact.updated"])
    contact = crm.create_contact(unique_email("custom"), custom_values={"color": "red"})  # part of its creation
    cid = int(contact["id"])

    # The editor: custom fields alone (no contact_updated at all), then with a column (one event).
    crm.update_contact(cid, custom_values={"color": "blue", "size": "M"})
    crm.update_contact(cid, first_name="Al", custom_values={"color": "", "size": "M", "unset": ""})
    # createOrUpdate(): contact_updated with an empty dirty set carries them.
    crm.create_or_update(email=contact["email"], custom_values={"size": "L"})
    # Outside REST and with no contact_updated after (an import of existing contacts): at the end.
    wordpress.php(f"\\FcStandin\\sync_custom_values(\\FluentCrm\\App\\Models\\Subscriber::find({cid}),"
                  " array('size' => 'XL'), false);")
    # The property route and bulk actions save with no contact_updated.
    crm.call("PUT", "/subscribers/subscribers-property", property="contact_type", subscribers=[cid], value="customer")
    crm.call("PUT", "/subscribers/subscribers-property", property="avatar", subscribers=[cid],
             value="https://127.0.0.1/a.png")
    for action, value in [("add_to_company", 5), ("remove_from_company", 5), ("change_contact_type", "lead")]:
        crm.call("POST", "/subscribers/do-bulk-action", action_name=action, subscriber_ids=[cid], new_status=value)
    for value in ["S", "S"]:  # the second one changes nothing
        crm.call("POST", "/subscribers/do-bulk-action", action_name="update_custom_fields", subscriber_ids=[cid],
                 custom_field={"key": "size", "value": value})

    assert logged(webhooks, webhook) == Counter({"contact.created": 1, "contact.updated": 10})
    receiver.wait_for(11)
    assert updates(receiver) == sorted([
        (cid, {}, {"color": {"old": "red", "new": "blue"}, "size": {"old": None, "new": "M"}}),
        (cid, {"first_name": "Al"}, {"color": {"old": "blue", "new": None}}),
        (cid, {}, {"size": {"old": "M", "new": "L"}}),
        (cid, {}, {"size": {"old": "L", "new": "XL"}}),
        (cid, {}, {"size": {"old": "XL", "new": "S"}}),
        (cid, {"contact_type": "customer"}, {}),
        (cid, {"avatar": "https://127.0.0.1/a.png"}, {}),
        (cid, {"company_id": 5}, {}),
        (cid, {"company_id": None}, {}),
        (cid, {"contact_type": "lead"}, {}),
    ], key=json.dumps)


def test_preferences_page_user_sync_and_bounces_of_unknown_addresses(wordpress: WordPressSite, crm: FluentCRM,
                                                                      webhooks: WebhooksApi, receiver: Receiver) -> None:
    webhook = webhooks.create(url=receiver.url, events=["contact.created", "contact.updated", "contact.status_changed"])
    contact = crm.create_contact(unique_email("prefs"), first_name="Jo")
    cid, visitor = int(contact["id"]), wordpress.session(None)

    def save_preferences(email: str, first_name: str) -> None:
        answer = visitor.post(f"{wordpress.url}/wp-admin/admin-ajax.php", timeout=60, data={
            "action": "fluentcrm_manage_preferences_ajax", "_secure_hash": contact["hash"], "email": email,
            "first_name": first_name, "last_name": ""})
        assert answer.status_code == 200 and answer.json()["success"], answer.text[:500]

    save_preferences(contact["email"], "Joe")  # a name: one save, no hook
    moved = unique_email("moved")
    save_preferences(moved, "Joe")  # a new email also moves the contact to pending

    # WordPress user sync: FluentCRM updates the contact by query on profile_update.
    wordpress.set_option("fcstandin_user_sync", "yes")
    user_email = unique_email("wp-user")
    user_id = int(wordpress.php(f"echo wp_insert_user(array('user_login' => 'u' . wp_generate_password(8, false),"
                                f" 'user_email' => '{user_email}', 'user_pass' => wp_generate_password()));"))
    synced = int(crm.create_contact(user_email, user_id=user_id)["id"])
    renamed = unique_email("renamed")
    wordpress.php(f"wp_update_user(array('ID' => {user_id}, 'first_name' => 'Synced'));"
                  f"wp_update_user(array('ID' => {user_id}, 'user_email' => '{renamed}'));")
    wordpress.delete_option("fcstandin_user_sync")

    bounced = crm.bounce(unique_email("unknown"), "bounced")  # stored as a new, bounced contact

    assert logged(webhooks, webhook) == Counter({"contact.created": 3, "contact.updated": 4,
                                                 "contact.status_changed": 1})
    receiver.wait_for(8)
    assert updates(receiver) == sorted([
        (cid, {"first_name": "Joe"}, {}),
        (cid, {"email": moved, "status": "pending"}, {}),
        (synced, {"first_name": "Synced"}, {}),
        (synced, {"email": renamed}, {}),
    ], key=json.dumps)
    [status] = [d.data for d in delivered(receiver) if d.event == "contact.status_changed"]
    assert (status["contact"]["id"], status["old_status"], status["new_status"]) == (cid, "subscribed", "pending")
    created = {d.data["contact"]["id"]: d.data["contact"] for d in delivered(receiver) if d.event == "contact.created"}
    assert created[int(bounced["id"])]["status"] == "bounced"


@pytest.mark.parametrize("release", ["2.9.84", "2.9.65"])
def test_a_change_repeated_in_one_request_is_reported_each_time(release: str, wordpress: WordPressSite,
                                                                 crm: FluentCRM, webhooks: WebhooksApi,
                                                                 receiver: Receiver) -> None:
    webhook = webhooks.create(url=receiver.url, events=["contact.updated", "contact.tag_added", "contact.tag_removed"])
    crm.set_release(release)
    a, b = crm.tag("A"), crm.tag("B")
    cid = int(crm.create_contact(unique_email("again"), first_name="Bo", tags=[a])["id"])
    # One request; each step fires both hook forms on 2.9.84 (twins), the old ones on 2.9.65.
    wordpress.php(f"""
        $c = \\FluentCrm\\App\\Models\\Subscriber::find({cid});
        \\FcStandin\\attach_terms($c, 'tags', array({b}));
        \\FcStandin\\detach_terms($c, 'tags', array({a}, {b}));
        \\FcStandin\\attach_terms($c, 'tags', array({b}));
        \\FcStandin\\update_contact($c, array('first_name' => 'Al'));
        \\FcStandin\\update_contact($c, array('first_name' => 'Bo'));
    """)
    # Besides A at the creation: B added, A and B removed, B added again; Al, then Bo again.
    assert logged(webhooks, webhook) == Counter({"contact.tag_added": 3, "contact.tag_removed": 1,
                                                 "contact.updated": 2})
    receiver.wait_for(6)
    assert updates(receiver) == [(cid, {"first_name": "Al"}, {}), (cid, {"first_name": "Bo"}, {})]
    removed = [d.data["tags"] for d in delivered(receiver) if d.event == "contact.tag_removed"]
    assert [sorted(t["id"] for t in tags) for tags in removed] == [sorted([a, b])]
