"""What the plugin loads on which request (wp-plugin/fluentcrm-webhooks.php): the admin screens'
code only in wp-admin, and on REST requests once the REST API starts; a visitor's page, WP-Cron
and a script never load it, so the events they produce cost them no admin code (issue 11)."""

from __future__ import annotations

from tests.support.wordpress import WordPressSite

ADMIN_LOADED = "function_exists('fcwh_admin_register_menu')"


def test_a_request_outside_wp_admin_and_rest_loads_no_admin_code(wordpress: WordPressSite) -> None:
    assert wordpress.php_json(ADMIN_LOADED) is False
    assert wordpress.php_json(f"array(function_exists('fcwh_capture_contact_created'), {ADMIN_LOADED})") == [True, False]


def test_a_rest_request_still_reaches_the_admin_screens_routes(wordpress: WordPressSite) -> None:
    answer = wordpress.session("admin").get(wordpress.rest_url("/fluentcrm-webhooks/v1/connection"), timeout=60)
    assert answer.status_code != 404 and answer.json().get("code") != "rest_no_route", answer.text[:300]
