"""A `worker`'s own small HTTP server, only when FCWH_METRICS_PORT is set: GET /healthz (the same
readiness as serve's: database, queue, this worker's delivery engine; no token) and GET /metrics
(this process's counters: its attempts, their latency, its attempts in flight; behind the token).

A worker has no other HTTP server, and its counters live in its own memory, so without this they
are not exposed. The database's gauges (deliveries, queue depth, webhooks) are the same from every
process: serve's /metrics has them, so a worker leaves them out and Prometheus counts them once.
"""

from __future__ import annotations

import http.server
import json
import logging
import threading
from typing import Any

from . import __version__ as VERSION
from . import errors, metrics
from .api.plumbing import token_matches
from .config import Settings, SettingsError
from .readiness import readiness
from .runtime import Runtime

log = logging.getLogger("fluentcrm_webhooks.opsserver")


def worker_token(settings: Settings) -> str:
    """The token /metrics asks for: FCWH_API_TOKEN or the token file serve wrote. A worker never
    makes one up: Prometheus could not know it."""
    if settings.api_token:
        return settings.api_token
    path = settings.resolved_token_file
    token = path.read_text(encoding="utf-8").strip() if path.is_file() else ""
    if not token:
        raise SettingsError(f"FCWH_METRICS_PORT={settings.metrics_port}: /metrics needs the API token; set "
                            f"FCWH_API_TOKEN (or FCWH_TOKEN_FILE: {path} has none)")
    return token


class OpsServer:
    def __init__(self, settings: Settings, runtime: Runtime, token: str) -> None:
        self.runtime = runtime
        self.token = token
        self.registry = metrics.registry(engine=runtime.engine)
        assert settings.metrics_port is not None
        self._server = http.server.ThreadingHTTPServer((settings.host, settings.metrics_port), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, name="fcwh-ops", daemon=True)

    @property
    def port(self) -> int:
        return self._server.server_address[1]

    def start(self) -> OpsServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def _handler(self) -> type[http.server.BaseHTTPRequestHandler]:
        ops = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:
                path = self.path.split("?", 1)[0]
                if path == "/healthz":
                    ready = readiness(ops.runtime.db, ops.runtime.huey, ops.runtime.engine)
                    self._send(200 if ready.ok else 503, "application/json",
                               json.dumps(ready.document(VERSION)).encode())
                elif path == "/metrics":
                    if not ops.authorized(self.headers.get("authorization", "")):
                        self._error(errors.not_logged_in())
                        return
                    body, content_type = metrics.exposition(ops.registry, self.headers.get("accept"))
                    self._send(200, content_type, body)
                else:
                    self._error(errors.no_route())

            def _error(self, error: errors.ApiError) -> None:
                self._send(error.status, "application/json", json.dumps(error.document()).encode())

            def _send(self, status: int, content_type: str, body: bytes) -> None:
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:
                log.debug("%s " + format, self.address_string(), *args)

        return Handler

    def authorized(self, header: str) -> bool:
        return token_matches(header, self.token)
