"""GET /metrics: the Prometheus exposition (metrics.py), behind the bearer token like every route
but /healthz: the counts say how much a site sends and to how many webhooks. Prometheus sends the
token with `authorization: {credentials_file: ...}` (docs/deployment.md)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from starlette.concurrency import run_in_threadpool
from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response

from .. import errors, metrics
from .plumbing import Context, check_token


async def metrics_endpoint(request: Request) -> Response:
    ctx: Context = request.app.state.ctx
    try:
        check_token(request, ctx.token)
    except errors.ApiError as error:
        return error.response()
    registry = getattr(request.app.state, "metrics_registry", None)
    if registry is None:
        registry = request.app.state.metrics_registry = metrics.registry(ctx.db, ctx.engine)
    # The database's gauges are read now, on a request thread (peewee is synchronous).
    body, content_type = await run_in_threadpool(metrics.exposition, registry, request.headers.get("accept"))
    return Response(body, media_type=content_type)


def counting_refusals(route: Callable[[Request], Awaitable[Response]]) -> Callable[[Request], Awaitable[Response]]:
    """The route, with every answer of 400 or more counted in fcwh_intake_refused_total; an unexpected
    exception (answered 500 by the app's handler) too. A client that went away is no refusal."""

    async def counted(request: Request) -> Response:
        try:
            response = await route(request)
        except ClientDisconnect:
            raise
        except Exception:
            metrics.INTAKE_REFUSED.labels(status="500").inc()
            raise
        if response.status_code >= 400:
            metrics.INTAKE_REFUSED.labels(status=str(response.status_code)).inc()
        return response

    counted.__name__ = getattr(route, "__name__", "route")
    return counted
