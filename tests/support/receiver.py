"""A webhook receiver on loopback: threaded HTTP(S)/1.1 with keep-alive, records every request.

Responses are programmable: a default, and a queue of scripted responses used first, one per
request in arrival order (e.g. three 500s, then the default 200).
"""

from __future__ import annotations

import http.server
import socket
import ssl
import threading
import time
from dataclasses import dataclass, field
from typing import Callable


@dataclass(frozen=True)
class ReceivedRequest:
    method: str
    path: str
    headers: dict[str, str]  # keys in lower case
    body: bytes
    arrived_at: float  # time.time()
    answered_status: int


@dataclass(frozen=True)
class ScriptedResponse:
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b"ok"
    delay: float = 0.0  # seconds to wait before answering (a slow receiver)
    drip: float = 0.0  # > 0: send the answer one byte at a time, this many seconds apart


class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as real receivers do
    timeout = 60  # an idle keep-alive connection is closed after this many seconds
    server: "_Server"

    def _handle(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        receiver = self.server.receiver
        headers = {name.lower(): value for name, value in self.headers.items()}
        response = receiver._next_response(headers, body)
        # Recorded on arrival, before any delay: a sender killed while waiting still "delivered".
        receiver._record(ReceivedRequest(
            method=self.command, path=self.path, headers=headers,
            body=body, arrived_at=time.time(), answered_status=response.status,
        ))
        try:
            if response.delay:
                time.sleep(response.delay)
            self.send_response(response.status)
            for name, value in response.headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(response.body)))
            self.end_headers()
            if response.drip:
                self.wfile.flush()
                for index in range(len(response.body)):
                    try:
                        self.wfile.write(response.body[index:index + 1])
                        self.wfile.flush()
                    except OSError:
                        return  # the sender gave up (its deadline): stop dripping
                    time.sleep(response.drip)
            else:
                self.wfile.write(response.body)
        finally:
            receiver._done()

    do_POST = do_GET = do_PUT = do_PATCH = do_DELETE = _handle

    def log_message(self, format: str, *args: object) -> None:
        pass  # the recorded requests are the log


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    # socketserver's default backlog of 5 drops the SYNs of a burst of new connections, which the
    # sender then retries after a second: a receiver artefact, not the sender's behaviour.
    request_queue_size = 1024
    block_on_close = False  # do not join handler threads stuck in idle keep-alive reads

    def __init__(self, receiver: "Receiver", ssl_context: ssl.SSLContext | None) -> None:
        self.receiver = receiver
        self.ssl_context = ssl_context
        self.connections: set[socket.socket] = set()
        self.connections_lock = threading.Lock()
        super().__init__(("127.0.0.1", 0), _Handler)

    def finish_request(self, request: socket.socket, client_address) -> None:
        # The TLS handshake runs here, in the connection's own thread, so a slow client cannot
        # hold up accept() for everybody else.
        connection = request
        if self.ssl_context is not None:
            try:
                connection = self.ssl_context.wrap_socket(request, server_side=True)
            except (ssl.SSLError, OSError):
                return
        with self.connections_lock:
            self.connections.add(connection)
        try:
            super().finish_request(connection, client_address)
        finally:
            with self.connections_lock:
                self.connections.discard(connection)
            connection.close()  # the TLS wrapper owns the descriptor: socketserver closes only the raw one

    def close_connections(self) -> None:
        """Wake handler threads waiting on idle keep-alive connections, so they end and close."""
        with self.connections_lock:
            for connection in self.connections:
                try:
                    connection.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass


class Receiver:
    def __init__(self, ssl_context: ssl.SSLContext | None = None, path: str = "/hook") -> None:
        self.path = path
        self.default = ScriptedResponse()
        self._scripted: list[ScriptedResponse] = []
        self._requests: list[ReceivedRequest] = []
        # Chooses the answer from the request when set: (headers, body) -> response, or None for
        # the usual scripted/default answer.
        self.responder: Callable[[dict[str, str], bytes], ScriptedResponse | None] | None = None
        self.in_flight = 0
        self.max_in_flight = 0  # the most requests being answered at once, since start
        self._changed = threading.Condition()
        self._server = _Server(self, ssl_context)
        self._thread = threading.Thread(target=self._server.serve_forever, name="receiver", daemon=True)

    # -- lifecycle -------------------------------------------------------------------------------
    def start(self) -> "Receiver":
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.close_connections()
        self._server.server_close()

    @property
    def port(self) -> int:
        return self._server.server_address[1]

    @property
    def url(self) -> str:
        scheme = "https" if self._server.ssl_context is not None else "http"
        return f"{scheme}://127.0.0.1:{self.port}{self.path}"

    # -- programming the answers -----------------------------------------------------------------
    def set_default(self, status: int = 200, headers: dict[str, str] | None = None,
                    body: bytes = b"ok", delay: float = 0.0, drip: float = 0.0) -> None:
        self.default = ScriptedResponse(status, headers or {}, body, delay, drip)

    def script(self, status: int, headers: dict[str, str] | None = None, body: bytes = b"",
               delay: float = 0.0, times: int = 1) -> None:
        """Answer the next `times` requests (after those already scripted) like this."""
        with self._changed:
            self._scripted.extend([ScriptedResponse(status, headers or {}, body, delay)] * times)

    def _next_response(self, headers: dict[str, str], body: bytes) -> ScriptedResponse:
        with self._changed:
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
            if self.responder is not None:
                chosen = self.responder(headers, body)
                if chosen is not None:
                    return chosen
            return self._scripted.pop(0) if self._scripted else self.default

    def _done(self) -> None:
        with self._changed:
            self.in_flight -= 1

    def reset_max_in_flight(self) -> None:
        with self._changed:
            self.max_in_flight = self.in_flight

    # -- what arrived ----------------------------------------------------------------------------
    def _record(self, request: ReceivedRequest) -> None:
        with self._changed:
            self._requests.append(request)
            self._changed.notify_all()

    @property
    def requests(self) -> list[ReceivedRequest]:
        with self._changed:
            return list(self._requests)

    def wait_for(self, count: int, timeout: float = 30.0) -> list[ReceivedRequest]:
        """The requests received, once at least `count` have arrived; AssertionError otherwise."""
        with self._changed:
            arrived = self._changed.wait_for(lambda: len(self._requests) >= count, timeout)
            seen = list(self._requests)
        if not arrived:
            summary = "\n".join(
                f"  {r.method} {r.path} -> {r.answered_status} event={r.headers.get('x-fluentcrm-event')} "
                f"delivery={r.headers.get('x-fluentcrm-delivery')}" for r in seen)
            raise AssertionError(f"receiver got {len(seen)} of {count} requests in {timeout:.0f} s:\n{summary}")
        return seen

    def assert_nothing_arrives(self, within: float = 2.0, already: int = 0) -> None:
        """Check that no request beyond the first `already` arrives within `within` seconds.

        A negative check can only wait a while; keep `within` long enough for the sidecar to have
        acted if it were going to (a sweep interval or two).
        """
        with self._changed:
            self._changed.wait_for(lambda: len(self._requests) > already, within)
            extra = self._requests[already:]
        assert not extra, f"unexpected requests: {[(r.method, r.headers.get('x-fluentcrm-event')) for r in extra]}"
