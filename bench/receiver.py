"""A fast webhook receiver in its own process: HTTP/1.1 keep-alive (TLS or plain) on uvloop, no framework.

The test suite's receiver (tests/support/receiver.py) is a threaded stdlib server inside the test
process: right for checking behaviour, far too slow (and GIL-sharing) to measure throughput
against. This one runs as a separate process so the figures measure the sender, not us.

It checks every `X-FluentCRM-Signature` against the secret it is given, and records for each
request the delivery id, the event id and the arrival time. `--delay` makes it a slow or far
receiver (the site-cost benchmark's 2 s endpoint, a receiver 50-200 ms away) without a thread per
request: thousands of requests can wait side by side. `--hold` makes it a dead one that accepts
every connection and request and never answers. Without `--cert` it speaks plain HTTP.

Control routes on the same port (not signed; loopback only):
  GET /_stats     {"received", "unique", "duplicates", "bad_signatures", "first", "last",
                   "in_flight", "max_in_flight", "connections", "max_connections"}
                  (in flight: received, not answered yet, connection still open)
  GET /_arrivals  [[delivery_id, event_id, arrived_at], ...]
  POST /_reset    forget everything recorded
  POST /_drop     close every connection that brought a webhook request (a held one ends at once)
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import hmac
import json
import re
import resource
import signal
import ssl
import time
from dataclasses import dataclass, field

OK_RESPONSE = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Type: text/plain\r\n\r\nok"
CONTENT_LENGTH = re.compile(rb"\r\ncontent-length:\s*(\d+)", re.IGNORECASE)
SIGNATURE = re.compile(rb"\r\nx-fluentcrm-signature:\s*(\S+)", re.IGNORECASE)
DELIVERY = re.compile(rb"\r\nx-fluentcrm-delivery:\s*(\S+)", re.IGNORECASE)
EVENT_ID = re.compile(rb'^\{"id":"([^"]+)"')  # the body's first key is the event id (payloads.py)


@dataclass
class Record:
    secret: bytes | None
    arrivals: list[tuple[str | None, str | None, float]] = field(default_factory=list)
    bad_signatures: int = 0
    in_flight: int = 0
    max_in_flight: int = 0
    hooks: set = field(default_factory=set)  # open connections that brought webhook requests
    connections: int = 0
    max_connections: int = 0

    def add(self, head: bytes, body: bytes) -> None:
        if self.secret is not None:
            found = SIGNATURE.search(head)
            expected = b"sha256=" + hmac.new(self.secret, body, hashlib.sha256).hexdigest().encode()
            if found is None or not hmac.compare_digest(found.group(1), expected):
                self.bad_signatures += 1
        delivery = DELIVERY.search(head)
        event = EVENT_ID.match(body)
        self.arrivals.append((delivery.group(1).decode() if delivery else None,
                              event.group(1).decode() if event else None, time.time()))

    def stats(self) -> dict:
        delivery_ids = [a[0] for a in self.arrivals if a[0] is not None]
        unique = len(set(delivery_ids))
        return {
            "received": len(self.arrivals), "unique": unique, "duplicates": len(delivery_ids) - unique,
            "bad_signatures": self.bad_signatures,
            "first": self.arrivals[0][2] if self.arrivals else None,
            "last": self.arrivals[-1][2] if self.arrivals else None,
            "in_flight": self.in_flight, "max_in_flight": self.max_in_flight,
            "connections": self.connections, "max_connections": self.max_connections,
        }

    def reset(self) -> None:
        self.arrivals.clear()
        self.bad_signatures = 0
        self.max_in_flight = self.in_flight
        self.max_connections = self.connections


def json_response(document: object) -> bytes:
    body = json.dumps(document).encode()
    return (b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: "
            + str(len(body)).encode() + b"\r\n\r\n" + body)


class HookProtocol(asyncio.Protocol):
    def __init__(self, record: Record, delay: float, hold: bool) -> None:
        self.record = record
        self.delay = delay
        self.hold = hold
        self.buffer = bytearray()
        self.transport: asyncio.Transport | None = None
        self.pending = 0  # webhook requests on this connection not answered yet

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]
        self.record.connections += 1
        self.record.max_connections = max(self.record.max_connections, self.record.connections)

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        while True:
            end = self.buffer.find(b"\r\n\r\n")
            if end < 0:
                return
            head = bytes(self.buffer[:end])
            match = CONTENT_LENGTH.search(head)
            total = end + 4 + (int(match.group(1)) if match else 0)
            if len(self.buffer) < total:
                return
            body = bytes(self.buffer[end + 4:total])
            del self.buffer[:total]
            self.handle(head, body)

    def handle(self, head: bytes, body: bytes) -> None:
        request_line = head.split(b"\r\n", 1)[0]
        if b" /_" in request_line:
            self.transport.write(self.control(request_line))
            return
        self.record.add(head, body)
        self.record.hooks.add(self)
        self.pending += 1
        self.record.in_flight += 1
        self.record.max_in_flight = max(self.record.max_in_flight, self.record.in_flight)
        if self.hold:
            return
        if self.delay:
            asyncio.get_running_loop().call_later(self.delay, self.answer)
        else:
            self.answer()

    def answer(self) -> None:
        if self.pending <= 0:  # the connection was lost meanwhile and counted out
            return
        self.pending -= 1
        self.record.in_flight -= 1
        if self.transport is not None and not self.transport.is_closing():
            self.transport.write(OK_RESPONSE)

    def control(self, request_line: bytes) -> bytes:
        if b"/_stats" in request_line:
            return json_response(self.record.stats())
        if b"/_arrivals" in request_line:
            return json_response(self.record.arrivals)
        if b"/_reset" in request_line:
            self.record.reset()
            return json_response({"reset": True})
        if b"/_drop" in request_line:
            dropped = [hook for hook in self.record.hooks if hook is not self and hook.transport is not None]
            for hook in dropped:
                hook.transport.abort()
            return json_response({"dropped": len(dropped)})
        return b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n"

    def connection_lost(self, exc: Exception | None) -> None:
        self.transport = None
        self.record.connections -= 1
        self.record.in_flight -= self.pending
        self.pending = 0
        self.record.hooks.discard(self)


# Connections waiting to be accepted; the kernel caps it at net.core.somaxconn (4096 on most).
LISTEN_BACKLOG = 65535


def raise_open_files_limit() -> None:
    """Thousands of held connections need as many descriptors: take the hard limit."""
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


async def serve(port: int, cert: str | None, key: str | None, secret: str | None, delay: float,
                hold: bool) -> None:
    context = None
    if cert is not None:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(cert, key)
    record = Record(secret.encode() if secret is not None else None)
    loop = asyncio.get_running_loop()
    server = await loop.create_server(lambda: HookProtocol(record, delay, hold), "127.0.0.1", port,
                                      ssl=context, backlog=LISTEN_BACKLOG)
    stop = asyncio.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    print(f"listening on {server.sockets[0].getsockname()[1]}", flush=True)
    await stop.wait()
    server.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--cert", help="PEM certificate chain for 127.0.0.1 (plain HTTP without it)")
    parser.add_argument("--key", help="PEM private key")
    parser.add_argument("--secret", help="check X-FluentCRM-Signature with this webhook secret")
    parser.add_argument("--delay", type=float, default=0.0, help="seconds before each answer")
    parser.add_argument("--hold", action="store_true", help="never answer a webhook request (a dead receiver)")
    args = parser.parse_args()
    if (args.cert is None) != (args.key is None):
        parser.error("--cert and --key go together")
    raise_open_files_limit()
    try:
        import uvloop  # shipped with uvicorn[standard]; its TLS is several times faster than asyncio's
        uvloop.install()
    except ImportError:
        pass
    asyncio.run(serve(args.port, args.cert, args.key, args.secret, args.delay, args.hold))


if __name__ == "__main__":
    main()
