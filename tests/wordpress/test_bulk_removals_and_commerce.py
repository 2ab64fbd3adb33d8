"""Changes FluentCRM makes in bulk, with no hook per contact (deleting a tag or a list, the bulk
funnel routes, a funnel row that was never an entry), and store orders: when each commerce event
fires and which campaign revenue belongs to. Driven through the stand-in, which plays what both
FluentCRM releases do there (tests/fluentcrm-standin/src/terms.php, funnels.php, stores.php)."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest

from tests.support.receiver import Receiver
from tests.wordpress.standin import FluentCRM, unique_email
from tests.wordpress.webhooks import WebhooksApi, delivered


def logged(webhooks: WebhooksApi, webhook: dict) -> Counter:
    return Counter(d["event"] for d in webhooks.deliveries(webhook["id"]))


def ids_of(terms: list[dict]) -> list[int]:
    return sorted(term["id"] for term in terms)


@pytest.mark.parametrize("release", ["2.9.84", "2.9.65"])
def test_deleting_a_tag_or_a_list_removes_it_from_each_contact(release: str, crm: FluentCRM, webhooks: WebhooksApi,
                                                              receiver: Receiver) -> None:
    crm.set_release(release)
    vip, gold, news, promo = crm.tag("Deleted VIP"), crm.tag("Deleted Gold"), crm.list("Deleted News"), crm.list("Empty")
    both = int(crm.create_contact(unique_email("both"), tags=[vip, gold], lists=[news])["id"])
    one = int(crm.create_contact(unique_email("one"), tags=[vip], lists=[news])["id"])
    crm.create_contact(unique_email("none"))
    webhook = webhooks.create(url=receiver.url, events=["contact.tag_removed", "contact.list_removed"])

    crm.call("DELETE", f"/tags/{vip}")  # TagsController@remove
    crm.call("POST", "/tags/do-bulk-action", tagIds=[gold])  # TagsController@handleBulkAction
    crm.call("POST", "/lists/do-bulk-action", listIds=[news])
    crm.call("DELETE", f"/lists/{promo}")  # on no contact: nothing to report

    assert logged(webhooks, webhook) == Counter({"contact.tag_removed": 3, "contact.list_removed": 2})
    receiver.wait_for(5)
    removed = sorted((d.event, d.data["contact"]["id"], ids_of(d.data.get("tags", d.data.get("lists", []))))
                     for d in delivered(receiver))
    assert removed == sorted([("contact.tag_removed", both, [vip]), ("contact.tag_removed", one, [vip]),
                              ("contact.tag_removed", both, [gold]), ("contact.list_removed", both, [news]),
                              ("contact.list_removed", one, [news])])
    for item in delivered(receiver):
        contact, key = item.data["contact"], "tags" if item.event == "contact.tag_removed" else "lists"
        [term] = item.data[key]
        # The term as it was (read before the delete route ran); the contact as it is now, without it.
        assert term["title"].startswith("Deleted ") and term["slug"]
        assert term["id"] not in ids_of(contact[key])
    after_first = [d.data["contact"] for d in delivered(receiver)
                   if d.event == "contact.tag_removed" and d.data["tags"][0]["id"] == vip and d.data["contact"]["id"] == both]
    assert ids_of(after_first[0]["tags"]) == [gold]


def test_bulk_funnel_removals_pending_rows_and_empty_automations(crm: FluentCRM, webhooks: WebhooksApi,
                                                                receiver: Receiver) -> None:
    names = ("pending", "removed", "stayer", "goal_one", "goal_two")
    contacts = {name: int(crm.create_contact(unique_email(name))["id"]) for name in names}
    funnel, other = crm.create_funnel("Bulk A"), crm.create_funnel("Bulk B")
    empty = crm.call("POST", "/standin/funnels", title="No steps", steps=0)["id"]
    webhook = webhooks.create(url=receiver.url, events=["funnel.subscriber_added", "funnel.subscriber_exited"])

    # A pending contact enters (its row waits for the double opt-in), others by the trigger or a goal.
    crm.enter_funnel(funnel, contacts["pending"], via="start", status="pending")
    removed_row = crm.enter_funnel(funnel, contacts["removed"], via="start")
    crm.enter_funnel(funnel, contacts["stayer"], via="start")
    crm.enter_funnel(other, contacts["goal_one"], via="goal")
    crm.enter_funnel(other, contacts["goal_two"], via="goal", status="waiting")
    # A published automation with no steps: FluentCRM creates the row and deletes it at once.
    crm.enter_funnel(empty, contacts["removed"], via="start")

    crm.delete_contact(contacts["pending"])
    crm.call("POST", "/funnels/remove-bulk-subscribers", funnel_subscriber_ids=[removed_row])
    crm.call("POST", "/funnels/do-bulk-action", action_name="delete_funnels", funnel_ids=[funnel, other])

    assert logged(webhooks, webhook) == Counter({"funnel.subscriber_added": 5, "funnel.subscriber_exited": 5})
    receiver.wait_for(10)
    added = sorted((d.data["funnel"]["id"], d.data["contact"]["id"]) for d in delivered(receiver)
                   if d.event == "funnel.subscriber_added")
    assert added == sorted([(funnel, contacts["pending"]), (funnel, contacts["removed"]), (funnel, contacts["stayer"]),
                            (other, contacts["goal_one"]), (other, contacts["goal_two"])])
    exits = {d.data["contact"]["id"]: d.data for d in delivered(receiver) if d.event == "funnel.subscriber_exited"}
    assert {contact: (data["funnel"]["id"], data["reason"]) for contact, data in exits.items()} == {
        contacts["pending"]: (funnel, "contact_deleted"), contacts["removed"]: (funnel, "removed"),
        contacts["stayer"]: (funnel, "funnel_deleted"), contacts["goal_one"]: (other, "funnel_deleted"),
        contacts["goal_two"]: (other, "funnel_deleted")}
    # The funnel as it was before its deletion; the contacts, who stay, as they are now.
    assert exits[contacts["stayer"]]["funnel"] == {"id": funnel, "title": "Bulk A"}
    assert exits[contacts["goal_one"]]["contact"]["status"] == "subscribed"


COMMERCE_EVENTS = ["commerce.order_created", "commerce.order_completed", "commerce.revenue_recorded"]


def as_visitor(crm: FluentCRM, route: str, campaign: int, **body: Any) -> Any:
    """A store request carrying the `fc_cid` cookie of that campaign's tracked link."""
    answer = crm.http.post(crm.site.rest_url("/fluent-crm/v2" + route), json=body, timeout=120,
                           cookies={"fc_cid": str(campaign)})
    assert answer.status_code == 200, answer.text[:1000]
    return answer.json()


def test_revenue_belongs_to_the_buyers_campaign_at_payment(crm: FluentCRM, webhooks: WebhooksApi,
                                                          receiver: Receiver) -> None:
    buyer = crm.create_contact(unique_email("buyer"))
    clicked, admins = int(crm.create_campaign("Clicked")["id"]), int(crm.create_campaign("Admin's click")["id"])
    webhook = webhooks.create(url=receiver.url, events=COMMERCE_EVENTS)

    # WooCommerce: the buyer's checkout carries the buyer's cookie; payment and completion come
    # from an admin whose browser holds another campaign's cookie.
    woo = as_visitor(crm, "/standin/woo/checkout", clicked, email=buyer["email"], total="30.00")["id"]
    as_visitor(crm, f"/standin/woo/orders/{woo}/process", admins)  # paid: revenue now
    as_visitor(crm, f"/standin/woo/orders/{woo}/complete", admins)  # completed: no second revenue
    # An order an admin creates for a customer: the admin's cookie is no attribution.
    by_admin = as_visitor(crm, "/standin/woo/orders", admins, email=buyer["email"], total="12.00")["id"]
    as_visitor(crm, f"/standin/woo/orders/{by_admin}/complete", admins)
    # The block checkout (Store API) attributes its order too; a cookie naming no campaign and a
    # free order record no revenue.
    block = as_visitor(crm, "/standin/woo/checkout", clicked, email=buyer["email"], total="5.50", block=True)["id"]
    forged = as_visitor(crm, "/standin/woo/checkout", 987654, email=buyer["email"], total="9.00")["id"]
    free = as_visitor(crm, "/standin/woo/checkout", clicked, email=buyer["email"], total="0.00")["id"]
    # A click in an automation email: its campaign row is of a type the Campaign model hides.
    automation_email = crm.create_sequence("Automation email")
    from_automation = as_visitor(crm, "/standin/woo/checkout", automation_email, email=buyer["email"],
                                 total="7.00")["id"]
    for order in (block, forged, free, from_automation):
        as_visitor(crm, f"/standin/woo/orders/{order}/process", admins)
    # FluentCart: an offline order is created unpaid (reported at once), then marked paid by an admin.
    cart = as_visitor(crm, "/standin/fluentcart/orders", clicked, email=buyer["email"], total="40.00",
                      paid=False, checkout=True)["id"]
    as_visitor(crm, f"/standin/fluentcart/orders/{cart}/pay", admins)
    cart_by_admin = as_visitor(crm, "/standin/fluentcart/orders", admins, email=buyer["email"], total="8.00")["id"]

    assert logged(webhooks, webhook) == Counter({"commerce.order_created": 8, "commerce.order_completed": 2,
                                                 "commerce.revenue_recorded": 4})
    receiver.wait_for(14)
    events = {(d.event, d.data["order"]["provider"], d.data["order"]["id"]): d.data for d in delivered(receiver)}
    revenue = {key[1:]: data for key, data in events.items() if key[0] == "commerce.revenue_recorded"}
    assert set(revenue) == {("woocommerce", woo), ("woocommerce", block), ("fluentcart", cart),
                            ("woocommerce", from_automation)}
    assert revenue.pop(("woocommerce", from_automation))["campaign"] == {"id": automation_email,
                                                                         "title": "Automation email"}
    assert {data["campaign"]["id"] for data in revenue.values()} == {clicked}
    assert revenue[("woocommerce", woo)]["order"]["status"] == "processing"
    assert revenue[("woocommerce", woo)]["amount"] == 30.0 and revenue[("fluentcart", cart)]["amount"] == 40.0
    assert events[("commerce.order_created", "fluentcart", cart)]["order"]["status"] == "pending"
    assert ("commerce.order_created", "fluentcart", cart_by_admin) in events
    assert events[("commerce.order_created", "woocommerce", woo)]["contact"]["id"] == int(buyer["id"])
