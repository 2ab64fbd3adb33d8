"""Scale-out on Redis: `serve` plus two separate `fluentcrm-webhooks worker` processes against one
MariaDB share the deliveries, send each once, and lose nothing when Redis restarts empty."""

from __future__ import annotations

import re
from collections import Counter

import pytest
import redis

from tests.conftest import database_name_for
from tests.scaleout.redis_server import RedisServer
from tests.support.api import create_webhook, new_event, send_events
from tests.support.mariadb import MariaDBServer
from tests.support.processes import ManagedProcess
from tests.support.receiver import Receiver
from tests.support.sidecar import Sidecar
from tests.support.waiting import wait_until

pytestmark = [pytest.mark.redis, pytest.mark.mariadb]

# The INFO line each delivering process writes per attempt (delivery.py).
SENT = re.compile(r"delivery (\d+) webhook \d+ event \S+ attempt \d+: success")
BATCH = 100


def sent_by(log_text: str) -> list[int]:
    return [int(match.group(1)) for match in SENT.finditer(log_text)]


@pytest.fixture
def scaled_sidecar(sidecar_factory, mariadb_server: MariaDBServer, redis_server: RedisServer,
                   request: pytest.FixtureRequest) -> Sidecar:
    """`serve` and two `worker` processes on one MariaDB database and one Redis queue."""
    database_url = mariadb_server.create_database(database_name_for(request))
    sidecar = sidecar_factory(database_url=database_url,
                              env={"FCWH_QUEUE_URL": redis_server.url, "FCWH_WORKERS": "2"})
    for _ in range(2):
        worker = sidecar.start_worker()
        wait_until(lambda: "attempts in flight" in worker.log_text(), timeout=30,
                   message=lambda: f"{worker.log_path.name} to start; log:\n{worker.log_tail()}")
    return sidecar


def send_in_batches(sidecar: Sidecar, count: int) -> None:
    for start in range(0, count, BATCH):
        send_events(sidecar.api, *[new_event("email.sent") for _ in range(min(BATCH, count - start))])


def deliveries_by_status(mariadb_server: MariaDBServer, sidecar: Sidecar) -> dict[str, int]:
    database = sidecar.env["FCWH_DATABASE_URL"].rsplit("/", 1)[1]
    rows = mariadb_server.sql("SELECT status, COUNT(*) FROM wp_fcwh_deliveries GROUP BY status", database=database)
    return dict(rows)


def assert_each_received_once(receiver: Receiver, count: int) -> list[int]:
    ids = Counter(int(r.headers["x-fluentcrm-delivery"]) for r in receiver.wait_for(count, timeout=120))
    doubles = {delivery_id: n for delivery_id, n in ids.items() if n > 1}
    assert not doubles, f"deliveries received more than once: {doubles}"
    assert len(ids) == count
    return sorted(ids)


def test_two_workers_share_the_load_and_send_each_delivery_once(
        scaled_sidecar: Sidecar, receiver: Receiver, mariadb_server: MariaDBServer) -> None:
    count = 400
    # A small delay keeps every process's slots busy, so each claims a share of the deliveries.
    receiver.set_default(delay=0.02)
    create_webhook(scaled_sidecar.api, receiver.url, ["email.sent"])
    send_in_batches(scaled_sidecar, count)

    received = assert_each_received_once(receiver, count)
    wait_until(lambda: deliveries_by_status(mariadb_server, scaled_sidecar) == {"success": count}, timeout=60,
               message=lambda: f"{count} successes; table: {deliveries_by_status(mariadb_server, scaled_sidecar)}")
    logs: dict[str, list[int]] = {"serve": sent_by(scaled_sidecar.log_text())}
    logs.update({worker.log_path.name: sent_by(worker.log_text()) for worker in scaled_sidecar.workers})
    shares = {name: len(ids) for name, ids in logs.items()}
    assert all(shares[worker.log_path.name] > 0 for worker in scaled_sidecar.workers), f"shares {shares}"
    everything = [delivery_id for ids in logs.values() for delivery_id in ids]
    assert sorted(everything) == received, f"logged sends {shares} do not match the {count} received"


def test_a_redis_restart_loses_no_delivery(scaled_sidecar: Sidecar, receiver: Receiver,
                                           redis_server: RedisServer, mariadb_server: MariaDBServer) -> None:
    """Redis only rings the doorbell between processes (queue.py); the deliveries table is the
    queue. A Redis that restarts empty mid-burst costs at most a look's delay, never a delivery."""
    count = 400
    receiver.set_default(delay=0.05)  # slow enough that most deliveries are still to go at the restart
    create_webhook(scaled_sidecar.api, receiver.url, ["email.sent"])
    send_in_batches(scaled_sidecar, count)
    receiver.wait_for(10, timeout=60)
    assert len(receiver.requests) < count, "the burst ended before the restart, which then proves nothing"
    redis_server.restart()  # no persistence: every doorbell task is gone
    send_in_batches(scaled_sidecar, 100)  # intake rings a doorbell that is coming back

    assert_each_received_once(receiver, count + 100)
    wait_until(lambda: deliveries_by_status(mariadb_server, scaled_sidecar) == {"success": count + 100}, timeout=60,
               message=lambda: f"{count + 100} successes; table: {deliveries_by_status(mariadb_server, scaled_sidecar)}")
    processes: list[ManagedProcess] = [scaled_sidecar.process, *scaled_sidecar.workers]
    assert all(p.running for p in processes), "every process must survive the Redis restart"
    after_restart = [sent_by(worker.log_text()) for worker in scaled_sidecar.workers]
    assert all(after_restart), "the workers kept delivering"


def test_redis_server_helper_restarts_on_the_same_port(redis_server: RedisServer) -> None:
    client = redis.Redis.from_url(redis_server.url)
    client.set("k", "v")
    port = redis_server.port
    redis_server.restart()
    assert redis_server.port == port
    assert client.get("k") is None, "a restart without persistence starts empty"
    client.close()
