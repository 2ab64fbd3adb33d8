"""The one function that puts a delivery on the wire: an asyncio POST on a kept-alive session.

Why asyncio and aiohttp rather than a thread per attempt with `requests`: receivers are 50-300 ms
away, so throughput is attempts in flight / latency. Hundreds of attempts in flight cost a few KB
each as coroutines, where threads fight over the GIL and cannot reach 10,000 (docs/benchmarks.md
has the measurements). aiohttp also gives what `requests` cannot: a deadline on the whole attempt
(connect + send + the whole answer, so a receiver that drips bytes cannot hold an attempt past
FCWH_TIMEOUT), and a resolver hook, so every resolved address is checked before any TCP connection
is made, and the connection goes to a checked address with no second lookup.
"""

from __future__ import annotations

import asyncio
import ipaddress
import os
import socket
import ssl
import time
from dataclasses import dataclass

import aiohttp
from aiohttp.abc import AbstractResolver, ResolveResult
from aiohttp.resolver import ThreadedResolver
from yarl import URL

from .targets import PRIVATE_TARGET_MESSAGE, UrlRejected, is_forbidden_address, parse_webhook_url

RESPONSE_BODY_LIMIT = 16 * 1024
READ_CHUNK = 4096


@dataclass(frozen=True)
class AttemptResult:
    response_code: int | None
    response_time: int  # milliseconds
    response_body: str | None
    error: str | None
    retry_after: str | None = None


class ForbiddenTarget(OSError):
    """The host resolves to an address we must not connect to (DESIGN.md, Security)."""


class GuardedResolver(AbstractResolver):
    """Resolves as usual, then refuses the host if any of its addresses is not a global one:
    aiohttp connects only to what this returns, so no connection to a refused address is made."""

    def __init__(self) -> None:
        self._inner = ThreadedResolver()

    async def resolve(self, host: str, port: int = 0,
                      family: socket.AddressFamily = socket.AF_INET) -> list[ResolveResult]:
        results = await self._inner.resolve(host, port, family)
        if any(is_forbidden_address(result["host"]) for result in results):
            raise ForbiddenTarget(PRIVATE_TARGET_MESSAGE)
        return results

    async def close(self) -> None:
        await self._inner.close()


def _ssl_context() -> ssl.SSLContext:
    # The CA bundle variables operators already set for Python HTTP clients (tests use the first).
    cafile = os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE") or os.environ.get("SSL_CERT_FILE")
    return ssl.create_default_context(cafile=cafile or None)


class Sender:
    """One aiohttp session for one event loop; `post` is safe to call from many tasks at once."""

    def __init__(self, *, allow_private: bool) -> None:
        self.allow_private = allow_private
        self._session: aiohttp.ClientSession | None = None

    async def open(self) -> None:
        connector = aiohttp.TCPConnector(
            limit=0,  # the lanes bound concurrency (lanes.py); the connector must not queue behind them
            resolver=None if self.allow_private else GuardedResolver(),
            ssl=_ssl_context(), keepalive_timeout=30,
        )
        # Proxies from the environment would hide the address we must check: trust_env off.
        self._session = aiohttp.ClientSession(connector=connector, trust_env=False,
                                              timeout=aiohttp.ClientTimeout(total=None),
                                              skip_auto_headers=("User-Agent",))

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def post(self, url: str, body: bytes, headers: dict[str, str], *, timeout: float) -> AttemptResult:
        """POST once; never raises for network trouble, which is reported in `error` instead.
        `timeout` bounds the whole attempt: connecting, sending and reading the whole answer."""
        assert self._session is not None, "Sender.open() first"
        started = time.monotonic()
        try:
            target = parse_webhook_url(url)  # the save check's parser: both read the same host
        except UrlRejected as rejected:  # saved before the check was this strict
            return AttemptResult(None, 0, None, f"UrlRejected: {rejected}")
        if not self.allow_private and _forbidden_literal(target):
            return AttemptResult(None, 0, None, f"ForbiddenTarget: {PRIVATE_TARGET_MESSAGE}")
        try:
            async with asyncio.timeout(timeout):
                async with self._session.post(target, data=body, headers=headers, allow_redirects=False) as response:
                    excerpt = await _read_limited(response)
                    return AttemptResult(
                        response.status, _ms_since(started), excerpt,
                        None if 200 <= response.status < 300 else f"HTTP {response.status}",
                        response.headers.get("Retry-After"),
                    )
        except TimeoutError:
            return AttemptResult(None, _ms_since(started), None,
                                 f"TimeoutError: no complete answer within {timeout:g} s")
        except (aiohttp.ClientError, OSError, ValueError) as exc:
            return AttemptResult(None, _ms_since(started), None, describe(exc))


def _forbidden_literal(target: URL) -> bool:
    """aiohttp skips the resolver for IP literals: check those here, before any connection."""
    try:
        return is_forbidden_address(str(ipaddress.ip_address(target.raw_host or "")))
    except ValueError:
        return False


async def _read_limited(response: aiohttp.ClientResponse) -> str:
    chunks: list[bytes] = []
    size = 0
    while True:
        chunk = await response.content.read(READ_CHUNK)
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
        if size > RESPONSE_BODY_LIMIT:
            # Stop reading a huge answer; dropping that one connection is cheaper than
            # downloading what we would throw away.
            response.close()
            break
    return b"".join(chunks)[:RESPONSE_BODY_LIMIT].decode("utf-8", errors="replace")


def _ms_since(started: float) -> int:
    return int(round((time.monotonic() - started) * 1000))


def describe(exc: BaseException) -> str:
    """A short, secret-free reason: the exception's class and the innermost message. A refused
    target says only that, whatever the port, so the log is no port scanner."""
    reason: BaseException | None = exc
    while reason is not None:
        if isinstance(reason, ForbiddenTarget):
            return f"ForbiddenTarget: {PRIVATE_TARGET_MESSAGE}"
        reason = reason.__cause__ or reason.__context__
    innermost = exc
    while innermost.__cause__ is not None and str(innermost.__cause__):
        innermost = innermost.__cause__
    text = str(innermost) or exc.__class__.__name__
    return f"{exc.__class__.__name__}: {text}"[:500]

