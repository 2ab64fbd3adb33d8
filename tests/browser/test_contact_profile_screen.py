"""The "Webhook deliveries" section of FluentCRM's contact profile in a real browser: opened the way
an administrator opens it (the contact's profile, the section's tab), Redeliver clicked, the row's
new status and the API's own error seen. On the FluentCRM stand-in's contact screen, and on the real
FluentCRM's screen when a release with built admin scripts is in ../shared/third-party (2.9.65;
the 2.9.84 archive is GitHub's source without them, so it is skipped, saying so).

The browser only talks to WordPress; the sidecar's API arranges and checks.
"""

from __future__ import annotations

import pytest
from tests.browser.browser import Browser
from tests.browser.conftest import AdminScreen
from tests.support.api import expect
from tests.support.receiver import Receiver
from tests.support.sidecar import Sidecar
from tests.support.waiting import wait_until
from tests.support.wordpress import WordPressSite
from tests.wordpress.standin import FluentCRM, unique_email
from tests.wordpress.test_real_fluentcrm import RealFluentCRM, real_site  # noqa: F401  (the real-FluentCRM site fixture)
from tests.wordpress.webhooks import WebhooksApi

pytestmark = [pytest.mark.browser, pytest.mark.wordpress, pytest.mark.mariadb]

SECTION = ".fc_external_profile_data.fc_section_fcwh_deliveries"


def contact_deliveries(sidecar: Sidecar, contact_id: int) -> list[dict]:
    return expect(sidecar.api.get("/v2/contacts/deliveries", params={"contact_id": contact_id}), 200)["deliveries"]


def settled(sidecar: Sidecar, contact_id: int, count: int) -> list[dict]:
    return wait_until(lambda: (lambda ds: ds if len(ds) == count and all(d["status"] == "success" for d in ds) else None)(
        contact_deliveries(sidecar, contact_id)), timeout=60, message=f"{count} delivered for contact {contact_id}")


def row(delivery_id: int) -> str:
    return f'{SECTION} tr[data-fcwh-delivery="{delivery_id}"]'


def click_redeliver_and_check(browser: Browser, sidecar: Sidecar, receiver: Receiver, contact_id: int,
                              deliveries: list[dict], shot: str) -> None:
    """Redeliver the newest, see it start, see it arrive; erase the contact's data behind the page's
    back, and Redeliver shows the API's refusal in the row."""
    newest = deliveries[0]["id"]
    before = len(receiver.requests)
    browser.click(f"{row(newest)} .fcwh-profile-redeliver")
    browser.wait_for(f"{row(newest)} .fcwh-profile-row-message", text="Redelivery started.")
    assert browser.attribute(f"{row(newest)} [data-fcwh-status]", "data-fcwh-status") in ("pending", "success")
    [again] = receiver.wait_for(before + 1)[before:]
    assert again.headers["x-fluentcrm-delivery"] == str(newest)
    browser.screenshot(f"{shot}-redelivered")

    wait_until(lambda: all(d["status"] != "pending" for d in contact_deliveries(sidecar, contact_id)),
               message="the redelivery to finish")
    assert expect(sidecar.api.post("/v2/contacts/erase", json={"contact_id": contact_id}), 200)["erased"] == len(deliveries)
    browser.click(f"{row(newest)} .fcwh-profile-redeliver")
    browser.wait_for(f"{row(newest)} .fcwh-profile-row-error")
    assert "erased" in browser.text(f"{row(newest)} .fcwh-profile-row-error").lower()
    assert len(receiver.requests) == before + 1  # nothing more was sent
    browser.screenshot(f"{shot}-erased-refused")


def test_redeliver_from_the_stand_in_contact_profile(screen: AdminScreen, browser: Browser, sidecar: Sidecar,
                                                     receiver: Receiver, wordpress: WordPressSite) -> None:
    # Through WordPress, so the plugin knows at once what to capture.
    webhook = WebhooksApi(wordpress).create(name="Profile hook", url=receiver.url,
                                            events=["contact.created", "contact.updated"])
    crm = FluentCRM(wordpress)
    contact = crm.create_contact(unique_email("browser-profile"), first_name="Bea")
    contact_id = int(contact["id"])
    crm.update_contact(contact_id, first_name="Beatrice")
    deliveries = settled(sidecar, contact_id, 2)

    browser.goto(f"{wordpress.url}/wp-admin/admin.php?page=fluentcrm-admin#/subscribers/{contact_id}")
    browser.click('.fc_profile_menu a:text("Webhook deliveries")')  # the tab, as FluentCRM lists it
    browser.wait_for(f"{SECTION} .fcwh-profile-delivery")
    assert browser.text(".fluentcrm_databox .fc_card_header h3") == "Webhook deliveries"
    assert browser.texts(f"{SECTION} .fcwh-profile-event") == ["contact.updated", "contact.created"]
    assert browser.texts(f"{SECTION} .fcwh-profile-webhook") == [f"Profile hook (#{webhook['id']})"] * 2
    assert browser.texts(f"{SECTION} .fcwh-profile-status") == ["Delivered", "Delivered"]
    browser.screenshot("contact-profile-standin")

    click_redeliver_and_check(browser, sidecar, receiver, contact_id, deliveries, "contact-profile-standin")


def test_redeliver_from_the_real_fluentcrm_contact_profile(real_site: tuple[WordPressSite, Sidecar],  # noqa: F811
                                                           browser: Browser, receiver: Receiver) -> None:
    site, site_sidecar = real_site
    if not (site.root / "wp-content" / "plugins" / "fluent-crm" / "assets" / "admin" / "js" / "start.js").exists():
        pytest.skip("this FluentCRM has no built admin scripts (the 2.9.84 archive is GitHub's source): "
                    "its screen cannot run in a browser; its section is tested over REST in tests/wordpress")
    site.php("fluentcrm_update_option('fluentcrm_setup_wizard_ran', 'yes');")  # else the screen redirects to it
    webhooks = WebhooksApi(site)
    webhook = webhooks.create(name="Real hook", url=receiver.url, events=["contact.created", "contact.updated"])
    try:
        crm = RealFluentCRM(site)
        contact_id = crm.create_contact(unique_email("browser-real"), first_name="Ray")
        crm.update_contact(contact_id, first_name="Raymond")
        deliveries = settled(site_sidecar, contact_id, 2)

        browser.goto(site.url + "/wp-login.php")
        browser.fill("#user_login", site.admin_user)
        browser.fill("#user_pass", site.admin_password)
        browser.click("#wp-submit")
        browser.wait_for("#wpadminbar")
        browser.problems()
        browser.goto(f"{site.url}/wp-admin/admin.php?page=fluentcrm-admin#/subscribers/{contact_id}")
        browser.click('li:text-is("Webhook deliveries")')
        browser.wait_for(f"{SECTION} .fcwh-profile-delivery")
        assert browser.texts(f"{SECTION} .fcwh-profile-event") == ["contact.updated", "contact.created"]
        assert browser.texts(f"{SECTION} .fcwh-profile-webhook") == [f"Real hook (#{webhook['id']})"] * 2
        browser.screenshot("contact-profile-real-fluentcrm")

        click_redeliver_and_check(browser, site_sidecar, receiver, contact_id, deliveries, "contact-profile-real-fluentcrm")
        errors = [p for p in browser.problems() if p.startswith("pageerror") and "fcwh" in p.lower()]
        assert errors == [], errors
    finally:
        webhooks.delete_created()
