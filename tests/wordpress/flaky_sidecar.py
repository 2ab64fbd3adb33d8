"""A stand-in in front of the real sidecar that fails the way a sidecar can: it forwards every call
unchanged, except that a `POST /v2/events` batch holding one of the `poisoned` event ids (or any
batch, with `fail_everything`) gets the sidecar's own 500, and `healthz_status` makes the health
check answer that status instead (as when the sidecar's database is down)."""

from __future__ import annotations

import http.server
import json
import threading
from dataclasses import dataclass

import requests

INTERNAL_ERROR = {"code": "rest_internal_error", "message": "The sidecar hit an unexpected error; see its log.",
                  "data": {"status": 500}}


@dataclass(frozen=True)
class EventsCall:
    event_ids: list[str]
    status: int


class FlakySidecar:
    def __init__(self, upstream: str) -> None:
        self.upstream = upstream
        self.poisoned: set[str] = set()
        self.fail_everything = False
        self.healthz_status: int | None = None
        self._calls: list[EventsCall] = []
        self._lock = threading.Lock()
        self._server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, name="flaky-sidecar", daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    @property
    def calls(self) -> list[EventsCall]:
        """Every `POST /v2/events`, in order."""
        with self._lock:
            return list(self._calls)

    def start(self) -> FlakySidecar:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def _answer(self, method: str, path: str, headers: dict[str, str], body: bytes) -> tuple[int, bytes]:
        if path == "/healthz" and self.healthz_status is not None:
            return self.healthz_status, json.dumps({"status": "error", "database": "error"}).encode()
        if method == "POST" and path == "/v2/events":
            ids = [event.get("id") for event in json.loads(body).get("events", [])]
            if self.fail_everything or self.poisoned.intersection(ids):
                with self._lock:
                    self._calls.append(EventsCall(ids, 500))
                return 500, json.dumps(INTERNAL_ERROR).encode()
        forwarded = requests.request(method, self.upstream + path, data=body or None, timeout=60, headers={
            name: value for name, value in headers.items() if name.lower() in ("authorization", "content-type")})
        if method == "POST" and path == "/v2/events":
            with self._lock:
                self._calls.append(EventsCall(ids, forwarded.status_code))
        return forwarded.status_code, forwarded.content

    def _handler(self) -> type[http.server.BaseHTTPRequestHandler]:
        flaky = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                status, answer = flaky._answer(self.command, self.path, dict(self.headers.items()), body)
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _handle

            def log_message(self, format: str, *args: object) -> None:
                pass  # `calls` is the log

        return Handler
