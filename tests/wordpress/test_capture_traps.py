"""The traps of fluentcrm-events.md, one by one: hook forms that differ between releases, status
changes reported through several paths, stale models, events FluentCRM has no hook for."""

from __future__ import annotations

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
