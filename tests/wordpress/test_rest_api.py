"""The REST API on the WordPress domain: the seed's curl examples verbatim, the canonical routes,
the coexistence with FluentCRM's own incoming-webhooks routes, permissions, and what a client
sees when the sidecar is away or misconfigured."""

from __future__ import annotations

import base64
import http.client
import json
import shlex
import subprocess
from typing import Iterator

import pytest
import requests

from tests.support.receiver import Receiver
from tests.support.sidecar import Sidecar
from tests.support.wordpress import STANDIN_FILE, WordPressSite
from tests.wordpress.webhooks import CANONICAL, SEED, WebhooksApi

# The seed's examples (webhooks-api.md), character for character; only the placeholders change.
SEED_LIST = '''curl "https://yourdomain.com/wp-json/fluent-crm/v2/webhooks" \\
  -H "Authorization: Basic API_USERNAME:API_PASSWORD"'''
SEED_CREATE = '''curl "https://yourdomain.com/wp-json/fluent-crm/v2/webhooks" \\
  -X POST \\
  -H "Authorization: Basic API_USERNAME:API_PASSWORD" \\
  -H "Content-Type: application/json" \\
  -d '{
    "name": "My Webhook",
    "url": "https://example.com/webhook",
    "events": ["contact.created", "contact.updated"],
    "secret": "my-secret-key"
  }\''''
SEED_UPDATE = '''curl "https://yourdomain.com/wp-json/fluent-crm/v2/webhooks/1" \\
  -X PUT \\
  -H "Authorization: Basic API_USERNAME:API_PASSWORD" \\
  -H "Content-Type: application/json" \\
  -d '{
    "name": "Updated Webhook",
    "events": ["contact.created", "contact.updated", "contact.deleted"]
  }\''''
SEED_TEST = '''curl "https://yourdomain.com/wp-json/fluent-crm/v2/webhooks/1/test" \\
  -X POST \\
  -H "Authorization: Basic API_USERNAME:API_PASSWORD"'''
SEED_LOGS = '''curl "https://yourdomain.com/wp-json/fluent-crm/v2/webhooks/1/deliveries" \\
  -H "Authorization: Basic API_USERNAME:API_PASSWORD"'''


def run_curl(command: str, site: WordPressSite, receiver: Receiver, webhook_id: int | None = None) -> tuple[int, dict]:
    """Run a seed example with its placeholders filled in; returns (HTTP status, JSON body)."""
    command = (command.replace("https://yourdomain.com", site.url)
               .replace("API_USERNAME:API_PASSWORD", f"{site.admin.login}:{site.admin.app_password}")
               .replace("https://example.com/webhook", receiver.url))
    if webhook_id is not None:
        command = command.replace("/webhooks/1", f"/webhooks/{webhook_id}")
    argv = shlex.split(command.replace("\\\n", " ")) + ["-s", "-w", "\n%{http_code}"]
    result = subprocess.run(argv, capture_output=True, text=True, timeout=120, check=True)
    body, _, status = result.stdout.rpartition("\n")
    return int(status), json.loads(body)


def test_every_seed_curl_example_works_verbatim(wordpress: WordPressSite, site_sidecar: Sidecar,
                                                receiver: Receiver) -> None:
    status, created = run_curl(SEED_CREATE, wordpress, receiver)
    assert status == 201, created
    webhook = created["webhook"]
    assert webhook["name"] == "My Webhook" and webhook["secret"] == "my-secret-key"
    assert webhook["events"] == ["contact.created", "contact.updated"] and webhook["status"] == "active"
    try:
        status, listed = run_curl(SEED_LIST, wordpress, receiver)
        assert status == 200 and [w["id"] for w in listed["webhooks"]] == [webhook["id"]]
        assert "secret" not in listed["webhooks"][0]

        status, updated = run_curl(SEED_UPDATE, wordpress, receiver, webhook["id"])
        assert status == 200 and updated["webhook"]["name"] == "Updated Webhook"
        assert updated["webhook"]["events"] == ["contact.created", "contact.updated", "contact.deleted"]

        status, tested = run_curl(SEED_TEST, wordpress, receiver, webhook["id"])
        assert status == 200 and tested["success"] is True and tested["response_code"] == 200
        [test_request] = receiver.wait_for(1)
        assert test_request.headers["x-fluentcrm-event"] == "webhook.test"

        status, logs = run_curl(SEED_LOGS, wordpress, receiver, webhook["id"])
        assert status == 200 and [d["event"] for d in logs["deliveries"]] == ["webhook.test"]
        assert logs["pagination"] == {"total": 1, "per_page": 25, "current_page": 1, "last_page": 1}
    finally:
        deleted = requests.delete(wordpress.rest_url(f"{SEED}/{webhook['id']}"), auth=wordpress.admin.basic_auth,
                                  timeout=60)
    assert deleted.status_code == 200 and deleted.json()["deleted"] is True


def test_encoded_basic_auth_and_the_canonical_routes(wordpress: WordPressSite, site_sidecar: Sidecar,
                                                     webhooks: WebhooksApi, receiver: Receiver) -> None:
    """`curl -u` (base64, the standard form) on the canonical path; every route passes through."""
    result = subprocess.run(["curl", "-s", "-u", f"{wordpress.admin.login}:{wordpress.admin.app_password}",
                             "-H", "Content-Type: application/json", "-d",
                             json.dumps({"name": "Canonical", "url": receiver.url, "events": ["contact.created"]}),
                             "-w", "\n%{http_code}", wordpress.rest_url(CANONICAL)],
                            capture_output=True, text=True, timeout=120, check=True)
    body, _, status = result.stdout.rpartition("\n")
    assert status == "201", body
    webhook_id = json.loads(body)["webhook"]["id"]
    webhooks.created.append(webhook_id)

    http = webhooks.http
    assert http.get(webhooks.url(f"/{webhook_id}"), timeout=60).json()["webhook"]["name"] == "Canonical"
    patched = http.patch(webhooks.url(f"/{webhook_id}"), json={"status": "inactive"}, timeout=60)
    assert patched.status_code == 200 and patched.json()["webhook"]["status"] == "inactive"
    tested = http.post(webhooks.url(f"/{webhook_id}/test"), timeout=60).json()
    delivery_id = tested["delivery"]["id"]
    detail = http.get(webhooks.url(f"/{webhook_id}/deliveries/{delivery_id}"), timeout=60)
    assert detail.status_code == 200 and detail.json()["delivery"]["attempts"]
    redelivered = http.post(webhooks.url(f"/{webhook_id}/deliveries/{delivery_id}/redeliver"), timeout=60)
    assert redelivered.status_code == 202 and redelivered.json()["delivery"]["id"] == delivery_id
    recovered = http.post(webhooks.url(f"/{webhook_id}/recover"), json={"since": "2020-01-01T00:00:00Z"}, timeout=60)
    assert recovered.status_code == 202 and recovered.json() == {"recovered": 0}
    filtered = http.get(webhooks.url(f"/{webhook_id}/deliveries"), params={"status": "failed", "per_page": 5},
                        timeout=60)
    assert filtered.json()["pagination"]["per_page"] == 5


@pytest.mark.parametrize("base", [CANONICAL, SEED])
def test_issue_13_routes_pass_through(base: str, wordpress: WordPressSite, webhooks: WebhooksApi,
                                      site_sidecar: Sidecar, receiver: Receiver) -> None:
    """rotate-secret, stats and the delivery pause (at `.../delivery`, sidecar /v2/delivery) are
    reachable like the other routes, on both bases."""
    webhook_id = webhooks.create(url=receiver.url, events=["contact.created"], headers={"X-Key": "k"})["id"]
    http = webhooks.http
    rotated = http.post(webhooks.url(f"/{webhook_id}/rotate-secret", base), json={"secret": "next"}, timeout=60)
    assert rotated.status_code == 200 and rotated.json()["secret"] == "next", rotated.text[:500]
    assert rotated.json()["webhook"]["headers"] == {"X-Key": "********"}
    stats = http.get(webhooks.url(f"/{webhook_id}/stats", base), params={"bucket": "day"}, timeout=60)
    assert stats.status_code == 200 and stats.json()["webhook_id"] == webhook_id, stats.text[:500]
    assert http.get(webhooks.url(f"/{webhook_id}/stats", base), params={"bucket": "week"},
                    timeout=60).json()["code"] == "rest_invalid_param"
    try:
        paused = http.put(webhooks.url("/delivery", base), json={"paused": True, "reason": "proxy test"}, timeout=60)
        assert paused.status_code == 200 and paused.json()["reason"] == "proxy test", paused.text[:500]
        assert http.get(webhooks.url("/delivery", base), timeout=60).json()["paused"] is True
        refused = http.post(webhooks.url(f"/{webhook_id}/test", base), timeout=60)
        assert (refused.status_code, refused.json()["code"]) == (409, "delivery_paused")
    finally:
        resumed = http.put(webhooks.url("/delivery", base), json={"paused": False}, timeout=60)
    assert resumed.status_code == 200 and resumed.json()["paused"] is False


@pytest.mark.parametrize("base", [CANONICAL, SEED])
def test_sidecar_errors_pass_through_unchanged(base: str, wordpress: WordPressSite, site_sidecar: Sidecar,
                                               receiver: Receiver) -> None:
    http = wordpress.session()

    def call(method: str, rest: str, **kwargs) -> tuple[int, dict]:
        answer = http.request(method, wordpress.rest_url(base + rest), timeout=60, **kwargs)
        return answer.status_code, answer.json()

    assert call("GET", "/987654") == (404, {"code": "rest_post_invalid_id", "message": "Invalid webhook ID.",
                                            "data": {"status": 404}})
    assert call("PUT", "/987654", json={"name": "x"})[1]["code"] == "rest_post_invalid_id"
    status, body = call("POST", "", json={"name": "x", "url": "http://example.com/h", "events": ["contact.created"]})
    assert (status, body["code"]) == (400, "invalid_webhook_url")
    status, body = call("POST", "", json={"name": "x", "url": receiver.url, "events": ["invalid.event"]})
    assert (status, body) == (400, {"code": "invalid_webhook_event",
                                    "message": "Event type 'invalid.event' is not supported.",
                                    "data": {"status": 400}})
    status, body = call("POST", "", json={"url": receiver.url, "events": ["contact.created"]})
    assert (status, body["code"], body["data"]["params"]) == (400, "rest_missing_callback_param", ["name"])
    status, body = call("POST", "", data="{not json", headers={"Content-Type": "application/json"})
    assert (status, body["code"]) == (400, "rest_invalid_json")


# -- coexistence with FluentCRM's incoming webhooks ---------------------------------------------------
def is_fluentcrm_incoming(answer: requests.Response) -> bool:
    return answer.status_code == 200 and answer.json().get("fluentcrm_incoming") is True


def is_outgoing_list(answer: requests.Response) -> bool:
    return answer.status_code == 200 and set(answer.json()) == {"webhooks"}


def test_fluentcrm_screens_keep_their_incoming_webhooks(wordpress: WordPressSite, webhooks: WebhooksApi,
                                                        receiver: Receiver) -> None:
    ours = webhooks.create(url=receiver.url, events=["contact.created"])
    cookie = wordpress.cookie_session()
    seed = wordpress.rest_url(SEED)

    # FluentCRM's own screen: cookie + nonce, no Authorization header.
    assert is_fluentcrm_incoming(cookie.get(seed, timeout=60))
    created = cookie.post(seed, json={"name": "From Zapier", "status": "published"}, timeout=60)
    assert is_fluentcrm_incoming(created)
    incoming_id = created.json()["id"]
    assert is_fluentcrm_incoming(cookie.put(f"{seed}/{incoming_id}", json={"name": "Renamed"}, timeout=60))

    # ... unless it asks for ours, or uses a route FluentCRM lacks.
    assert is_outgoing_list(cookie.get(seed, params={"type": "outgoing"}, timeout=60))
    assert is_outgoing_list(cookie.get(wordpress.rest_url(CANONICAL), timeout=60))
    assert cookie.get(f"{seed}/{ours['id']}", timeout=60).json()["webhook"]["id"] == ours["id"]

    # Application Passwords (every seed example) get ours; ?type=incoming forces FluentCRM's.
    basic = wordpress.session()
    assert is_outgoing_list(basic.get(seed, timeout=60))
    assert is_fluentcrm_incoming(basic.get(seed, params={"type": "incoming"}, timeout=60))
    assert is_fluentcrm_incoming(cookie.delete(f"{seed}/{incoming_id}", timeout=60))


def test_without_fluentcrm_the_seed_paths_are_ours(wordpress: WordPressSite, webhooks: WebhooksApi,
                                                   receiver: Receiver) -> None:
    webhooks.create(url=receiver.url, events=["contact.created"])
    wordpress.php(f"require_once ABSPATH . 'wp-admin/includes/plugin.php'; deactivate_plugins('{STANDIN_FILE}');")
    try:
        cookie = wordpress.cookie_session()
        assert is_outgoing_list(cookie.get(wordpress.rest_url(SEED), timeout=60))
        assert is_outgoing_list(wordpress.session().get(wordpress.rest_url(SEED), timeout=60))
    finally:
        wordpress.php(f"require_once ABSPATH . 'wp-admin/includes/plugin.php'; activate_plugin('{STANDIN_FILE}');")


# -- permissions ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("route", [CANONICAL, f"{CANONICAL}/1", f"{SEED}/1", f"{SEED}/1/deliveries"])
def test_anonymous_callers_get_401(route: str, wordpress: WordPressSite, site_sidecar: Sidecar) -> None:
    answer = requests.get(wordpress.rest_url(route), timeout=60)
    assert answer.status_code == 401 and answer.json()["data"]["status"] == 401


def test_bad_credentials_get_401(wordpress: WordPressSite, site_sidecar: Sidecar) -> None:
    answer = requests.get(wordpress.rest_url(SEED), auth=(wordpress.admin.login, "not-the-password"), timeout=60)
    assert answer.status_code == 401


@pytest.mark.parametrize("route", [CANONICAL, SEED])
def test_users_without_the_right_get_403_and_fluentcrm_managers_pass(route: str, wordpress: WordPressSite,
                                                                     site_sidecar: Sidecar) -> None:
    denied = wordpress.session("subscriber").get(wordpress.rest_url(route), timeout=60)
    assert denied.status_code == 403 and denied.json()["code"] == "rest_forbidden"
    created = wordpress.session("subscriber").post(wordpress.rest_url(route), json={"name": "x"}, timeout=60)
    assert created.status_code == 403
    # A user FluentCRM grants fcrm_manage_settings (its PermissionManager) without manage_options.
    assert is_outgoing_list(wordpress.session("manager").get(wordpress.rest_url(route), timeout=60))


# -- unencoded Basic credentials: on the webhook routes, and nowhere else ---------------------------
def unencoded_basic(site: WordPressSite) -> dict[str, str]:
    """The seed's header, `Basic user:password` with the pair NOT base64-encoded."""
    return {"Authorization": f"Basic {site.admin.login}:{site.admin.app_password}"}


def encoded_basic(site: WordPressSite) -> dict[str, str]:
    pair = f"{site.admin.login}:{site.admin.app_password}".encode()
    return {"Authorization": "Basic " + base64.b64encode(pair).decode()}


def raw_get(site: WordPressSite, path: str, headers: dict[str, str]) -> tuple[int, dict]:
    """GET with the path sent byte for byte: requests and curl resolve `..` and decode some
    escapes before sending, which would hide what the server makes of them."""
    connection = http.client.HTTPConnection("127.0.0.1", site.port, timeout=60)
    try:
        connection.request("GET", path, headers=headers)
        answer = connection.getresponse()
        return answer.status, json.loads(answer.read())
    finally:
        connection.close()


@pytest.mark.parametrize("path", [
    f"/wp-json{SEED}", f"/wp-json{CANONICAL}", f"/wp-json{SEED}/", f"/index.php/wp-json{CANONICAL}",
    f"/?rest_route={SEED}", f"/index.php?rest_route={CANONICAL}", f"/?rest_route={SEED}/&type=outgoing",
    f"/wp-json/wp/v2/users/me?rest_route={CANONICAL}",  # the query's route is the one served: ours
])
def test_unencoded_basic_credentials_work_on_the_webhook_routes(path: str, wordpress: WordPressSite,
                                                               site_sidecar: Sidecar) -> None:
    status, body = raw_get(wordpress, path, unencoded_basic(wordpress))
    assert (status, set(body)) == (200, {"webhooks"}), body


def test_unencoded_basic_credentials_work_below_the_bases(wordpress: WordPressSite, site_sidecar: Sidecar) -> None:
    for path in (f"/wp-json{CANONICAL}/987654", f"/?rest_route={SEED}/987654/deliveries"):
        status, body = raw_get(wordpress, path, unencoded_basic(wordpress))
        assert (status, body["code"]) == (404, "rest_post_invalid_id"), body  # the sidecar's answer: logged in


@pytest.mark.parametrize("path", [
    f"/wp-json/wp/v2/users/me?x={SEED}",
    f"/wp-json/wp/v2/users/me?x=/wp-json{CANONICAL}",
    f"/wp-json{SEED}?rest_route=/wp/v2/users/me",  # WordPress serves the query's route, not the path's
    f"/?rest_route=/wp/v2/users/me&y={SEED}",
    f"/wp-json/wp/v2/users/me?rest_route=/wp/v2/users/me&x={SEED}",
    # php -S, like some nginx set-ups, gives WordPress a PATH_INFO decoded and with `..` resolved.
    f"/wp-json{SEED}/../../../wp/v2/users/me",
    f"/wp-json/wp/v2/users/me%3Fx={SEED}",
])
def test_unencoded_basic_credentials_log_in_nowhere_else(path: str, wordpress: WordPressSite) -> None:
    status, body = raw_get(wordpress, path, unencoded_basic(wordpress))
    assert status == 401 and "slug" not in body, body
    # The same URL with standard credentials does reach users/me: the 401 above is the header's.
    status, body = raw_get(wordpress, path, encoded_basic(wordpress))
    assert status == 200 and body["slug"] == wordpress.admin.login, body


def test_unencoded_basic_credentials_do_not_follow_a_rest_route_in_a_form_body(wordpress: WordPressSite) -> None:
    """A form field `rest_route` wins over the path too (WP::parse_request); the override header
    makes the POST a GET, so nothing is changed."""
    url = wordpress.rest_url(SEED)
    form = {"rest_route": "/wp/v2/users/me"}
    override = {"X-HTTP-Method-Override": "GET"}
    answer = requests.post(url, data=form, headers=unencoded_basic(wordpress) | override, timeout=60)
    assert answer.status_code == 401 and "slug" not in answer.json(), answer.text[:300]
    answer = requests.post(url, data=form, headers=encoded_basic(wordpress) | override, timeout=60)
    assert answer.status_code == 200 and answer.json()["slug"] == wordpress.admin.login


ROUTES = {
    SEED: True, f"{SEED}/": True, CANONICAL: True, f"{CANONICAL}/3/deliveries/7/redeliver": True,
    f"{SEED}/3/test": True, f"{SEED}x": False, f"{CANONICAL}-old/3": False, f"/wp/v2/posts{SEED}": False,
    f"/wp/v2/users/me?x={SEED}": False, f"/x{SEED}": False, "/fluent-crm/v2/contacts": False,
    "/fluentcrm-webhooks/v1/connection": False, "/": False,
}
ROUTE_CHECK = """
$answers = array('before_parsing' => null, 'routes' => array());
$GLOBALS['wp']->query_vars['rest_route'] = %s;
$answers['before_parsing'] = fcwh_request_is_for_webhook_routes(); // no REST_REQUEST yet
define('REST_REQUEST', true);
foreach (json_decode(base64_decode('%s'), true) as $route => $expected) {
    $GLOBALS['wp']->query_vars['rest_route'] = $route;
    $answers['routes'][$route] = fcwh_request_is_for_webhook_routes();
}
echo wp_json_encode($answers);
"""


def test_which_routes_take_unencoded_credentials(wordpress: WordPressSite) -> None:
    encoded = base64.b64encode(json.dumps(ROUTES).encode()).decode()
    answers = json.loads(wordpress.php(ROUTE_CHECK % (json.dumps(SEED), encoded)))
    assert answers == {"before_parsing": False, "routes": ROUTES}


# -- the sidecar away or misconfigured ---------------------------------------------------------------
@pytest.fixture
def restore_constants(wordpress: WordPressSite, site_sidecar: Sidecar) -> Iterator[None]:
    yield
    wordpress.use_sidecar_constants(site_sidecar.url, site_sidecar.token)
    wordpress.delete_option("fcwh_sidecar_health")


def test_sidecar_down_is_a_503_an_admin_can_act_on(wordpress: WordPressSite, site_sidecar: Sidecar,
                                                   restore_constants: None) -> None:
    site_sidecar.stop()
    try:
        answer = wordpress.session().get(wordpress.rest_url(SEED), timeout=60)
        assert answer.status_code == 503
        error = answer.json()
        assert error["code"] == "fcwh_sidecar_unavailable" and error["data"] == {"status": 503}
        assert site_sidecar.url in error["message"] and "fluentcrm-webhooks serve" in error["message"]

        notice = wordpress.cookie_session().get(f"{wordpress.url}/wp-admin/index.php", timeout=60).text
        assert 'id="fcwh-sidecar-notice"' in notice and site_sidecar.url in notice
    finally:
        site_sidecar.start()
    assert is_outgoing_list(wordpress.session().get(wordpress.rest_url(SEED), timeout=60))
    assert "fcwh-sidecar-notice" not in wordpress.cookie_session().get(f"{wordpress.url}/wp-admin/index.php",
                                                                       timeout=60).text


def test_a_wrong_token_or_none_says_so(wordpress: WordPressSite, site_sidecar: Sidecar,
                                       restore_constants: None) -> None:
    wordpress.use_sidecar_constants(site_sidecar.url, "not-the-token")
    answer = wordpress.session().get(wordpress.rest_url(CANONICAL), timeout=60)
    assert answer.status_code == 502 and answer.json()["code"] == "fcwh_sidecar_token_rejected"
    assert "FCWH_API_TOKEN" in answer.json()["message"]

    wordpress.drop_sidecar_constants()
    answer = wordpress.session().get(wordpress.rest_url(CANONICAL), timeout=60)
    assert answer.status_code == 503 and answer.json()["code"] == "fcwh_sidecar_not_configured"

    # The settings screen's options work as well as the constants.
    wordpress.set_option("fcwh_sidecar_url", site_sidecar.url)
    wordpress.set_option("fcwh_api_token", site_sidecar.token)
    try:
        assert is_outgoing_list(wordpress.session().get(wordpress.rest_url(CANONICAL), timeout=60))
        assert wordpress.php_json("fcwh_settings()")["api_token_from_constant"] is False
    finally:
        wordpress.delete_option("fcwh_sidecar_url")
        wordpress.delete_option("fcwh_api_token")
