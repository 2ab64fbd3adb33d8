"""What every route shares: the token check, the body limit, JSON parsing, a database
connection per request, and errors in WordPress's shape.

Handlers are plain functions run in Starlette's threadpool (Peewee is synchronous and keeps a
connection per thread), each inside its own `connection_context()`.
"""

from __future__ import annotations

import hmac
import json
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from peewee import Database
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from .. import errors
from ..config import Settings
from ..queue import Doorbell

MAX_BODY_BYTES = 1024 * 1024


@dataclass
class Context:
    settings: Settings
    db: Database
    doorbell: Doorbell
    token: str


@dataclass
class Call:
    """What a handler gets: the context, path parameters, query parameters and the JSON body."""

    ctx: Context
    path: dict[str, Any]
    query: dict[str, str]
    payload: Any


Handler = Callable[[Call], tuple[int, Any]]


def endpoint(handler: Handler, *, reads_body: bool = False, public: bool = False):
    async def route(request: Request) -> Response:
        ctx: Context = request.app.state.ctx
        try:
            if not public:
                _check_token(request, ctx.token)
            payload = await _read_json(request) if reads_body else None
            call = Call(ctx, dict(request.path_params), dict(request.query_params), payload)
            status, document = await run_in_threadpool(_run, handler, call)
        except errors.ApiError as error:
            return error.response()
        return JSONResponse(document, status_code=status)

    route.__name__ = handler.__name__
    return route


def _run(handler: Handler, call: Call) -> tuple[int, Any]:
    with call.ctx.db.connection_context():
        return handler(call)


def _check_token(request: Request, token: str) -> None:
    header = request.headers.get("authorization", "")
    scheme, _, given = header.partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(given.strip().encode(), token.encode()):
        raise errors.not_logged_in()


async def _read_json(request: Request) -> Any:
    declared = request.headers.get("content-length")
    if declared and declared.isascii() and declared.isdigit() and int(declared) > MAX_BODY_BYTES:
        raise errors.too_large(MAX_BODY_BYTES)
    body = bytearray()
    async for chunk in request.stream():
        body.extend(chunk)
        if len(body) > MAX_BODY_BYTES:
            raise errors.too_large(MAX_BODY_BYTES)
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
    text = str(value)
    # ASCII digits only: str.isdigit() also takes '²', fullwidth and Arabic-Indic digits, which int()
    # reads or refuses in ways no client means as an id.
    if not (text.isascii() and text.isdigit()) or len(text) > 18:
        raise not_found()
    return int(text)
