"""A database made by the first release (schema version 1) is upgraded in place by `migrate`:
its webhooks and pending deliveries are kept and then delivered by the new engine."""

from __future__ import annotations

import sqlite3
import subprocess

import pytest

from fluentcrm_webhooks.migrations import LATEST_VERSION
from tests.support.api import list_deliveries, list_webhooks, wait_for_deliveries
from tests.support.receiver import Receiver
from tests.support.sidecar import base_environment, command_path

# The version-1 tables, as that release created them (SQLite spelling; MariaDB's below).
VERSION_1 = [
    'CREATE TABLE "wp_fcwh_schema" ("version" INTEGER NOT NULL PRIMARY KEY, "applied_at" DATETIME NOT NULL)',
    'CREATE TABLE "wp_fcwh_attempts" ("id" INTEGER NOT NULL PRIMARY KEY, "delivery_id" INTEGER NOT NULL, '
    '"attempted_at" DATETIME NOT NULL, "response_code" INTEGER, "response_time" INTEGER, "response_body" TEXT, '
    '"error" TEXT, "request_headers" TEXT)',
    'CREATE TABLE "wp_fcwh_deliveries" ("id" INTEGER NOT NULL PRIMARY KEY, "webhook_id" INTEGER NOT NULL, '
    '"event" VARCHAR(64) NOT NULL, "event_id" VARCHAR(64) NOT NULL, "body" LONGTEXT NOT NULL, '
    '"signature" VARCHAR(80) NOT NULL, "status" VARCHAR(16) NOT NULL, "attempts" INTEGER NOT NULL, '
    '"response_code" INTEGER, "response_time" INTEGER, "response_body" TEXT, "error" TEXT, '
    '"next_attempt_at" DATETIME, "attempted_at" DATETIME, "created_at" DATETIME NOT NULL)',
    'CREATE INDEX "wp_fcwh_deliveries_webhook_id_status_id" ON "wp_fcwh_deliveries" ("webhook_id", "status", "id")',
    'CREATE INDEX "wp_fcwh_deliveries_status_next_attempt_at" ON "wp_fcwh_deliveries" ("status", "next_attempt_at")',
    'CREATE TABLE "wp_fcwh_events" ("event_id" VARCHAR(64) NOT NULL PRIMARY KEY, "created_at" DATETIME NOT NULL)',
    'CREATE TABLE "wp_fcwh_webhooks" ("id" INTEGER NOT NULL PRIMARY KEY, "name" VARCHAR(191) NOT NULL, '
    '"url" VARCHAR(2048) NOT NULL, "events" TEXT NOT NULL, "status" VARCHAR(16) NOT NULL, '
    '"secret" VARCHAR(255) NOT NULL, "consecutive_failures" INTEGER NOT NULL, "created_at" DATETIME NOT NULL, '
    '"updated_at" DATETIME NOT NULL)',
    "INSERT INTO \"wp_fcwh_schema\" VALUES (1, '2026-01-01 00:00:00')",
]


def rows(url: str) -> list[str]:
    now = "2026-01-01 00:00:00"
    body = '{"id":"old-1","event":"contact.created","timestamp":"2026-01-01T00:00:00Z","webhook_id":1,"data":{}}'
    return [
        "INSERT INTO \"wp_fcwh_webhooks\" VALUES (1, 'From v1', '%s', 'EVENTS', 'active', 's3cret', 0, "
        "'%s', '%s')" % (url, now, now),
        "INSERT INTO \"wp_fcwh_deliveries\" (\"id\", \"webhook_id\", \"event\", \"event_id\", \"body\", "
        "\"signature\", \"status\", \"attempts\", \"next_attempt_at\", \"created_at\") VALUES (1, 1, "
        "'contact.created', 'old-1', 'BODY', 'sha256=old', 'pending', 0, '%s', '%s')" % (now, now),
    ], {"EVENTS": '["contact.created"]', "BODY": body}


def spelled(statement: str, values: dict[str, str], mariadb: bool) -> str:
    """Identifiers quoted for the database, then the JSON values put in (they hold double quotes)."""
    if mariadb:
        statement = statement.replace('"', "`").replace("INTEGER NOT NULL PRIMARY KEY",
                                                         "INTEGER NOT NULL AUTO_INCREMENT PRIMARY KEY")
    for placeholder, value in values.items():
        statement = statement.replace(placeholder, value)
    return statement


@pytest.mark.parametrize("backend", ["sqlite", pytest.param("mariadb", marks=pytest.mark.mariadb)], indirect=True)
def test_a_version_1_database_is_upgraded_in_place_and_its_pending_delivery_sent(
        sidecar_factory, backend, receiver: Receiver, request, tmp_path) -> None:
    data, values = rows(receiver.url)
    statements = VERSION_1 + data
    if backend.database_url is None:
        database = tmp_path / "fcwh.sqlite3"
        with sqlite3.connect(database) as connection:
            for statement in statements:
                connection.execute(spelled(statement, values, mariadb=False))
        database_url = f"sqlite:///{database}"
    else:
        server = request.getfixturevalue("mariadb_server")
        name = backend.database_url.rsplit("/", 1)[1]
        for statement in statements:
            server.sql(spelled(statement, values, mariadb=True), database=name)
        database_url = backend.database_url

    env = base_environment(tmp_path, None, database_url, "t")
    migrated = subprocess.run([command_path(), "migrate"], env=env, capture_output=True, text=True, timeout=60)
    assert migrated.returncode == 0, migrated.stderr
    assert f"Schema is at version {LATEST_VERSION}." in migrated.stdout
    again = subprocess.run([command_path(), "migrate"], env=env, capture_output=True, text=True, timeout=60)
    assert again.returncode == 0 and f"version {LATEST_VERSION}" in again.stdout, again.stderr

    sidecar = sidecar_factory(database_url=database_url)
    [webhook] = list_webhooks(sidecar.api)
    assert (webhook["name"], webhook["max_concurrency"], webhook["ordered"], webhook["paced"],
            webhook["retention_days"]) == ("From v1", None, False, False, None)
    wait_for_deliveries(sidecar.api, 1, 1, "success", timeout=60)
    [request_seen] = receiver.wait_for(1)
    assert request_seen.headers["x-fluentcrm-signature"] != "sha256=old", "signed at send time, not the stored one"
    assert list_deliveries(sidecar.api, 1)[0]["event_id"] == "old-1"
