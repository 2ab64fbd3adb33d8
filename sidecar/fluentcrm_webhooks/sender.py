"""The one function that puts a delivery on the wire: a POST through a kept-alive session.

Each thread keeps its own `requests.Session` (sessions are not thread-safe, and reusing one
keeps TLS connections to a receiver open between deliveries). When private targets are not
allowed, the peer address of every new connection is checked before a byte is sent.
"""

from __future__ import annotations

import os
import threading
import time
from dataclasses import dataclass

import requests
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import NewConnectionError

from .targets import PRIVATE_TARGET_MESSAGE, is_forbidden_address

RESPONSE_BODY_LIMIT = 16 * 1024


@dataclass(frozen=True)
class AttemptResult:
    response_code: int | None
    response_time: int  # milliseconds
    response_body: str | None
    error: str | None
    retry_after: str | None = None


class _PeerCheck:
    """Mixin for urllib3 connections: refuse a socket whose peer is not a global address."""

    def _new_conn(self):  # type: ignore[override]
        sock = super()._new_conn()  # type: ignore[misc]
        peer = sock.getpeername()[0]
        if is_forbidden_address(peer):
            sock.close()
            raise NewConnectionError(self, f"{PRIVATE_TARGET_MESSAGE} ({peer})")
        return sock


class _GuardedHTTPConnection(_PeerCheck, HTTPConnection):
    pass


class _GuardedHTTPSConnection(_PeerCheck, HTTPSConnection):
    pass


class _GuardedHTTPPool(HTTPConnectionPool):
    ConnectionCls = _GuardedHTTPConnection


class _GuardedHTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _GuardedHTTPSConnection


class _GuardedAdapter(HTTPAdapter):
    def init_poolmanager(self, *args, **kwargs):
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {"http": _GuardedHTTPPool, "https": _GuardedHTTPSPool}


def _new_session(guarded: bool) -> requests.Session:
    session = requests.Session()
    # Proxies from the environment would hide the address we must check. (Redirects are
    # refused per request with allow_redirects=False: a 3xx is a failed attempt.)
    session.trust_env = False
    if guarded:
        session.mount("http://", _GuardedAdapter())
        session.mount("https://", _GuardedAdapter())
    return session


_local = threading.local()


def _session(guarded: bool) -> requests.Session:
    key = "guarded" if guarded else "open"
    session = getattr(_local, key, None)
    if session is None:
        session = _new_session(guarded)
        setattr(_local, key, session)
    return session


def _ca_bundle() -> str | bool:
    # trust_env=False also drops REQUESTS_CA_BUNDLE; honour it explicitly (tests and private CAs use it).
    return os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE") or True


def post(url: str, body: bytes, headers: dict[str, str], *, timeout: float, allow_private: bool) -> AttemptResult:
    """POST once; never raises for network trouble, which is reported in `error` instead."""
    started = time.monotonic()
    try:
        response = _session(guarded=not allow_private).post(
            url, data=body, headers=headers, timeout=(timeout, timeout),
            allow_redirects=False, stream=True, verify=_ca_bundle(),
        )
    except requests.RequestException as exc:
        return AttemptResult(None, _ms_since(started), None, _describe(exc))
    try:
        excerpt = _read_limited(response)
    except requests.RequestException as exc:
        response.close()
        return AttemptResult(response.status_code, _ms_since(started), None, _describe(exc))
    return AttemptResult(
        response.status_code, _ms_since(started), excerpt,
        None if 200 <= response.status_code < 300 else f"HTTP {response.status_code}",
        response.headers.get("Retry-After"),
    )


def _read_limited(response: requests.Response) -> str:
    chunks: list[bytes] = []
    size = 0
    for chunk in response.iter_content(chunk_size=4096):
        chunks.append(chunk)
        size += len(chunk)
        if size > RESPONSE_BODY_LIMIT:
            # Stop reading a huge answer; closing drops that one connection, which is cheaper
            # than downloading what we would throw away.
            response.close()
            break
    # Fully read: urllib3 has already put the connection back in the pool for the next delivery.
    return b"".join(chunks)[:RESPONSE_BODY_LIMIT].decode("utf-8", errors="replace")


def _ms_since(started: float) -> int:
    return int(round((time.monotonic() - started) * 1000))


def _describe(exc: BaseException) -> str:
    """A short, secret-free reason: the exception's class and the innermost message."""
    reason = exc
    while reason.__context__ is not None and str(reason.__context__):
        reason = reason.__context__
    text = str(reason) or exc.__class__.__name__
    return f"{exc.__class__.__name__}: {text}"[:500]
