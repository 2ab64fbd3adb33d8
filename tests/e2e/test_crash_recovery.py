"""At least once: a sidecar killed with SIGKILL in the middle of a burst loses no delivery."""

from __future__ import annotations

import signal

from tests.support.api import create_webhook, list_deliveries, new_event, send_events, wait_for_deliveries
from tests.support.receiver import Receiver
from tests.support.waiting import wait_until

BURST = 40


def test_kill_9_mid_burst_then_restart_delivers_everything(sidecar_factory, backend,
                                                           receiver: Receiver) -> None:
    # A short timeout shortens the lease on deliveries caught in flight (they are re-sent after it).
    sidecar = sidecar_factory(database_url=backend.database_url, env={"FCWH_TIMEOUT": "2"})
    receiver.set_default(200, delay=0.3)  # slow enough that the kill lands mid-burst
    webhook = create_webhook(sidecar.api, receiver.url)
    assert send_events(sidecar.api, *[new_event() for _ in range(BURST)])["deliveries"] == BURST
    expected_ids = {str(d["id"]) for d in list_deliveries(sidecar.api, webhook["id"])}
    assert len(expected_ids) == BURST

    receiver.wait_for(5)
    sidecar.kill(signal.SIGKILL)
    received_before_restart = len(receiver.requests)
    assert received_before_restart < BURST, "the burst finished before the kill; make the receiver slower"

    sidecar.start()
    receiver.set_default(200)

    def every_delivery_arrived() -> bool:
        return expected_ids <= {r.headers.get("x-fluentcrm-delivery") for r in receiver.requests}

    wait_until(every_delivery_arrived, timeout=90, message=lambda: (
        f"every delivery to arrive; missing "
        f"{sorted(expected_ids - {r.headers.get('x-fluentcrm-delivery') for r in receiver.requests})}"))
    deliveries = wait_for_deliveries(sidecar.api, webhook["id"], BURST, "success", timeout=60)
    assert {d["status"] for d in deliveries} == {"success"}
    # At least once, not "many times": only deliveries caught in flight by the kill may repeat.
    assert len(receiver.requests) <= BURST + sidecar_workers(sidecar) * 2
    unknown = {r.headers.get("x-fluentcrm-delivery") for r in receiver.requests} - expected_ids
    assert not unknown, f"deliveries nobody created: {unknown}"


def sidecar_workers(sidecar) -> int:
    return int(sidecar.env["FCWH_WORKERS"])
