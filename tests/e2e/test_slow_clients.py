"""Slow peers cannot take the sidecar's request threads (db.HTTP_THREADS of them) away from intake:
`/test` calls waiting on a slow receiver wait on the event loop, and a client that drips its body
is cut off by FCWH_REQUEST_TIMEOUT with a 408, having changed nothing.

No timing assertions: each test holds the slow side still (a receiver that answers only when the
test lets it, a client that never finishes its body) and checks that intake answers meanwhile,
which it could not do if the slow side held every request thread.
"""

from __future__ import annotations

import http.server
import json
import socket
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from fluentcrm_webhooks.db import HTTP_THREADS
from tests.support.api import create_webhook, expect, list_deliveries, list_webhooks, new_event, send_events

SLOW_CALLS = HTTP_THREADS + 8  # more than there are request threads


class GatedReceiver(http.server.ThreadingHTTPServer):
    """Answers 200 to each POST, but only once `gate` is set; counts arrivals."""

    daemon_threads = True

    def __init__(self) -> None:
        self.gate = threading.Event()
        self.arrived = threading.Semaphore(0)
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                receiver.arrived.release()
                receiver.gate.wait(120)
                self.send_response(200)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args: object) -> None:
                pass

        super().__init__(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/hook"

    def wait_for_arrivals(self, count: int) -> None:
        for index in range(count):
            assert self.arrived.acquire(timeout=60), f"only {index} of {count} requests reached the receiver"


@pytest.fixture
def gated_receiver() -> Iterator[GatedReceiver]:
    receiver = GatedReceiver()
    yield receiver
    receiver.gate.set()
    receiver.shutdown()
    receiver.server_close()


def test_test_calls_to_a_slow_receiver_do_not_starve_intake(sidecar_factory, backend, gated_receiver) -> None:
    # FCWH_TIMEOUT far beyond the client's patience below: were intake waiting for a request thread
    # that a /test call holds, it would time out long before any /test ended on its own.
    sidecar = sidecar_factory(database_url=backend.database_url, env={"FCWH_ALLOW_HTTP": "1", "FCWH_TIMEOUT": "120"})
    slow = create_webhook(sidecar.api, gated_receiver.url, ["contact.deleted"], status="inactive")
    with ThreadPoolExecutor(SLOW_CALLS) as pool:
        tests = [pool.submit(requests.post, sidecar.api.url(f"/v2/webhooks/{slow['id']}/test"),
                             headers={"Authorization": f"Bearer {sidecar.token}"}, timeout=180)
                 for _ in range(SLOW_CALLS)]
        gated_receiver.wait_for_arrivals(SLOW_CALLS)  # every /test call is now waiting on the receiver

        # Intake, the list and the log answer while all of them wait.
        answer = sidecar.api.post("/v2/events", json={"events": [new_event()]}, timeout=30)
        assert expect(answer, 200)["accepted"] == 1
        assert [w["id"] for w in list_webhooks(sidecar.api)] == [slow["id"]]
        assert len(list_deliveries(sidecar.api, slow["id"])) == SLOW_CALLS  # logged as pending tests

        gated_receiver.gate.set()
        outcomes = [expect(test.result(), 200) for test in tests]
    assert all(outcome["success"] and outcome["response_code"] == 200 for outcome in outcomes)
    assert {d["status"] for d in list_deliveries(sidecar.api, slow["id"], per_page=100)} == {"success"}


def start_dripping(port: int, method: str, path: str, token: str) -> socket.socket:
    """A client that announces a body of 1,000 bytes and sends only its first byte."""
    client = socket.create_connection(("127.0.0.1", port), timeout=60)
    client.sendall((f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {token}\r\n"
                    "Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n{").encode())
    return client


def read_answer(client: socket.socket) -> tuple[int, dict, bool]:
    """Status, JSON body and whether the server then closed the connection."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = client.recv(65536)
        assert chunk, f"closed without an answer: {data!r}"
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode().split("\r\n")
    headers = {name.lower(): value.strip() for name, _, value in (line.partition(":") for line in lines[1:])}
    while len(body) < int(headers["content-length"]):
        body += client.recv(65536)
    closed = client.recv(1) == b""
    return int(lines[0].split()[1]), json.loads(body), closed


def test_a_client_that_drips_its_body_gets_a_408_and_holds_nothing(sidecar_factory, backend) -> None:
    sidecar = sidecar_factory(database_url=backend.database_url, env={"FCWH_REQUEST_TIMEOUT": "2"})
    webhook = create_webhook(sidecar.api, "https://127.0.0.1:9/hook", ["contact.created"], status="inactive")
    before = (list_webhooks(sidecar.api), list_deliveries(sidecar.api, webhook["id"]))
    routes = [("POST", "/v2/events"), ("POST", "/v2/webhooks"), ("PUT", f"/v2/webhooks/{webhook['id']}"),
              ("POST", f"/v2/webhooks/{webhook['id']}/recover")]
    clients = [start_dripping(sidecar.port, *routes[index % len(routes)], sidecar.token) for index in range(SLOW_CALLS)]
    try:
        # While they hang, intake answers.
        send_events(sidecar.api, new_event("contact.updated"))
        for client in clients:
            status, body, closed = read_answer(client)
            assert (status, body) == (408, {"code": "rest_request_timeout",
                                            "message": "The request body did not arrive within 2 s.",
                                            "data": {"status": 408}})
            assert closed, "the rest of a late body is not waited for"
    finally:
        for client in clients:
            client.close()
    assert (list_webhooks(sidecar.api), list_deliveries(sidecar.api, webhook["id"])) == before
