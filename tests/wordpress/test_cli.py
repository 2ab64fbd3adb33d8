"""`wp fcwh ...` through the real WP-CLI, as a process, against the test site and its sidecar.

WP-CLI is `wp` from PATH, else the phar WP_CLI_PHAR names, else `wp-cli.phar` in the workplace's
`../shared/third-party/` (FCWH_THIRD_PARTY names another folder); without any the module is
skipped and says why. It runs as `php wp-cli.phar --path=<site> --allow-root ...` with its own
empty config, so a developer's ~/.wp-cli settings change nothing.

Every command is checked for what it prints (table, JSON, CSV, ids, count), its exit code (0 on
success, 1 with the sidecar's error code and message otherwise) and, for the failing ones, that
nothing changed.
"""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import subprocess
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Iterator

import pytest

from tests.support.receiver import Receiver
from tests.support.sidecar import Sidecar
from tests.support.waiting import wait_until
from tests.support.wordpress import WordPressSite
from tests.wordpress.standin import FluentCRM, unique_email
from tests.wordpress.webhooks import delivered

REPO = Path(__file__).resolve().parents[2]
THIRD_PARTY = Path(os.environ.get("FCWH_THIRD_PARTY", "") or REPO.parent / "shared" / "third-party")


def wp_cli_command() -> tuple[list[str] | None, str]:
    """The command that runs WP-CLI, or None and why there is none."""
    on_path = shutil.which("wp")
    if on_path:
        return [on_path], ""
    named = os.environ.get("WP_CLI_PHAR")
    phar = Path(named).expanduser() if named else THIRD_PARTY / "wp-cli.phar"
    if phar.is_file():
        return ["php", str(phar)], ""
    where = f"WP_CLI_PHAR={named} is not a file" if named else f"no {phar}"
    return None, (f"no WP-CLI here: no `wp` on PATH and {where} (put the official wp-cli.phar in "
                  f"{THIRD_PARTY}, or set WP_CLI_PHAR)")


@dataclass(frozen=True)
class Run:
    args: tuple[str, ...]
    returncode: int
    stdout: str
    stderr: str

    @property
    def error(self) -> str:
        """WP-CLI's `Error: ...` line (stderr also has PHP's deprecation notices of this old WordPress)."""
        lines = [line for line in self.stderr.splitlines() if line.startswith("Error: ")]
        assert lines, f"no Error: line for wp {' '.join(self.args)}; stderr:\n{self.stderr[-3000:]}"
        return lines[-1].removeprefix("Error: ")

    def json(self) -> Any:
        return json.loads(self.stdout)

    def csv(self) -> list[dict[str, str]]:
        return list(csv.DictReader(io.StringIO(self.stdout)))

    def table(self) -> list[dict[str, str]]:
        """A table as WP-CLI prints it when stdout is not a terminal: tab-separated, headers first."""
        lines = self.stdout.rstrip("\n").split("\n")
        headers = lines[0].split("\t")
        return [dict(zip(headers, line.split("\t"), strict=True)) for line in lines[1:] if line]

    def item(self) -> dict[str, str]:
        """`get`-style output as a table: Field and Value rows."""
        return {row["Field"]: row["Value"] for row in self.table()}


class WpCli:
    def __init__(self, command: list[str], site: WordPressSite, home: Path) -> None:
        self.command = command
        self.site = site
        # Its own (absent) config and cache: nothing from the developer's ~/.wp-cli applies.
        self.env = {**os.environ, "WP_CLI_CONFIG_PATH": str(home / "config.yml"),
                    "WP_CLI_CACHE_DIR": str(home / "cache"), "WP_CLI_PACKAGES_DIR": str(home / "packages"),
                    "HOME": str(home)}
        self.env.pop("SHELL_PIPE", None)
        self.home = home

    def run(self, *args: str, stdin: str = "", env: dict[str, str] | None = None, timeout: float = 120) -> Run:
        result = subprocess.run([*self.command, f"--path={self.site.root}", "--allow-root", *args],
                                input=stdin, capture_output=True, text=True, timeout=timeout,
                                cwd=self.home, env={**self.env, **(env or {})})
        return Run(args, result.returncode, result.stdout, result.stderr)

    def ok(self, *args: str, **kwargs: Any) -> Run:
        run = self.run(*args, **kwargs)
        assert run.returncode == 0, (f"wp {' '.join(args)} exited {run.returncode}\n--- stdout ---\n{run.stdout}"
                                     f"\n--- stderr ---\n{run.stderr[-3000:]}")
        return run

    def fails(self, *args: str, **kwargs: Any) -> str:
        """Runs a command that must fail: exit code 1 and an `Error:` line, which is returned."""
        run = self.run(*args, **kwargs)
        assert run.returncode == 1, (f"wp {' '.join(args)} exited {run.returncode}, not 1\n--- stdout ---\n"
                                     f"{run.stdout}\n--- stderr ---\n{run.stderr[-3000:]}")
        return run.error


@pytest.fixture(scope="module")
def wp_cli() -> list[str]:
    command, why_not = wp_cli_command()
    if command is None:
        pytest.skip(why_not)
    return command


@pytest.fixture(scope="module")
def wp(wp_cli: list[str], wordpress: WordPressSite, site_sidecar: Sidecar,
       tmp_path_factory: pytest.TempPathFactory) -> WpCli:
    return WpCli(wp_cli, wordpress, tmp_path_factory.mktemp("wp-cli"))


@pytest.fixture(autouse=True)
def no_webhooks_left(wp_cli: list[str], site_sidecar: Sidecar) -> Iterator[None]:
    """Every test starts and ends without webhooks (whatever the commands under test created)."""
    yield
    for webhook in site_sidecar.api.get("/v2/webhooks").json()["webhooks"]:
        site_sidecar.api.delete(f"/v2/webhooks/{webhook['id']}")


def sidecar_webhooks(sidecar: Sidecar) -> list[dict]:
    """The webhooks with their secrets, straight from the sidecar."""
    listed = sidecar.api.get("/v2/webhooks").json()["webhooks"]
    return [sidecar.api.get(f"/v2/webhooks/{w['id']}").json()["webhook"] for w in listed]


def create(wp: WpCli, receiver: Receiver, *options: str, events: str = "contact.created") -> int:
    return int(wp.ok("fcwh", "webhooks", "create", "--name=CLI hook", f"--endpoint={receiver.url}",
                     f"--events={events}", "--porcelain", *options).stdout.strip())


def send_event(sidecar: Sidecar, event: str = "contact.created") -> str:
    """An event straight into the sidecar, as the plugin posts them; returns its id."""
    event_id = str(uuid.uuid4())
    answer = sidecar.api.post("/v2/events", json={"events": [{
        "id": event_id, "event": event, "timestamp": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "data": {"contact": {"id": 1, "email": unique_email("cli")}}}]})
    assert answer.status_code == 200, answer.text
    return event_id


def deliveries(sidecar: Sidecar, webhook_id: int) -> list[dict]:
    return sidecar.api.get(f"/v2/webhooks/{webhook_id}/deliveries", params={"per_page": 100}).json()["deliveries"]


def iso_now(offset_seconds: float = 0) -> str:
    return (datetime.now(UTC) + timedelta(seconds=offset_seconds)).strftime("%Y-%m-%dT%H:%M:%SZ")


# -- help -----------------------------------------------------------------------------------------
def test_help_describes_every_command(wp: WpCli) -> None:
    top = wp.ok("help", "fcwh").stdout
    for command, summary in (("webhooks", "Lists, shows, creates"), ("deliveries", "Reads a webhook's delivery log"),
                             ("recover", "Redelivers every failed delivery"), ("outbox", "Shows and sends the plugin's"),
                             ("status", "Checks the connection")):
        assert any(line.split() and line.split()[0] == command and summary in line for line in top.splitlines()), command
    webhooks = wp.ok("help", "fcwh", "webhooks").stdout
    for subcommand in ("create", "delete", "get", "list", "test", "update"):
        assert f"  {subcommand}" in webhooks
    create_help = wp.ok("help", "fcwh", "webhooks", "create").stdout
    assert "--endpoint=<url>" in create_help and "EXAMPLES" in create_help
    assert "--since=<time>" in wp.ok("help", "fcwh", "recover").stdout


# -- webhooks -------------------------------------------------------------------------------------
def test_webhooks_create_list_get_update_delete(wp: WpCli, site_sidecar: Sidecar, wordpress: WordPressSite,
                                               receiver: Receiver) -> None:
    created = wp.ok("fcwh", "webhooks", "create", "--name=Contacts", f"--endpoint={receiver.url}",
                    "--events=contact.created, contact.updated")
    [first] = sidecar_webhooks(site_sidecar)
    assert created.stdout.strip() == f"Success: Created webhook {first['id']}."
    assert first["events"] == ["contact.created", "contact.updated"] and first["status"] == "active"
    second_id = create(wp, receiver, "--status=inactive", "--secret=s3cret-from-the-cli", "--ordered",
                       "--max-concurrency=5", "--retention-days=7", events="email.opened")
    second = site_sidecar.api.get(f"/v2/webhooks/{second_id}").json()["webhook"]
    assert (second["status"], second["secret"], second["ordered"], second["max_concurrency"], second["retention_days"]) \
        == ("inactive", "s3cret-from-the-cli", True, 5, 7)
    # The plugin captures what is subscribed now, not a minute later.
    assert set(wordpress.get_option("fcwh_subscribed_events")["types"]) == {"contact.created", "contact.updated"}

    # list: table (tab-separated off a terminal), JSON, CSV, ids, count; never a secret.
    table = wp.ok("fcwh", "webhooks", "list").table()
    assert [row["id"] for row in table] == [str(first["id"]), str(second_id)]
    assert list(table[0]) == ["id", "name", "url", "status", "events", "last_delivery_status", "held_deliveries"]
    assert table[0]["events"] == "contact.created,contact.updated" and table[1]["status"] == "inactive"
    listed = wp.ok("fcwh", "webhooks", "list", "--format=json").json()
    assert [w["events"] for w in listed] == [["contact.created", "contact.updated"], ["email.opened"]]
    assert all("secret" not in w for w in listed)
    rows = wp.ok("fcwh", "webhooks", "list", "--format=csv", "--fields=id,name,ordered,max_concurrency").csv()
    assert rows == [{"id": str(first["id"]), "name": "Contacts", "ordered": "false", "max_concurrency": ""},
                    {"id": str(second_id), "name": "CLI hook", "ordered": "true", "max_concurrency": "5"}]
    assert wp.ok("fcwh", "webhooks", "list", "--format=ids").stdout.strip() == f"{first['id']} {second_id}"
    assert wp.ok("fcwh", "webhooks", "list", "--format=count").stdout.strip() == "2"
    assert "secret" not in wp.ok("fcwh", "webhooks", "list", "--format=yaml").stdout
    assert wp.fails("fcwh", "webhooks", "list", "--fields=id,secret") == "Invalid field: secret."

    # get: every field, the secret included; --field alone; JSON and CSV.
    item = wp.ok("fcwh", "webhooks", "get", str(first["id"])).item()
    assert item["secret"] == first["secret"] and item["events"] == "contact.created,contact.updated"
    assert wp.ok("fcwh", "webhooks", "get", str(first["id"]), "--field=secret").stdout.strip() == first["secret"]
    as_json = wp.ok("fcwh", "webhooks", "get", str(first["id"]), "--format=json").json()
    assert {k: as_json[k] for k in first} == first
    assert {r["Field"]: r["Value"] for r in wp.ok("fcwh", "webhooks", "get", str(second_id), "--format=csv",
                                                  "--fields=id,secret").csv()} == \
        {"id": str(second_id), "secret": "s3cret-from-the-cli"}

    # update: only what is given changes.
    updated = wp.ok("fcwh", "webhooks", "update", str(second_id), "--name=Opens", "--status=active", "--no-ordered",
                    "--max-concurrency=default", "--retention-days=default", "--events=email.opened,email.clicked")
    assert updated.stdout.strip() == f"Success: Updated webhook {second_id}."
    after = site_sidecar.api.get(f"/v2/webhooks/{second_id}").json()["webhook"]
    assert (after["name"], after["status"], after["ordered"], after["max_concurrency"], after["retention_days"],
            after["events"], after["secret"], after["url"]) == \
        ("Opens", "active", False, None, None, ["email.opened", "email.clicked"], "s3cret-from-the-cli", receiver.url)
    assert "email.clicked" in wordpress.get_option("fcwh_subscribed_events")["types"]
    assert wp.fails("fcwh", "webhooks", "update", str(second_id)).startswith("Nothing to update")

    # delete: asks first (no answer: nothing deleted, exit 0 as WP-CLI's own prompts do), --yes does not.
    declined = wp.run("fcwh", "webhooks", "delete", str(second_id), stdin="n\n")
    assert declined.returncode == 0 and f'Delete webhook {second_id} ("Opens")' in declined.stdout
    assert site_sidecar.api.get(f"/v2/webhooks/{second_id}").status_code == 200
    deleted = wp.ok("fcwh", "webhooks", "delete", str(second_id), "--yes")
    assert deleted.stdout.strip() == f'Success: Deleted webhook {second_id} ("Opens") and its delivery log.'
    assert site_sidecar.api.get(f"/v2/webhooks/{second_id}").status_code == 404
    assert wp.ok("fcwh", "webhooks", "list", "--format=ids").stdout.strip() == str(first["id"])


def test_webhooks_test_reports_the_endpoints_answer(wp: WpCli, receiver: Receiver) -> None:
    webhook_id = create(wp, receiver)
    passed = wp.ok("fcwh", "webhooks", "test", str(webhook_id))
    assert passed.stdout.startswith(f"Success: Webhook {webhook_id}'s endpoint answered 200 in ")
    [request] = receiver.wait_for(1)
    assert request.headers["x-fluentcrm-event"] == "webhook.test"
    assert f"(delivery {request.headers['x-fluentcrm-delivery']})." in passed.stdout

    receiver.set_default(status=500, body=b"broken")
    assert wp.fails("fcwh", "webhooks", "test", str(webhook_id)).startswith(
        f"Webhook {webhook_id}'s endpoint did not accept the test: HTTP 500")
    outcome = wp.run("fcwh", "webhooks", "test", str(webhook_id), "--format=json")
    assert outcome.returncode == 1
    assert (outcome.json()["success"], outcome.json()["response_code"], outcome.json()["response_body"]) == \
        (False, 500, "broken")


# -- deliveries and recover -----------------------------------------------------------------------
def test_deliveries_list_get_and_redeliver(wp: WpCli, site_sidecar: Sidecar, receiver: Receiver) -> None:
    webhook_id = create(wp, receiver)
    event_ids = [send_event(site_sidecar), send_event(site_sidecar)]
    receiver.wait_for(2)
    wait_until(lambda: all(d["status"] == "success" for d in deliveries(site_sidecar, webhook_id)),
               message="both deliveries to be recorded as sent")
    logged = deliveries(site_sidecar, webhook_id)

    table = wp.ok("fcwh", "deliveries", "list", str(webhook_id)).table()
    assert list(table[0]) == ["id", "event", "status", "attempts", "response_code", "created_at", "attempted_at"]
    assert [(r["id"], r["event"], r["status"], r["response_code"]) for r in table] == \
        [(str(d["id"]), "contact.created", "success", "200") for d in logged]
    as_json = wp.ok("fcwh", "deliveries", "list", str(webhook_id), "--format=json", "--fields=id,event_id").json()
    assert sorted(d["event_id"] for d in as_json) == sorted(event_ids)
    assert wp.ok("fcwh", "deliveries", "list", str(webhook_id), "--format=csv", "--fields=id,status").csv() == \
        [{"id": str(d["id"]), "status": "success"} for d in logged]
    assert wp.ok("fcwh", "deliveries", "list", str(webhook_id), "--format=ids").stdout.strip() == \
        " ".join(str(d["id"]) for d in logged)
    # count is every matching delivery, not just this page's.
    assert wp.ok("fcwh", "deliveries", "list", str(webhook_id), "--format=count", "--per-page=1").stdout.strip() == "2"
    assert wp.ok("fcwh", "deliveries", "list", str(webhook_id), "--status=failed", "--format=count").stdout.strip() == "0"
    paged = wp.ok("fcwh", "deliveries", "list", str(webhook_id), "--per-page=1", "--page=2").stdout.splitlines()
    assert paged[1].split("\t")[0] == str(logged[1]["id"])
    assert paged[2] == "Page 2 of 2 (2 deliveries): see --page."

    newest = logged[0]
    body = wp.ok("fcwh", "deliveries", "get", str(webhook_id), str(newest["id"]), "--field=body").stdout
    sent = [r for r in receiver.requests if r.headers["x-fluentcrm-delivery"] == str(newest["id"])]
    assert body.rstrip("\n") == sent[0].body.decode()
    detail = wp.ok("fcwh", "deliveries", "get", str(webhook_id), str(newest["id"]), "--format=json").json()
    assert detail["status"] == "success" and detail["attempts"][0]["response_code"] == 200
    assert detail["headers"]["X-FluentCRM-Delivery"] == str(newest["id"])
    item = wp.ok("fcwh", "deliveries", "get", str(webhook_id), str(newest["id"])).item()
    assert item["event_id"] == newest["event_id"] and json.loads(item["attempts"])[0]["response_code"] == 200

    redelivered = wp.ok("fcwh", "deliveries", "redeliver", str(webhook_id), str(newest["id"]))
    assert redelivered.stdout.strip() == \
        f"Success: Delivery {newest['id']} of webhook {webhook_id} is being sent again (same id, fresh retries)."
    again = receiver.wait_for(3)[2]
    assert again.headers["x-fluentcrm-delivery"] == str(newest["id"]) and again.body == sent[0].body


def test_recover_redelivers_what_failed_since(wp: WpCli, site_sidecar: Sidecar, receiver: Receiver) -> None:
    since = iso_now(-2)
    receiver.set_default(status=400, body=b"not yet")  # not trouble: retried on the 1 s schedule, then failed
    webhook_id = create(wp, receiver)
    send_event(site_sidecar)
    wait_until(lambda: [d["status"] for d in deliveries(site_sidecar, webhook_id)] == ["failed"], timeout=60,
               interval=0.3, message="the delivery to use up its retries")
    failed_count = wp.ok("fcwh", "deliveries", "list", str(webhook_id), "--status=failed", "--format=count")
    assert failed_count.stdout.strip() == "1"

    # Nothing failed after this moment: nothing to do.
    later = wp.ok("fcwh", "recover", str(webhook_id), f"--since={iso_now(60)}")
    assert "nothing to redeliver" in later.stdout
    receiver.set_default(status=200)
    before = len(receiver.requests)
    recovered = wp.ok("fcwh", "recover", str(webhook_id), f"--since={since}")
    assert recovered.stdout.strip() == \
        f"Success: Redelivering 1 failed delivery of webhook {webhook_id} created since {since}."
    receiver.wait_for(before + 1)
    wait_until(lambda: [d["status"] for d in deliveries(site_sidecar, webhook_id)] == ["success"],
               message="the recovered delivery to succeed")
    assert wp.ok("fcwh", "recover", str(webhook_id), f"--since={since}", "--porcelain").stdout.strip() == "0"


# -- errors ---------------------------------------------------------------------------------------
def test_api_errors_exit_1_with_the_sidecars_code_and_change_nothing(wp: WpCli, site_sidecar: Sidecar,
                                                                    receiver: Receiver) -> None:
    webhook_id = create(wp, receiver)
    before = sidecar_webhooks(site_sidecar)
    unknown = "[rest_post_invalid_id] Invalid webhook ID. (HTTP 404)"
    commands = (["webhooks", "get", "9999"], ["webhooks", "update", "9999", "--name=x"],
                ["webhooks", "delete", "9999", "--yes"], ["webhooks", "test", "9999"],
                ["deliveries", "list", "9999"], ["recover", "9999", f"--since={iso_now()}"],
                ["webhooks", "get", "abc"])
    with ThreadPoolExecutor(max_workers=4) as pool:  # independent processes: side by side
        errors = list(pool.map(lambda command: wp.fails("fcwh", *command), commands))
    assert errors == [unknown] * len(commands)
    assert wp.fails("fcwh", "deliveries", "get", str(webhook_id), "9999") == \
        "[rest_post_invalid_id] Invalid delivery ID. (HTTP 404)"
    assert wp.fails("fcwh", "deliveries", "redeliver", str(webhook_id), "9999") == \
        "[rest_post_invalid_id] Invalid delivery ID. (HTTP 404)"

    bad_url = "[invalid_webhook_url] Webhook URL must be a valid HTTPS URL. (HTTP 400)"
    assert wp.fails("fcwh", "webhooks", "create", "--name=Bad", "--endpoint=ftp://example.com/x",
                    "--events=contact.created") == bad_url
    assert wp.fails("fcwh", "webhooks", "update", str(webhook_id), "--endpoint=not a url", "--name=Changed") == bad_url
    assert wp.fails("fcwh", "webhooks", "create", "--name=Bad", f"--endpoint={receiver.url}", "--events=contact.nope") \
        == "[invalid_webhook_event] Event type 'contact.nope' is not supported. (HTTP 400)"
    assert wp.fails("fcwh", "webhooks", "update", str(webhook_id), "--status=paused") == (
        "[rest_invalid_param] Invalid parameter(s): status (status: status must be one of: active, inactive.) (HTTP 400)")
    invalid_since = wp.fails("fcwh", "recover", str(webhook_id), "--since=yesterday")
    assert invalid_since.startswith("[rest_invalid_param] Invalid parameter(s): since (since: ")
    assert wp.fails("fcwh", "deliveries", "list", str(webhook_id), "--per-page=500").startswith(
        "[rest_invalid_param] Invalid parameter(s): per_page")
    # WP-CLI's own checks: a missing required option, a format that is not offered.
    assert "missing --endpoint parameter" in wp.run("fcwh", "webhooks", "create", "--name=x", "--events=a").stderr
    assert wp.run("fcwh", "webhooks", "create", "--name=x", "--events=a").returncode == 1
    assert wp.run("fcwh", "webhooks", "list", "--format=xml").returncode == 1

    assert sidecar_webhooks(site_sidecar) == before


# -- status, the outbox, and a sidecar that is away -----------------------------------------------
def test_status_of_a_healthy_sidecar(wp: WpCli, site_sidecar: Sidecar) -> None:
    health = site_sidecar.api.get("/healthz").json()
    status = wp.ok("fcwh", "status", "--format=json").json()
    assert {k: status[k] for k in ("sidecar_url", "reachable", "version", "database", "token", "outbox")} == \
        {"sidecar_url": site_sidecar.url, "reachable": True, "version": health["version"], "database": "ok",
         "token": "accepted", "outbox": 0}
    stats = site_sidecar.api.get("/v2/stats")
    table = wp.ok("fcwh", "status").item()
    if stats.status_code == 404:  # a sidecar from before GET /v2/stats
        assert status["queue_depth"] is None and table["queue_depth"] == "unknown"
    else:
        counts = stats.json()["deliveries"]
        assert (status["queue_depth"], status["held"], status["failed"], status["retention_days"]) == \
            (counts["pending"] - counts["held"], counts["held"], counts["failed"], stats.json()["retention_days"])
        assert table["queue_depth"] == str(status["queue_depth"])
    assert table["reachable"] == "true" and table["token"] == "accepted"
    assert wp.ok("fcwh", "status", "--field=version").stdout.strip() == health["version"]


class _OldSidecar(BaseHTTPRequestHandler):
    """A sidecar from before `GET /v2/stats`: health and the webhook list, 404 for anything else."""

    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        answers = {"/healthz": {"status": "ok", "database": "ok", "version": "0.0.9"}, "/v2/webhooks": {"webhooks": []}}
        body = answers.get(self.path.split("?")[0], {"code": "rest_no_route", "message": "No route.",
                                                     "data": {"status": 404}})
        self.send_response(200 if self.path.split("?")[0] in answers else 404)
        self.send_header("Content-Type", "application/json")
        encoded = json.dumps(body).encode()
        self.send_header("Content-Length", str(len(encoded)))
        self.end_headers()
        self.wfile.write(encoded)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def plugin_settings(wordpress: WordPressSite, site_sidecar: Sidecar) -> Iterator[WordPressSite]:
    """The test may rewrite the plugin's sidecar constants and options; they are put back after."""
    saved_token = wordpress.get_option("fcwh_api_token")
    yield wordpress
    wordpress.use_sidecar_constants(site_sidecar.url, site_sidecar.token)
    # What the plugin learnt meanwhile (an empty subscription list from the old sidecar, an outage).
    wordpress.delete_option("fcwh_subscribed_events")
    if saved_token is None:
        wordpress.delete_option("fcwh_api_token")
    else:
        wordpress.set_option("fcwh_api_token", saved_token)
    wordpress.delete_option("fcwh_sidecar_health")


def test_status_of_an_older_sidecar_a_rejected_token_and_no_token(wp: WpCli, plugin_settings: WordPressSite,
                                                                   site_sidecar: Sidecar) -> None:
    old = ThreadingHTTPServer(("127.0.0.1", 0), _OldSidecar)
    threading.Thread(target=old.serve_forever, daemon=True).start()
    try:
        plugin_settings.use_sidecar_constants(f"http://127.0.0.1:{old.server_address[1]}", "any-token")
        status = wp.ok("fcwh", "status", "--format=json").json()
        assert (status["reachable"], status["version"], status["token"], status["queue_depth"], status["held"]) == \
            (True, "0.0.9", "accepted", None, None)
        table = wp.ok("fcwh", "status").item()
        assert (table["queue_depth"], table["held"], table["oldest_pending_at"]) == ("unknown", "unknown", "unknown")
    finally:
        old.shutdown()
        old.server_close()

    plugin_settings.use_sidecar_constants(site_sidecar.url, "not-the-token")
    rejected = wp.run("fcwh", "status", "--format=json")
    assert rejected.returncode == 1 and rejected.json()["token"] == "rejected"
    assert rejected.error.startswith("[fcwh_sidecar_token_rejected] The sidecar rejected the plugin's API token")
    assert wp.fails("fcwh", "webhooks", "list").startswith("[fcwh_sidecar_token_rejected]")

    plugin_settings.drop_sidecar_constants()
    plugin_settings.delete_option("fcwh_api_token")
    unconfigured = wp.run("fcwh", "status")
    assert unconfigured.returncode == 1 and unconfigured.item()["token"] == "not configured"
    assert unconfigured.error.startswith("[fcwh_sidecar_not_configured] FluentCRM Webhooks has no API token")
    assert wp.fails("fcwh", "webhooks", "list").startswith("[fcwh_sidecar_not_configured]")


def test_outbox_and_an_unreachable_sidecar(wp: WpCli, site_sidecar: Sidecar, crm: FluentCRM,
                                           receiver: Receiver) -> None:
    webhook_id = create(wp, receiver)
    assert wp.ok("fcwh", "outbox", "flush").stdout.strip() == "Success: The outbox is empty: nothing to send."
    unreachable = f"[fcwh_sidecar_unavailable] The FluentCRM Webhooks sidecar at {site_sidecar.url} could not be reached"
    site_sidecar.stop()
    try:
        emails = [crm.create_contact(unique_email("cli-outbox"))["email"] for _ in range(2)]
        outbox = wp.ok("fcwh", "outbox", "status", "--format=json").json()
        assert outbox["count"] == 2 and outbox["oldest"].endswith("Z")
        assert wp.ok("fcwh", "outbox", "status").item()["count"] == "2"
        assert wp.ok("fcwh", "outbox", "status", "--field=count").stdout.strip() == "2"

        # Every command that needs the sidecar says so and exits 1; nothing is lost or changed.
        assert wp.fails("fcwh", "outbox", "flush").startswith(
            f"Sent 0 events; 2 still waiting: The FluentCRM Webhooks sidecar at {site_sidecar.url} could not be reached")
        assert wp.ok("fcwh", "outbox", "status", "--field=count").stdout.strip() == "2"
        assert wp.fails("fcwh", "webhooks", "list").startswith(unreachable)
        assert wp.fails("fcwh", "webhooks", "create", "--name=Offline", f"--endpoint={receiver.url}",
                        "--events=contact.created").startswith(unreachable)
        assert wp.fails("fcwh", "deliveries", "list", str(webhook_id)).startswith(unreachable)
        down = wp.run("fcwh", "status", "--format=json")
        assert down.returncode == 1 and down.error.startswith(unreachable)
        assert {k: down.json()[k] for k in ("reachable", "version", "token", "queue_depth", "outbox")} == \
            {"reachable": False, "version": None, "token": None, "queue_depth": None, "outbox": 2}
        assert wp.run("fcwh", "status").item()["version"] == "unknown"
    finally:
        site_sidecar.start()

    assert [w["id"] for w in sidecar_webhooks(site_sidecar)] == [webhook_id]  # the offline create made nothing
    flushed = wp.ok("fcwh", "outbox", "flush", env={"SHELL_PIPE": "0"})  # SHELL_PIPE=0: the bar, off a terminal
    assert "Sending 2 waiting events" in flushed.stdout and "100%" in flushed.stdout
    assert "Sent 2 events from the outbox." in flushed.stdout
    assert wp.ok("fcwh", "outbox", "status", "--format=json").json()["count"] == 0
    receiver.wait_for(2)
    assert sorted(d.data["contact"]["email"] for d in delivered(receiver)) == sorted(emails)
    assert wp.ok("fcwh", "status", "--field=reachable").stdout.strip() == "true"
