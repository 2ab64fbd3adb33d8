"""The sidecar rides out a MariaDB restart: health says so while it is down, then all works again."""

from __future__ import annotations

import pytest
import requests

from tests.support.api import create_webhook, list_webhooks, new_event, send_events, wait_for_deliveries
from tests.support.receiver import Receiver

pytestmark = pytest.mark.mariadb


def test_requests_work_again_after_the_database_restarts(sidecar_factory, mariadb_server,
                                                         receiver: Receiver) -> None:
    sidecar = sidecar_factory(database_url=mariadb_server.create_database("t_database_restart"))
    webhook = create_webhook(sidecar.api, receiver.url)
    send_events(sidecar.api, new_event())
    # Wait for the success to be recorded too: stopping the database between the send and the write
    # of its outcome is also recovered (the lease runs out and it is sent again), only slower.
    wait_for_deliveries(sidecar.api, webhook["id"], 1, "success")

    mariadb_server.stop()
    try:
        health = requests.get(sidecar.url + "/healthz", timeout=30)
        assert health.status_code == 503 and health.json()["database"] == "error"
    finally:
        mariadb_server.start()

    # The very next requests work: pooled connections to the old server must not leak into them.
    assert [w["id"] for w in list_webhooks(sidecar.api)] == [webhook["id"]]
    assert requests.get(sidecar.url + "/healthz", timeout=30).json()["database"] == "ok"
    send_events(sidecar.api, new_event())
    receiver.wait_for(2)
    wait_for_deliveries(sidecar.api, webhook["id"], 2, "success")
    mariadb_server.sql("DROP DATABASE t_database_restart")


def test_restart_helper_keeps_port_and_data(sidecar_factory, mariadb_server, receiver: Receiver) -> None:
    sidecar = sidecar_factory(database_url=mariadb_server.create_database("t_database_restart2"))
    webhook = create_webhook(sidecar.api, receiver.url)
    mariadb_server.restart()
    assert list_webhooks(sidecar.api)[0]["id"] == webhook["id"]
    send_events(sidecar.api, new_event())
    receiver.wait_for(1)
    mariadb_server.sql("DROP DATABASE t_database_restart2")
