"""Property-based fuzzing of a running `fluentcrm-webhooks serve` from its own OpenAPI description
(schemathesis: the examples, coverage and fuzzing phases; valid and invalid inputs), on SQLite and
on MariaDB. Every answer must be no 5xx, a documented status code, JSON when JSON is documented,
and conform to the documented schema.

Bounded and reproducible: a fixed seed, derandomized generation, no example database, few
examples per operation. Safe: webhooks only ever point at http://127.0.0.1:9/ (the discard port,
where nothing listens), so no delivery or test send leaves the machine and no host name is resolved.
"""

from __future__ import annotations

import os
import socket
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from urllib.parse import quote

import hypothesis
import pytest
import schemathesis
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from fluentcrm_webhooks.openapi import document
from fluentcrm_webhooks.targets import UrlRejected, check_webhook_url
from tests.support.api import create_webhook, expect, list_deliveries, new_event, send_events
from tests.support.mariadb import MariaDBServer
from tests.support.sidecar import Sidecar, SidecarLauncher

# Fixed, so CI is reproducible; FCWH_FUZZ_SEED and FCWH_FUZZ_EXAMPLES explore further by hand.
SEED = int(os.environ.get("FCWH_FUZZ_SEED", "20240115"))
MAX_EXAMPLES = int(os.environ.get("FCWH_FUZZ_EXAMPLES", "150"))  # per operation, fuzzing phase; coverage adds its own
DISCARD = "http://127.0.0.1:9/"  # nothing listens on the discard port: every send is refused at once
FUZZ_ENV = {
    "FCWH_ALLOW_HTTP": "1",
    "FCWH_ALLOW_PRIVATE_TARGETS": "1",  # the URL check resolves no name when saving
    "FCWH_RETRY_DELAYS": "3600",  # one refused attempt per delivery during the fuzz, not a storm of retries
    "FCWH_TIMEOUT": "3",
}
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
FUZZ_DATABASE = "t_fuzz"
REAL_ID_RANGE = 10**6  # generated ids below this are steered to real rows (3 in 4) or to missing ones


@dataclass
class Seeded:
    """A sidecar with webhooks and deliveries in it, so that id routes hit real rows."""

    sidecar: Sidecar
    webhook_ids: list[int]
    deliveries: dict[int, list[int]] = field(default_factory=dict)
    answers: Counter[tuple[str, int]] = field(default_factory=Counter)  # (operation, status): how many

    def fresh_webhook(self) -> int:
        """A webhook made for one DELETE, so deletions never use up the others."""
        return create_webhook(self.sidecar.api, DISCARD + "deleted", name="To delete")["id"]


def nothing_listens_on_the_discard_port() -> bool:
    with socket.socket() as probe:
        probe.settimeout(1)
        return probe.connect_ex(("127.0.0.1", 9)) != 0


@pytest.fixture(scope="module", params=["sqlite", pytest.param("mariadb", marks=pytest.mark.mariadb)])
def seeded(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Seeded]:
    """One sidecar per database for every operation's fuzz (module scope: started once each)."""
    assert nothing_listens_on_the_discard_port(), "something listens on 127.0.0.1:9; the fuzz would send to it"
    database_url = None
    if request.param == "mariadb":
        server: MariaDBServer = request.getfixturevalue("mariadb_server")
        database_url = server.create_database(FUZZ_DATABASE)
    launcher = SidecarLauncher(lambda: tmp_path_factory.mktemp("fuzz-sidecar"), None)
    try:
        seeded = seed(launcher.launch(database_url=database_url, env=FUZZ_ENV))
        yield seeded
        print(f"\nfuzz on {request.param}: {sum(seeded.answers.values())} requests; (operation, status): count")
        for (label, status), count in sorted(seeded.answers.items()):
            print(f"  {label} {status}: {count}")
    finally:
        for sidecar in launcher.launched:
            if request.session.testsfailed:
                print(f"\n=== sidecar {sidecar.url} in {sidecar.workdir} ===\n{sidecar.logs_for_report()}")
        launcher.shutdown_all()
        if database_url is not None:
            server.sql(f"DROP DATABASE IF EXISTS `{FUZZ_DATABASE}`")


def seed(sidecar: Sidecar) -> Seeded:
    api = sidecar.api
    hooks = [
        create_webhook(api, DISCARD + "a", events=["contact.created", "contact.updated", "email.opened"]),
        create_webhook(api, DISCARD + "b", events=["contact.created"], ordered=True, max_concurrency=2),
        create_webhook(api, DISCARD + "c", events=["campaign.sent", "contact.created"], name="Ünïcode ✓ 🎉"),
        create_webhook(api, DISCARD + "d", events=["contact.created"], status="inactive"),
    ]
    send_events(api, *(new_event() for _ in range(3)), new_event("email.opened"), new_event("campaign.sent"))
    expect(api.post(f"/v2/webhooks/{hooks[0]['id']}/test"), 200)
    found = Seeded(sidecar, [hook["id"] for hook in hooks])
    for webhook_id in found.webhook_ids:
        found.deliveries[webhook_id] = [d["id"] for d in list_deliveries(api, webhook_id)]
    assert sum(map(len, found.deliveries.values())) >= 8, found.deliveries
    return found


# The description the package builds (test_openapi.py checks the sidecar serves exactly this).
schema = schemathesis.openapi.from_dict(document(), config=schemathesis.Config.from_dict({
    "seed": SEED,
    "request-timeout": 30,
    "generation": {"mode": "all", "max-examples": MAX_EXAMPLES, "deterministic": True, "database": "none"},
    "phases": {"stateful": {"enabled": False}},
}))


def small_id(value: object) -> int | None:
    """A generated id as a number when it is a positive one below REAL_ID_RANGE (ints, or the
    ASCII digits the coverage phase sends), else None: such ids are sent as generated."""
    if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) < 8:
        value = int(value)
    if isinstance(value, int) and not isinstance(value, bool) and 0 < value < REAL_ID_RANGE:
        return value
    return None


def steer_ids(case, seeded: Seeded) -> None:
    """Generated small ids go to real rows (3 in 4) or to rows that surely do not exist (1 in 4);
    other ids (huge ones, strings, negatives) are sent as generated. Each DELETE deletes a webhook
    made for it, so the seeded ones stay."""
    params = case.path_parameters
    webhook = small_id((params or {}).get("webhook_id"))
    if webhook is None:
        return
    kind = type(params["webhook_id"])
    if webhook % 4 == 0:
        params["webhook_id"] = kind(webhook + REAL_ID_RANGE)
        return
    if case.method.upper() == "DELETE" and case.path == "/v2/webhooks/{webhook_id}":
        params["webhook_id"] = kind(seeded.fresh_webhook())
        return
    webhook_id = seeded.webhook_ids[webhook % len(seeded.webhook_ids)]
    params["webhook_id"] = kind(webhook_id)
    delivery = small_id(params.get("delivery_id"))
    if delivery is None:
        return
    rows = seeded.deliveries.get(webhook_id) or []
    kind = type(params["delivery_id"])
    if delivery % 4 == 0 or not rows:
        params["delivery_id"] = kind(delivery + REAL_ID_RANGE)
    else:
        params["delivery_id"] = kind(rows[delivery % len(rows)])


def keep_targets_on_loopback(case) -> None:
    """A URL the sidecar would accept is replaced by one on the discard port: nothing is sent
    anywhere real. URLs it refuses are sent as generated (they are what the fuzz is after)."""
    body = case.body
    if not isinstance(body, dict) or not isinstance(body.get("url"), str) or body["url"].startswith(DISCARD):
        return
    try:
        check_webhook_url(body["url"], allow_http=True, allow_private=True)
    except UrlRejected:
        return
    body["url"] = DISCARD + quote(body["url"][-40:], safe="")


@hypothesis.settings(deadline=timedelta(seconds=15),
                     suppress_health_check=[hypothesis.HealthCheck.too_slow, hypothesis.HealthCheck.filter_too_much])
@schema.parametrize()
def test_fuzz(case, seeded: Seeded) -> None:
    if case.operation.path.startswith("/v2/webhooks"):
        steer_ids(case, seeded)
        keep_targets_on_loopback(case)
    sidecar = seeded.sidecar
    response = case.call(base_url=sidecar.url, headers={"Authorization": f"Bearer {sidecar.token}"})
    seeded.answers[(case.operation.label, response.status_code)] += 1
    case.validate_response(response, checks=CHECKS)
    forget_created_webhook(case, response, seeded)


def forget_created_webhook(case, response, seeded: Seeded) -> None:
    """A webhook the fuzz created is deleted once its answer is checked: left in place, hundreds of
    them would each record a delivery for every event later fuzz cases send to POST /v2/events,
    which then measures SQLite's write speed instead of the API's answers."""
    if case.method.upper() == "POST" and case.path == "/v2/webhooks" and response.status_code == 201:
        expect(seeded.sidecar.api.delete(f"/v2/webhooks/{response.json()['webhook']['id']}"), 200)
