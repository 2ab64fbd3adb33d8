"""A contact's deliveries across webhooks, found by the contact id and email hash stored at intake
(subjects.py), and erased on request (erasure.py): what the plugin's contact profile section and
WordPress's personal-data exporter and eraser rely on."""

from __future__ import annotations

import json

import pytest

from tests.support.api import (create_webhook, expect, get_webhook, list_deliveries, new_event, send_events,
                               update_webhook, wait_for_deliveries, wait_for_webhook)
from tests.support.receiver import Receiver


def contact(contact_id: int, email: str) -> dict:
    return {"contact": {"id": contact_id, "email": email, "first_name": "Ann", "status": "subscribed"}}


def about(api, **query) -> dict:
    return expect(api.get("/v2/contacts/deliveries", params=query), 200)


def test_a_contacts_deliveries_are_found_by_id_or_address_and_erased_on_request(
        sidecar_factory, backend, receiver_factory) -> None:
    sidecar = sidecar_factory(database_url=backend.database_url)
    api = sidecar.api
    ok: Receiver = receiver_factory()
    ok.script(200, body=b"thanks Ann <ann@example.com>")
    gone: Receiver = receiver_factory()
    gone.set_default(410)
    sent = create_webhook(api, ok.url, events=["contact.created", "contact.updated", "email.opened"])
    holding = create_webhook(api, gone.url, events=["contact.created", "contact.updated"])
    send_events(api, new_event("contact.created", contact(7, "Ann@Example.com")))
    wait_for_webhook(api, holding["id"], status="failed")
    ann = [new_event("contact.updated", contact(7, "ann@example.com")),
           new_event("email.opened", {"email": {"id": 1, "contact_id": 7, "subject": "Hi"}})]
    bob = new_event("contact.created", contact(8, "bob@example.com"))
    campaign = new_event("campaign.sent", {"campaign": {"id": 3, "title": "Spring"}})
    send_events(api, *ann, bob, campaign)
    wait_for_deliveries(api, sent["id"], 4, "success")

    by_id = about(api, contact_id=7)
    assert [(d["event"], d["webhook_id"]) for d in by_id["deliveries"]] == [
        ("email.opened", sent["id"]), ("contact.updated", holding["id"]), ("contact.updated", sent["id"]),
        ("contact.created", holding["id"]), ("contact.created", sent["id"])]
    assert by_id["pagination"] == {"total": 5, "per_page": 25, "current_page": 1, "last_page": 1}
    assert all(d["erased_at"] is None and "body" not in d for d in by_id["deliveries"])
    # By address, whatever its case: the email event carries no address, so it is not among them.
    by_email = about(api, email=" ANN@example.COM ", include="body")
    assert [d["id"] for d in by_email["deliveries"]] == [d["id"] for d in by_id["deliveries"][1:]]
    assert all("ann@example.com" in d["body"].lower() for d in by_email["deliveries"])
    either = about(api, contact_id=7, email="ann@example.com", per_page=2, page=2)
    assert either["pagination"] == {"total": 5, "per_page": 2, "current_page": 2, "last_page": 3}
    bob_before = about(api, contact_id=8, include="body")
    assert len(bob_before["deliveries"]) == 2

    erased = expect(api.post("/v2/contacts/erase", json={"contact_id": 7, "email": "ann@example.com"}), 200)
    assert erased == {"erased": 5, "stopped": 2}  # the failed webhook's two held ones will never be sent
    assert about(api, contact_id=7)["deliveries"] == [] and about(api, email="ann@example.com")["deliveries"] == []
    assert about(api, contact_id=8, include="body") == bob_before, "another contact's deliveries are untouched"

    # Tombstones: the rows stay for the counts, without the data.
    first = by_id["deliveries"][-1]
    detail = expect(api.get(f"/v2/webhooks/{sent['id']}/deliveries/{first['id']}"), 200)["delivery"]
    assert (detail["body"], detail["response_body"], detail["status"]) == ("", None, "success")
    assert [a["response_body"] for a in detail["attempts"]] == [None]
    held = list_deliveries(api, holding["id"])
    assert sorted(d["status"] for d in held) == ["failed", "failed", "pending"]  # Bob's is still held
    redeliver = api.post(f"/v2/webhooks/{sent['id']}/deliveries/{first['id']}/redeliver")
    assert (redeliver.status_code, redeliver.json()["code"]) == (409, "delivery_erased")
    # Re-activated, the webhook sends Bob's held event, and nothing of Ann's.
    gone.set_default(200)
    update_webhook(api, holding["id"], status="active")
    [request] = gone.wait_for(2)[1:]
    assert json.loads(request.body)["id"] == bob["id"]
    gone.assert_nothing_arrives(within=2.0, already=2)
    assert get_webhook(api, holding["id"])["held_deliveries"] == 0
    assert expect(api.post("/v2/contacts/erase", json={"email": "ann@example.com"}), 200) == {"erased": 0, "stopped": 0}


@pytest.mark.parametrize("query,params", [
    ({}, None), ({"contact_id": ""}, None), ({"contact_id": "x"}, {"contact_id": "contact_id must be a positive whole number."}),
    ({"contact_id": "0"}, {"contact_id": "contact_id must be a positive whole number."}),
    ({"contact_id": "\u0667"}, {"contact_id": "contact_id must be a positive whole number."}),
    ({"email": "nobody"}, {"email": "email must be an email address of at most 254 characters."}),
    ({"contact_id": "7", "include": "everything"}, {"include": "include must be empty or body."}),
    ({"contact_id": "7", "page": "99999999999999999999"}, {"page": "page must be a whole number, 1 to 1000000000."}),
])
def test_bad_contact_queries_are_a_400(sidecar, query, params) -> None:
    response = sidecar.api.get("/v2/contacts/deliveries", params=query)
    assert response.status_code == 400, response.text
    if params is None:
        assert response.json()["code"] == "rest_missing_callback_param"
        assert response.json()["data"]["params"] == ["contact_id", "email"]
    else:
        assert (response.json()["code"], response.json()["data"]["params"]) == ("rest_invalid_param", params)


@pytest.mark.parametrize("body", [{}, {"contact_id": "7"}, {"contact_id": True}, {"contact_id": 2**63},
                                  {"email": 7}, {"email": "x" * 250 + "@a.test"}, [7]])
def test_bad_erase_requests_are_a_400_and_erase_nothing(sidecar, receiver, body) -> None:
    webhook = create_webhook(sidecar.api, receiver.url)
    send_events(sidecar.api, new_event("contact.created", contact(7, "ann@example.com")))
    wait_for_deliveries(sidecar.api, webhook["id"], 1, "success")
    before = about(sidecar.api, contact_id=7, include="body")
    response = sidecar.api.post("/v2/contacts/erase", json=body)
    assert response.status_code == 400, response.text
    assert response.json()["code"] in ("rest_missing_callback_param", "rest_invalid_param", "rest_invalid_json")
    assert about(sidecar.api, contact_id=7, include="body") == before
