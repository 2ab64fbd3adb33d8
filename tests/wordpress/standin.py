"""Drives the FluentCRM stand-in (tests/fluentcrm-standin) through its REST routes, as an
administrator with an Application Password. Each call is one WordPress request, so the events it
produces have reached the sidecar when the call returns (php -S answers after shutdown)."""

from __future__ import annotations

import uuid
from typing import Any

import requests

from tests.support.wordpress import WordPressSite


def unique_email(label: str = "contact") -> str:
    return f"{label}-{uuid.uuid4().hex[:10]}@example.com"


class FluentCRM:
    def __init__(self, site: WordPressSite) -> None:
        self.site = site
        self.http = site.session("admin")

    def call(self, method: str, route: str, expect: int = 200, **body: Any) -> Any:
        response = self.request(method, route, **body)
        assert response.status_code == expect, (
            f"{method} {route} answered {response.status_code}: {response.text[:2000]}")
        return response.json()

    def request(self, method: str, route: str, **body: Any) -> requests.Response:
        return self.http.request(method, self.site.rest_url("/fluent-crm/v2" + route),
                                 json=body if body else None, timeout=120)

    # -- setup -----------------------------------------------------------------------------------
    def set_release(self, release: str) -> None:
        assert self.call("PUT", "/standin/release", release=release)["release"] == release

    def tag(self, title: str) -> int:
        return self.call("POST", "/standin/terms", kind="tag", title=title)["id"]

    def list(self, title: str) -> int:
        return self.call("POST", "/standin/terms", kind="list", title=title)["id"]

    # -- contacts --------------------------------------------------------------------------------
    def create_contact(self, email: str | None = None, **fields: Any) -> dict:
        return self.call("POST", "/subscribers", email=email or unique_email(), **fields)["contact"]

    def update_contact(self, contact_id: int, **fields: Any) -> dict:
        return self.call("PUT", f"/subscribers/{contact_id}", **fields)["contact"]

    def change_terms(self, contact_id: int, **changes: list[int]) -> dict:
        """attach_tags=[...], detach_tags=[...], attach_lists=[...], detach_lists=[...]."""
        return self.call("POST", f"/standin/subscribers/{contact_id}/terms", **changes)["contact"]

    def set_status_as_admin(self, contact_ids: list[int], status: str) -> None:
        self.call("PUT", "/subscribers/subscribers-property", property="status", subscribers=contact_ids,
                  value=status)

    def create_or_update(self, **fields: Any) -> dict:
        return self.call("POST", "/standin/create-or-update", **fields)["contact"]

    def import_contacts(self, contacts: list[dict], silent: bool) -> list[int]:
        return self.call("POST", "/standin/import", contacts=contacts, silent=silent)["ids"]

    def delete_contact(self, contact_id: int) -> None:
        self.call("DELETE", f"/subscribers/{contact_id}")

    def delete_contacts(self, ids: list[Any]) -> None:
        self.call("POST", "/standin/subscribers/delete", ids=ids)

    def unsubscribe(self, contact_id: int, email_id: int | None = None, source: str = "web_ui") -> dict:
        return self.call("POST", "/standin/unsubscribe", subscriber_id=contact_id, email_id=email_id,
                         source=source)["contact"]

    def bounce(self, email: str, status: str = "bounced") -> dict:
        return self.call("POST", "/standin/bounce", email=email, status=status)["contact"]

    # -- campaigns and emails --------------------------------------------------------------------
    def create_campaign(self, title: str) -> dict:
        return self.call("POST", "/campaigns", title=title, email_subject=f"{title} news")["campaign"]

    def duplicate_campaign(self, campaign_id: int) -> dict:
        return self.call("POST", f"/campaigns/{campaign_id}/duplicate")["campaign"]

    def add_recipients(self, campaign_id: int, contact_ids: list[int]) -> int:
        return self.call("POST", f"/standin/campaigns/{campaign_id}/recipients",
                         subscriber_ids=contact_ids)["recipients_count"]

    def start_campaign(self, campaign_id: int) -> None:
        self.call("POST", f"/standin/campaigns/{campaign_id}/start")

    def pause_campaign(self, campaign_id: int) -> bool:
        return self.call("POST", f"/campaigns/{campaign_id}/pause")["changed"]

    def resume_campaign(self, campaign_id: int) -> bool:
        return self.call("POST", f"/campaigns/{campaign_id}/resume")["changed"]

    def poll_campaign(self, campaign_id: int) -> str:
        return self.call("GET", f"/campaigns/{campaign_id}/status")["status"]

    def hourly_archive(self, campaign_id: int) -> None:
        self.call("POST", f"/standin/campaigns/{campaign_id}/hourly")

    def queue_one_off_email(self, contact_id: int, subject: str) -> int:
        return self.call("POST", "/standin/emails", subscriber_id=contact_id, subject=subject)["id"]

    def send_emails(self, limit: int = 5000, cancel_ids: list[int] | None = None) -> list[int]:
        return self.call("POST", "/standin/send-emails", limit=limit, cancel_ids=cancel_ids or [])["sent"]

    def open_email(self, email_id: int) -> None:
        self.call("POST", f"/standin/emails/{email_id}/open")

    def click_email(self, email_id: int, url: str) -> None:
        self.call("POST", f"/standin/emails/{email_id}/click", url=url)

    # -- funnels ---------------------------------------------------------------------------------
    def create_funnel(self, title: str, trigger_name: str = "fluentcrm_contact_added_to_tags") -> int:
        return self.call("POST", "/standin/funnels", title=title, trigger_name=trigger_name)["id"]

    def enter_funnel(self, funnel_id: int, contact_id: int, via: str = "start", status: str = "active") -> int:
        return self.call("POST", f"/standin/funnels/{funnel_id}/enter", subscriber_id=contact_id, via=via,
                         status=status)["id"]

    def complete_funnel(self, funnel_id: int, contact_id: int, twice: bool = True) -> None:
        self.call("POST", f"/standin/funnels/{funnel_id}/complete", subscriber_id=contact_id, twice=twice)

    def set_funnel_row_status(self, funnel_id: int, contact_id: int, status: str) -> None:
        self.call("PUT", f"/funnels/{funnel_id}/subscribers/{contact_id}/status", status=status)

    def remove_from_funnel(self, funnel_id: int, contact_ids: list[int]) -> None:
        self.call("DELETE", f"/funnels/{funnel_id}/subscribers", subscriber_ids=contact_ids)

    def delete_funnel(self, funnel_id: int) -> None:
        self.call("DELETE", f"/funnels/{funnel_id}")

    def create_sequence(self, title: str) -> int:
        return self.call("POST", "/standin/sequences", title=title)["id"]

    def complete_sequence(self, sequence_id: int, contact_id: int) -> None:
        self.call("POST", f"/standin/sequences/{sequence_id}/complete", subscriber_id=contact_id)

    # -- stores ----------------------------------------------------------------------------------
    def woo_order(self, email: str, total: str, **fields: Any) -> int:
        return self.call("POST", "/standin/woo/orders", email=email, total=total, **fields)["id"]

    def woo_complete(self, order_id: int) -> None:
        self.call("POST", f"/standin/woo/orders/{order_id}/complete")

    def woo_refund(self, order_id: int, amount: str) -> int:
        return self.call("POST", f"/standin/woo/orders/{order_id}/refund", amount=amount)["refund_id"]

    def cart_order(self, email: str, total: str, **fields: Any) -> int:
        return self.call("POST", "/standin/fluentcart/orders", email=email, total=total, **fields)["id"]

    def cart_complete(self, order_id: int) -> None:
        self.call("POST", f"/standin/fluentcart/orders/{order_id}/complete")

    def cart_refund(self, order_id: int) -> None:
        self.call("POST", f"/standin/fluentcart/orders/{order_id}/refund")
