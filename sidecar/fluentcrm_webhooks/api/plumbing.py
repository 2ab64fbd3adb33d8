"""What every route shares: the token check, the body limit and deadline, JSON parsing, a database
connection per request, and errors in WordPress's shape.

Handlers are plain functions run in Starlette's threadpool (Peewee is synchronous and keeps a
connection per thread), each inside its own `connection_context()`. The threadpool is small
(db.HTTP_THREADS), so nothing that waits on the network may hold one of its threads: the body is
read on the event loop under a deadline, and a handler that must wait on a receiver (POST /test)
answers `Await`, whose network work runs on the event loop between two short database steps.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import math
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from peewee import Database
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from .. import errors
from ..activity import REQUESTS
from ..config import Settings
from ..numbers import ascii_whole_number
from ..queue import Doorbell

if TYPE_CHECKING:
    from ..engine import Engine

MAX_BODY_BYTES = 1024 * 1024


@dataclass
class Context:
    settings: Settings
    db: Database
    doorbell: Doorbell
    token: str
    engine: Engine | None = None  # this process's delivery workers (/healthz, /metrics); None: none run here


@dataclass
class Call:
    """What a handler gets: the context, path parameters, query parameters and the JSON body."""

    ctx: Context
    path: dict[str, Any]
    query: dict[str, str]
    payload: Any


@dataclass
class Await:
    """A handler's answer when it must wait on the network first: `work()` runs on the event loop,
    holding no request thread, then `then(result)` runs in the threadpool (with a database
    connection, like a handler) and answers."""

    work: Callable[[], Awaitable[Any]]
    then: Callable[[Any], tuple[int, Any] | Await]


Answer = tuple[int, Any] | Await
Handler = Callable[[Call], Answer]


def endpoint(handler: Handler, *, reads_body: bool = False, public: bool = False):
    async def route(request: Request) -> Response:
        ctx: Context = request.app.state.ctx
        try:
            if not public:
                check_token(request, ctx.token)
            payload = await _read_json(request, ctx.settings.request_timeout) if reads_body else None
            call = Call(ctx, dict(request.path_params), dict(request.query_params), payload)
            answer = await run_in_threadpool(_run, ctx, handler, call)
            while isinstance(answer, Await):
                answer = await run_in_threadpool(_run, ctx, answer.then, await answer.work())
            status, document = answer
        except errors.ApiError as error:
            if error.status == 408:  # the rest of the body may still be on its way: do not wait for it
                return error.response(headers={"Connection": "close"})
            return error.response()
        return JSONResponse(document, status_code=status)

    route.__name__ = handler.__name__
    return route


def _run(ctx: Context, step: Callable[[Any], Answer], argument: Any) -> Answer:
    # Counted while it uses the database, so the pruner prunes in the gaps (activity.py).
    REQUESTS.begin()
    try:
        with ctx.db.connection_context():
            return step(argument)
    finally:
        REQUESTS.end()


def check_token(request: Request, token: str) -> None:
    if not token_matches(request.headers.get("authorization", ""), token):
        raise errors.not_logged_in()


def token_matches(authorization: str, token: str) -> bool:
    """`Authorization: Bearer <token>`, compared in constant time."""
    scheme, _, given = authorization.partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(given.strip().encode(), token.encode())


async def _read_json(request: Request, deadline: float) -> Any:
    declared = request.headers.get("content-length")
    if declared and declared.isascii() and declared.isdigit() and int(declared) > MAX_BODY_BYTES:
        raise errors.too_large(MAX_BODY_BYTES)
    body = bytearray()
    try:
        # One deadline for the whole body (FCWH_REQUEST_TIMEOUT), not per chunk: a client that
        # drips a byte a second is cut off like one that stops.
        async with asyncio.timeout(deadline):
            async for chunk in request.stream():
                body.extend(chunk)
                if len(body) > MAX_BODY_BYTES:
                    raise errors.too_large(MAX_BODY_BYTES)
    except TimeoutError:
        raise errors.request_timeout(deadline) from None
    if not body.strip():
        return {}
    return parse_json_body(bytes(body))


def _not_json_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):  # 1e999: Python reads inf, which no JSON can carry on
        raise ValueError(f"{text} is out of range")
    return value


def parse_json_body(body: bytes) -> Any:
    """Strict JSON (RFC 8259): no NaN / Infinity, no number that overflows to infinity, no lone
    surrogate (it could never be stored as UTF-8 nor forwarded), no nesting so deep that Python's
    parser recurses out. Anything else is `rest_invalid_json`, before anything is changed."""
    try:
        document = json.loads(body, parse_constant=_not_json_constant, parse_float=_finite_float)
        json.dumps(document, ensure_ascii=False).encode("utf-8")  # raises on a lone surrogate
    except (ValueError, UnicodeError, RecursionError):
        raise errors.invalid_json() from None
    return document


def int_param(value: Any, not_found: Callable[[], errors.ApiError]) -> int:
    """Path ids: anything but a positive integer is simply not found, as in WordPress."""
    number = ascii_whole_number(str(value), 18)  # 18 digits always fit the 64-bit id columns
    if number is None:
        raise not_found()
    return number
