"""Every FluentCRM change reaches a subscribed receiver as one signed event with its data, on
both FluentCRM releases whose hooks differ (2.9.84: old and new hook forms; 2.9.65: old-style tag
and list hooks only, contact_created twice)."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta, timezone

import pytest

from fluentcrm_webhooks.events import EVENT_TYPES
from tests.support.receiver import Receiver
from tests.wordpress.standin import FluentCRM, unique_email
from tests.wordpress.webhooks import Delivered, WebhooksApi, delivered

RELEASES = ["2.9.84", "2.9.65"]
CONTACT_KEYS = {"id", "email", "first_name", "last_name", "status", "phone", "created_at", "updated_at",
                "tags", "lists"}
EMAIL_KEYS = {"id", "subject", "contact_id", "campaign_id"}
CAMPAIGN_KEYS = {"id", "title", "status", "recipients_count", "scheduled_at"}
ORDER_KEYS = {"id", "status", "total", "currency", "provider"}
# The site runs in Asia/Kolkata (tests/support/wordpress.py): FluentCRM's local times are +05:30.
SITE_OFFSET = timedelta(hours=5, minutes=30)

# What the scenario below changes, and so the events it must produce: one per change.
EXPECTED = Counter({
    "contact.created": 3, "contact.updated": 1, "contact.deleted": 1, "contact.status_changed": 3,
    "contact.tag_added": 1, "contact.tag_removed": 1, "contact.list_added": 1, "contact.list_removed": 1,
    "email.sent": 1, "email.opened": 1, "email.clicked": 1, "email.bounced": 1, "email.spam_complaint": 1,
    "email.unsubscribed": 1,
    "campaign.created": 1, "campaign.sent": 1, "campaign.paused": 1, "campaign.resumed": 1,
    "funnel.subscriber_added": 2, "funnel.subscriber_completed": 1, "funnel.subscriber_exited": 1,
    "funnel.sequence_completed": 1,
    "commerce.order_created": 1, "commerce.order_completed": 1, "commerce.order_refunded": 1,
    "commerce.revenue_recorded": 1,
})


def drive_every_event(crm: FluentCRM) -> dict:
    """One pass through everything FluentCRM (and a store) can report; returns the ids involved."""
    tag_a, tag_b, list_a = crm.tag("VIP"), crm.tag("Lead"), crm.list("Newsletter")
    contact = crm.create_contact(unique_email("main"), first_name="Ada", last_name="Lovelace",
                                 phone="+44 20 7946 0000", tags=[tag_a], lists=[list_a])
    cid = int(contact["id"])
    crm.update_contact(cid, first_name="Augusta")
    crm.change_terms(cid, detach_tags=[tag_a], detach_lists=[list_a])

    campaign = crm.create_campaign("Launch")
    campaign_id = int(campaign["id"])
    crm.add_recipients(campaign_id, [cid])
    crm.start_campaign(campaign_id)
    crm.pause_campaign(campaign_id)
    crm.resume_campaign(campaign_id)
    [email_id] = crm.send_emails()
    crm.open_email(email_id)
    crm.click_email(email_id, "https://example.com/launch?utm=1")
    assert crm.poll_campaign(campaign_id) == "archived"

    funnel = crm.create_funnel("Onboarding")
    crm.enter_funnel(funnel, cid, via="start")
    crm.complete_funnel(funnel, cid, twice=True)
    leaving = crm.create_funnel("Nurture")
    crm.enter_funnel(leaving, cid, via="goal", status="active")
    crm.complete_sequence(crm.create_sequence("Welcome series"), cid)

    bounced = crm.create_contact(unique_email("bounced"))
    crm.bounce(bounced["email"], "bounced")
    complained = crm.create_contact(unique_email("complained"))
    crm.bounce(complained["email"], "complained")
    crm.unsubscribe(cid, email_id=email_id, source="from_header")

    order = crm.woo_order(contact["email"], "49.90", currency="EUR", fc_cid=campaign_id)
    crm.woo_complete(order)
    crm.woo_refund(order, "49.90")
    crm.delete_contact(cid)
    return {"contact": contact, "campaign_id": campaign_id, "email_id": email_id, "funnel": funnel,
            "leaving_funnel": leaving, "tag_a": tag_a, "list_a": list_a, "order": order,
            "bounced": bounced, "complained": complained}


@pytest.mark.parametrize("release", RELEASES)
def test_every_change_arrives_once_signed_with_its_data(release: str, crm: FluentCRM, webhooks: WebhooksApi,
                                                        receiver: Receiver) -> None:
    webhook = webhooks.create(url=receiver.url, events=sorted(EVENT_TYPES), secret="s3cret ✓")
    crm.set_release(release)
    ids = drive_every_event(crm)

    # The delivery log is written when the sidecar takes the events in, which happens before each
    # WordPress request above returned: its counts are final now.
    log = sorted(webhooks.deliveries(webhook["id"]), key=lambda d: d["id"])
    logged = Counter(d["event"] for d in log)
    assert logged == EXPECTED, f"per event type, logged minus expected: {logged - EXPECTED}, missing: {EXPECTED - logged}"
    assert set(EXPECTED) == EVENT_TYPES
    # FluentCRM fires a new contact's tag and list hooks before contact_created; the plugin puts
    # "created" first, in the order the sidecar takes events in.
    assert [d["event"] for d in log[:3]] == ["contact.created", "contact.tag_added", "contact.list_added"]

    arrived = receiver.wait_for(sum(EXPECTED.values()), timeout=120)
    received = delivered(receiver)
    assert len(arrived) == sum(EXPECTED.values())
    assert Counter(d.event for d in received) == EXPECTED
    for item in received:
        assert item.signed_with("s3cret ✓"), f"{item.event}: bad signature"
        assert item.headers["x-fluentcrm-event"] == item.event
        check_data_shape(item)
    check_values(received, ids)


def check_data_shape(item: Delivered) -> None:
    data, event = item.data, item.event
    if "contact" in data and data["contact"] is not None:
        assert set(data["contact"]) == CONTACT_KEYS, f"{event}: contact keys {sorted(data['contact'])}"
        assert isinstance(data["contact"]["id"], int)
        for term in data["contact"]["tags"] + data["contact"]["lists"]:
            assert set(term) == {"id", "title", "slug"} and isinstance(term["id"], int)
    group = event.split(".")[0]
    if group == "contact":
        assert data["contact"] is not None
    if event in ("contact.tag_added", "contact.tag_removed"):
        assert [set(t) for t in data["tags"]] == [{"id", "title", "slug"}] * len(data["tags"])
    if event in ("contact.list_added", "contact.list_removed"):
        assert [set(t) for t in data["lists"]] == [{"id", "title", "slug"}] * len(data["lists"])
    if event in ("email.sent", "email.opened", "email.clicked"):
        assert EMAIL_KEYS <= set(data["email"]) and isinstance(data["email"]["id"], int)
    if group == "campaign":
        assert set(data["campaign"]) == CAMPAIGN_KEYS and isinstance(data["campaign"]["id"], int)
    if event in ("funnel.subscriber_added", "funnel.subscriber_completed", "funnel.subscriber_exited"):
        assert set(data["funnel"]) == {"id", "title"} and data["contact"] is not None
    if group == "commerce":
        assert ORDER_KEYS <= set(data["order"]) and isinstance(data["order"]["id"], int)


def only(received: list[Delivered], event: str) -> Delivered:
    [item] = [d for d in received if d.event == event]
    return item


def utc_from_site_time(local: str) -> str:
    moment = datetime.strptime(local, "%Y-%m-%d %H:%M:%S") - SITE_OFFSET
    return moment.replace(tzinfo=timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def check_values(received: list[Delivered], ids: dict) -> None:
    contact = ids["contact"]
    cid = int(contact["id"])

    assert only(received, "contact.tag_added").data["tags"] == [{"id": ids["tag_a"], "title": "VIP", "slug": "vip"}]
    [main_created] = [d for d in received if d.event == "contact.created" and d.data["contact"]["id"] == cid]
    made = main_created.data["contact"]
    assert made["email"] == contact["email"] and made["first_name"] == "Ada" and made["phone"] == "+44 20 7946 0000"
    assert made["status"] == "subscribed"
    assert made["created_at"] == utc_from_site_time(contact["created_at"])
    assert made["tags"] == [{"id": ids["tag_a"], "title": "VIP", "slug": "vip"}]
    assert made["lists"] == [{"id": ids["list_a"], "title": "Newsletter", "slug": "newsletter"}]

    updated = only(received, "contact.updated")
    assert updated.data["changes"] == {"first_name": "Augusta"} and updated.data["contact"]["first_name"] == "Augusta"
    assert only(received, "contact.tag_removed").data["tags"][0]["id"] == ids["tag_a"]
    assert only(received, "contact.list_removed").data["lists"][0]["id"] == ids["list_a"]

    changes = {(d.data["contact"]["email"], d.data["old_status"], d.data["new_status"])
               for d in received if d.event == "contact.status_changed"}
    assert changes == {(ids["bounced"]["email"], "subscribed", "bounced"),
                       (ids["complained"]["email"], "subscribed", "complained"),
                       (contact["email"], "subscribed", "unsubscribed")}
    assert only(received, "email.bounced").data["contact"]["email"] == ids["bounced"]["email"]
    assert only(received, "email.spam_complaint").data["contact"]["email"] == ids["complained"]["email"]
    unsubscribed = only(received, "email.unsubscribed").data
    assert unsubscribed["source"] == "from_header" and unsubscribed["email"]["id"] == ids["email_id"]

    sent = only(received, "email.sent").data["email"]
    assert sent["id"] == ids["email_id"] and sent["campaign_id"] == ids["campaign_id"] and sent["contact_id"] == cid
    assert sent["subject"] == "Launch news" and sent["sent_at"].endswith("Z")
    assert only(received, "email.opened").data["email"]["opened_at"].endswith("Z")
    assert only(received, "email.clicked").data["email"]["url"] == "https://example.com/launch?utm=1"

    assert only(received, "campaign.paused").data["campaign"]["status"] == "paused"
    assert only(received, "campaign.resumed").data["campaign"]["status"] == "working"
    finished = only(received, "campaign.sent").data["campaign"]
    assert finished == {"id": ids["campaign_id"], "title": "Launch", "status": "archived", "recipients_count": 1,
                        "scheduled_at": None}

    added = {d.data["funnel"]["id"] for d in received if d.event == "funnel.subscriber_added"}
    assert added == {ids["funnel"], ids["leaving_funnel"]}
    assert only(received, "funnel.subscriber_completed").data["funnel"] == {"id": ids["funnel"], "title": "Onboarding"}
    exited = only(received, "funnel.subscriber_exited").data
    assert exited["funnel"]["id"] == ids["leaving_funnel"] and exited["reason"] == "contact_unsubscribed"
    assert only(received, "funnel.sequence_completed").data["sequence"]["title"] == "Welcome series"

    order = only(received, "commerce.order_created").data
    assert order["order"] == {"id": ids["order"], "status": "pending", "total": 49.9, "currency": "EUR",
                              "provider": "woocommerce", "customer_email": contact["email"]}
    assert order["contact"]["id"] == cid
    assert only(received, "commerce.order_completed").data["order"]["status"] == "completed"
    revenue = only(received, "commerce.revenue_recorded").data
    assert revenue["campaign"]["id"] == ids["campaign_id"] and revenue["amount"] == 49.9 and revenue["currency"] == "EUR"
    assert only(received, "commerce.order_refunded").data["refund"]["amount"] == 49.9

    deleted = only(received, "contact.deleted").data["contact"]
    assert deleted["id"] == cid and deleted["email"] == contact["email"] and deleted["status"] == "unsubscribed"
