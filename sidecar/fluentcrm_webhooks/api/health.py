"""GET /healthz: is the sidecar ready: its database and queue reachable, its delivery workers alive
(readiness.py). No token: for load balancers, Docker's HEALTHCHECK and the plugin."""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse

from .. import __version__ as VERSION
from ..readiness import readiness


async def healthz(request: Request) -> JSONResponse:
    ctx = request.app.state.ctx
    ready = await run_in_threadpool(readiness, ctx.db, ctx.doorbell.huey, ctx.engine)
    return JSONResponse(ready.document(VERSION), status_code=200 if ready.ok else 503)
