"""The real WordPress of the benchmarks: the test suite's site (tests/support/wordpress.py) with
the plugin, the FluentCRM stand-in, the baseline plugins of bench/wp-plugins, and a sidecar on
the site's own database, found by the plugin through the wp-config constants."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable

import requests

from tests.support.mariadb import MariaDBServer
from tests.support.sidecar import Sidecar
from tests.support.waiting import wait_until
from tests.support.wordpress import (DATABASE, PLUGIN_FILE, PLUGIN_SOURCE, STANDIN_FILE, TABLE_PREFIX,
                                     WordPressSite, missing_tools)

from .real_fluentcrm import REAL_PLUGIN_FILE

BENCH_PLUGINS = Path(__file__).with_name("wp-plugins")
# Must-use plugins of the real-FluentCRM site: a per-request switch of the configuration.
BENCH_MU_PLUGINS = Path(__file__).with_name("mu-plugins")
SYNC_BASELINE = "sync-remote-post/sync-remote-post.php"
AS_BASELINE = "as-style-sender/as-style-sender.php"
BURST_HELPER = "campaign-burst/campaign-burst.php"
OURS = PLUGIN_FILE
SWITCHABLE = (OURS, SYNC_BASELINE, AS_BASELINE, BURST_HELPER)

# What the plugin may have cached about an earlier sidecar's subscriptions.
FORGET_PLUGIN_CACHE = "delete_option('fcwh_subscribed_events'); delete_option('fcwh_sidecar_health');"


@dataclass(frozen=True)
class CallTiming:
    answered: float  # seconds until the complete answer was in the client's hands
    ended: float  # seconds until the server closed the request


class BenchSite:
    """`fluentcrm`: a real FluentCRM plugin folder to run instead of the stand-in (in a database
    of its own, so both sites can run in one benchmark)."""

    def __init__(self, root: Path, mariadb: MariaDBServer, ca_bundle: Path, fluentcrm: Path | None = None) -> None:
        root.mkdir(parents=True, exist_ok=True)
        if fluentcrm is None:
            self.host = STANDIN_FILE
            self.wp = WordPressSite(root, mariadb)
        else:
            self.host = REAL_PLUGIN_FILE
            self.wp = WordPressSite(root, mariadb, database=DATABASE + "_real_fluentcrm",
                                    plugins={"fluent-crm": fluentcrm, "fluentcrm-webhooks": PLUGIN_SOURCE},
                                    activate=[REAL_PLUGIN_FILE, PLUGIN_FILE])
        self.ca_bundle = ca_bundle
        self.sidecar: Sidecar | None = None
        self.http: requests.Session | None = None

    @staticmethod
    def missing() -> list[str]:
        return missing_tools()

    def start(self) -> "BenchSite":
        self.wp.install()
        plugins = self.wp.root / "wp-content" / "plugins"
        for entry in BENCH_PLUGINS.iterdir():  # the baselines, beside whichever FluentCRM
            (plugins / entry.name).symlink_to(entry, target_is_directory=True)
        if self.host != STANDIN_FILE:
            mu_plugins = self.wp.root / "wp-content" / "mu-plugins"
            mu_plugins.mkdir(exist_ok=True)
            for entry in BENCH_MU_PLUGINS.iterdir():
                (mu_plugins / entry.name).symlink_to(entry)
        self.wp.start()
        self.wp.set_option("fcwh_bench_ca_bundle", str(self.ca_bundle))
        self.http = self.wp.session("admin")
        return self

    def stop(self) -> None:
        if self.http is not None:
            self.http.close()
        self.wp.stop()

    def connect(self, sidecar: Sidecar, transport: str | None = None) -> None:
        """Point the plugin at this sidecar (on the site's database) and forget older state.
        `transport`: the plugin's FCWH_TRANSPORT constant (`http`: never the hand-over)."""
        self.sidecar = sidecar
        self.use_transport(transport)
        self.wp.php(FORGET_PLUGIN_CACHE)

    def use_transport(self, transport: str | None) -> None:
        """Rewrite the wp-config constants (read again on the next request: revalidate_freq=0)."""
        self.wp.use_sidecar_constants(self.sidecar.url, self.sidecar.token)
        if transport is not None:
            constants = self.wp.root / "fcwh-constants.php"
            constants.write_text(constants.read_text() + f"define('FCWH_TRANSPORT', {json.dumps(transport)});\n")

    def activate_only(self, *active: str) -> None:
        """Exactly these of the switchable plugins active (the stand-in or FluentCRM always is)."""
        self.wp.php(
            "require_once ABSPATH . 'wp-admin/includes/plugin.php';"
            f"deactivate_plugins({json.dumps([p for p in SWITCHABLE if p not in active])}, true);"
            f"foreach ({json.dumps([self.host, *active])} as $p) {{ $r = activate_plugin($p);"
            " if (is_wp_error($r)) { fwrite(STDERR, $p . ': ' . $r->get_error_message()); exit(1); } }")
        self.wp.php(FORGET_PLUGIN_CACHE)

    def open_handover(self, timeout: float = 30) -> None:
        """Have the plugin read the sidecar's `handover` row now (it does once a minute by itself)
        until the hand-over is open: the sidecar writes the row once it finds the outbox table."""
        wait_until(lambda: self.wp.php_json("fcwh_check_handover()") is True, timeout=timeout, interval=0.5,
                   message="the plugin to see the sidecar taking its outbox table (fcwh_state 'handover')")

    # -- calls ---------------------------------------------------------------------------------
    def rest(self, method: str, route: str, expect: int = 200, timeout: float = 600, **body: Any) -> Any:
        answer = self.http.request(method, self.wp.rest_url(route), json=body or None, timeout=timeout)
        if answer.status_code != expect:
            raise AssertionError(f"{method} {route} answered {answer.status_code}: {answer.text[:1000]}")
        return answer.json()

    def create_webhooks(self, url: str, events: Iterable[str], count: int, secret: str) -> list[int]:
        """Through the plugin's REST API, as a site owner would (it also refreshes its cache)."""
        return [self.rest("POST", "/fluent-crm/v2/outgoing-webhooks", expect=201, name=f"bench {n}", url=url,
                          events=list(events), secret=secret)["webhook"]["id"] for n in range(count)]

    def delete_all_webhooks(self) -> None:
        for webhook in self.sidecar.api.get("/v2/webhooks").json()["webhooks"]:
            self.sidecar.api.delete(f"/v2/webhooks/{webhook['id']}")
        self.wp.php(FORGET_PLUGIN_CACHE)

    def timed_create_contact(self, index: int, headers: dict[str, str] | None = None) -> CallTiming:
        """FluentCRM's `POST /subscribers` as a REST client sees it: when the whole JSON answer
        has arrived, and when the request ended (`php -S` closes the connection only after the
        shutdown hooks, the plugin's flush included; php-fpm hands the answer over before them,
        through the fastcgi_finish_request() the plugin calls)."""
        started = time.perf_counter()
        answer = self.http.post(self.wp.rest_url("/fluent-crm/v2/subscribers"), timeout=600, stream=True, headers=headers,
                                json={"email": f"bench-{index}-{time.time_ns()}@example.com", "status": "subscribed",
                                      "first_name": "José", "last_name": "Müller"})
        body, complete = b"", None
        while chunk := answer.raw.read1(65536):  # whatever has arrived, without waiting for more
            body += chunk
            if complete is None and body.rstrip().endswith(b"}"):
                try:
                    json.loads(body)
                    complete = time.perf_counter() - started
                except ValueError:
                    pass
        ended = time.perf_counter() - started
        if answer.status_code != 200 or complete is None:
            raise AssertionError(f"POST /subscribers answered {answer.status_code}: {body[:1000]!r}")
        return CallTiming(complete, ended)

    def sql(self, query: str) -> tuple:
        return self.wp.mariadb.sql(query, database=self.database)

    @property
    def database(self) -> str:
        return self.wp.database_url.rsplit("/", 1)[1]

    @property
    def prefix(self) -> str:
        return TABLE_PREFIX

    def outbox_size(self) -> int:
        return int(self.sql(f"SELECT COUNT(*) FROM {self.prefix}fcwh_outbox")[0][0])

    def run_cron_hook(self, hook: str) -> None:
        """What WP-cron does when the event is due, run now (the site has DISABLE_WP_CRON)."""
        self.wp.php(f"do_action({json.dumps(hook)});", timeout=600)

    def read_peak_memory_mb(self) -> float:
        path = self.wp.root / "wp-content" / "fcwh-bench-peak.json"
        return json.loads(path.read_text())["peak_bytes"] / 1024 / 1024

