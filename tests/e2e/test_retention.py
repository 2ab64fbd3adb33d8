"""Retention (pruner.py): finished deliveries past their webhook's retention go with their attempts;
pending ones (due, retrying, held) never do. Run against `serve` on SQLite and MariaDB, with the
rows made old in the database itself (the pruner compares with the database's times)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest
from playhouse.db_url import connect

from tests.support.api import (create_webhook, expect, get_webhook, list_deliveries, new_event, send_events,
                               update_webhook, wait_for_deliveries, wait_for_webhook)
from tests.support.receiver import Receiver
from tests.support.waiting import wait_until

DELIVERIES = "wp_fcwh_deliveries"
ATTEMPTS = "wp_fcwh_attempts"


def database_url(sidecar, backend) -> str:
    return backend.database_url or f"sqlite:///{sidecar.workdir / 'fcwh.sqlite3'}"


def age_everything(url: str, days: int) -> None:
    """Move every delivery and attempt `days` into the past, as if the log had been kept that long."""
    then = (datetime.now(UTC) - timedelta(days=days)).replace(tzinfo=None, microsecond=0)
    db = connect(url)
    with db.connection_context(), db.atomic():
        db.execute_sql(f"UPDATE {DELIVERIES} SET created_at = %s, "
                       "attempted_at = CASE WHEN attempted_at IS NULL THEN NULL ELSE %s END"
                       .replace("%s", db.param), (then, then))
        db.execute_sql(f"UPDATE {ATTEMPTS} SET attempted_at = {db.param}", (then,))


def attempts_of(url: str, delivery_ids: list[int]) -> int:
    db = connect(url)
    marks = ", ".join([db.param] * len(delivery_ids))
    with db.connection_context():
        return db.execute_sql(f"SELECT COUNT(*) FROM {ATTEMPTS} WHERE delivery_id IN ({marks})",
                              delivery_ids).fetchone()[0]


def test_finished_deliveries_past_retention_go_and_pending_ones_stay(sidecar_factory, backend,
                                                                      receiver_factory) -> None:
    sidecar = sidecar_factory(database_url=backend.database_url, env={
        "FCWH_RETRY_DELAYS": "0", "FCWH_RETENTION_DAYS": "30", "FCWH_PRUNE_INTERVAL": "0.5"})
    api = sidecar.api
    ok: Receiver = receiver_factory()
    flaky: Receiver = receiver_factory()
    gone: Receiver = receiver_factory()
    flaky.set_default(500)
    gone.set_default(410)
    default = create_webhook(api, ok.url, name="default retention")
    forever = create_webhook(api, ok.url, name="kept for ever", retention_days=0)
    quarter = create_webhook(api, ok.url, name="kept 90 days", retention_days=90)
    failing = create_webhook(api, flaky.url, name="ends failed")
    dead = create_webhook(api, gone.url, name="410: turns failed and holds its events")
    assert (default["retention_days"], forever["retention_days"], quarter["retention_days"]) == (None, 0, 90)

    send_events(api, new_event(), new_event())
    for webhook in (default, forever, quarter):
        wait_for_deliveries(api, webhook["id"], 2, "success")
    wait_for_deliveries(api, failing["id"], 2, "failed")
    wait_for_webhook(api, dead["id"], status="failed")
    send_events(api, new_event())  # held by the failed webhook before any attempt
    wait_for_deliveries(api, default["id"], 3, "success")
    wait_for_deliveries(api, failing["id"], 3, "failed")
    before = {w["id"]: list_deliveries(api, w["id"]) for w in (default, forever, quarter, failing, dead)}
    held = before[dead["id"]]
    assert [d["status"] for d in held] == ["pending"] * 3
    assert held[0]["attempts"] == 0 and held[-1]["attempts"] == 1, "held with and without an attempt"
    url = database_url(sidecar, backend)
    pruned_ids = [d["id"] for w in (default, failing) for d in before[w["id"]]]
    assert attempts_of(url, pruned_ids) == 3 + 3 * 2

    age_everything(url, days=40)
    wait_until(lambda: not list_deliveries(api, default["id"]) and not list_deliveries(api, failing["id"]),
               timeout=30, message="the 40-day-old finished deliveries to be pruned")
    assert attempts_of(url, pruned_ids) == 0, "attempts go with their deliveries"
    for webhook in (forever, quarter, dead):  # kept for ever, within 90 days, pending
        assert [d["id"] for d in list_deliveries(api, webhook["id"])] == [d["id"] for d in before[webhook["id"]]]

    # Past 90 days the 90-day webhook's go too; held deliveries still stay, however old.
    age_everything(url, days=100)
    wait_until(lambda: not list_deliveries(api, quarter["id"]), timeout=30, message="the 90-day webhook's prune")
    assert len(list_deliveries(api, forever["id"])) == 3
    assert [d["id"] for d in list_deliveries(api, dead["id"])] == [d["id"] for d in held]
    # ...and are still sent when their webhook is back.
    gone.set_default(200)
    update_webhook(api, dead["id"], status="active")
    wait_for_deliveries(api, dead["id"], 3, "success")
    assert get_webhook(api, dead["id"])["held_deliveries"] == 0


def test_retention_days_is_validated_and_a_bad_value_changes_nothing(sidecar) -> None:
    api = sidecar.api
    webhook = create_webhook(api, "https://127.0.0.1:9/hook", retention_days=7, status="inactive")
    for bad in (-1, 36501, 1.5, "30", True):
        for response in (api.post("/v2/webhooks", json={"name": "x", "url": "https://127.0.0.1:9/x",
                                                        "events": ["contact.created"], "retention_days": bad}),
                         api.put(f"/v2/webhooks/{webhook['id']}", json={"retention_days": bad})):
            assert response.status_code == 400, (bad, response.text)
            assert response.json()["code"] == "rest_invalid_param"
            assert response.json()["data"]["params"] == {"retention_days": (
                "retention_days must be null or a whole number of days, 0 (keep for ever) to 36500.")}
    assert [w["id"] for w in expect(api.get("/v2/webhooks"), 200)["webhooks"]] == [webhook["id"]]
    assert get_webhook(api, webhook["id"])["retention_days"] == 7
    assert update_webhook(api, webhook["id"], retention_days=None)["retention_days"] is None


def test_stats_count_the_log_and_say_the_retention(sidecar_factory, backend, receiver: Receiver) -> None:
    sidecar = sidecar_factory(database_url=backend.database_url, env={"FCWH_RETENTION_DAYS": "14"})
    api = sidecar.api
    empty = expect(api.get("/v2/stats"), 200)
    assert empty == {"deliveries": {"pending": 0, "success": 0, "failed": 0, "held": 0, "total": 0},
                     "attempts": 0, "oldest_pending_at": None, "retention_days": 14}
    sent = create_webhook(api, receiver.url)
    send_events(api, new_event(), new_event(), new_event())
    wait_for_deliveries(api, sent["id"], 3, "success")
    update_webhook(api, sent["id"], status="inactive")
    receiver.set_default(410)
    holding = create_webhook(api, receiver.url)
    send_events(api, new_event())
    wait_for_webhook(api, holding["id"], status="failed")
    send_events(api, new_event(), new_event())  # held at once
    stats = expect(api.get("/v2/stats"), 200)
    assert stats["deliveries"] == {"pending": 3, "success": 3, "failed": 0, "held": 3, "total": 6}
    assert stats["attempts"] == 3 + 1
    assert stats["oldest_pending_at"] is None, "held deliveries are not a backlog"
    assert expect(api.get("/v2/stats", headers={"Authorization": "Bearer wrong"}), 401)["code"] == "rest_not_logged_in"


@pytest.mark.mariadb
def test_the_prune_runs_beside_concurrent_intake_and_loses_nothing(sidecar_factory, mariadb_server,
                                                                   receiver_factory) -> None:
    """5,000 old finished deliveries pruned while four threads post events: every batch is taken,
    every new delivery is recorded and sent, and only the old ones go."""
    url = mariadb_server.create_database("t_prune_beside_intake")
    sidecar = sidecar_factory(database_url=url, env={"FCWH_PRUNE_INTERVAL": "0.2"})
    api = sidecar.api
    receiver: Receiver = receiver_factory()
    webhook = create_webhook(api, receiver.url)
    old = (datetime.now(UTC) - timedelta(days=60)).replace(tzinfo=None, microsecond=0)
    db = connect(url)
    with db.connection_context(), db.atomic():
        for start in range(0, 5000, 500):
            rows = [(webhook["id"], "contact.created", f"old-{n}", "{}", "success", 1, 200, old, old)
                    for n in range(start, start + 500)]
            marks = ", ".join(["(%s, %s, %s, %s, %s, %s, %s, %s, %s)"] * len(rows))
            db.execute_sql(f"INSERT INTO {DELIVERIES} (webhook_id, event, event_id, body, status, attempts, "
                           f"response_code, attempted_at, created_at) VALUES {marks}",
                           [value for row in rows for value in row])

    def post(share: int) -> list[int]:
        return [api.post("/v2/events", json={"events": [new_event() for _ in range(5)]}, timeout=60).status_code
                for _ in range(share)]

    with ThreadPoolExecutor(4) as pool:
        statuses = [status for share in pool.map(post, [25] * 4) for status in share]
    assert statuses == [200] * 100

    def remaining_old() -> int:
        with db.connection_context():
            return db.execute_sql(f"SELECT COUNT(*) FROM {DELIVERIES} WHERE event_id LIKE %s", ("old-%",)).fetchone()[0]

    def succeeded() -> int:
        page = expect(api.get(f"/v2/webhooks/{webhook['id']}/deliveries", params={"status": "success"}), 200)
        return page["pagination"]["total"]

    wait_until(lambda: succeeded() == 500 and remaining_old() == 0, timeout=120,
               message="the 500 new deliveries to succeed and the 5,000 old ones to be pruned")

    new = expect(api.get(f"/v2/webhooks/{webhook['id']}/deliveries", params={"per_page": 100}), 200)
    assert new["pagination"]["total"] == 500 and {d["status"] for d in new["deliveries"]} == {"success"}
    assert len({r.headers["x-fluentcrm-delivery"] for r in receiver.requests}) == 500
