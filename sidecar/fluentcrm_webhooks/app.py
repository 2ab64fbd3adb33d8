"""The Starlette application: routes as data, errors in WordPress's shape, and a lifespan that
starts and stops the in-process delivery workers and the sweeper."""

from __future__ import annotations

import contextlib
from collections.abc import Callable

import anyio.to_thread
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.routing import Route

from . import errors
from .api import contacts, deliveries, delivery_pause, events, stats, webhook_stats, webhooks
from .api.health import healthz
from .api.metrics import counting_refusals, metrics_endpoint
from .api.openapi import openapi_json
from .api.plumbing import Context, endpoint
from .db import HTTP_THREADS

WEBHOOK = "/v2/webhooks/{webhook_id}"
DELIVERY = WEBHOOK + "/deliveries/{delivery_id}"

ROUTES = [
    Route("/healthz", healthz, methods=["GET"]),
    Route("/metrics", metrics_endpoint, methods=["GET"]),
    Route("/v2/openapi.json", openapi_json, methods=["GET"]),
    Route("/v2/webhooks", endpoint(webhooks.list_webhooks), methods=["GET"]),
    Route("/v2/webhooks", endpoint(webhooks.create_webhook, reads_body=True), methods=["POST"]),
    Route(WEBHOOK, endpoint(webhooks.get_webhook), methods=["GET"]),
    Route(WEBHOOK, endpoint(webhooks.update_webhook, reads_body=True), methods=["PUT", "PATCH"]),
    Route(WEBHOOK, endpoint(webhooks.delete_webhook), methods=["DELETE"]),
    Route(WEBHOOK + "/test", endpoint(webhooks.test_webhook), methods=["POST"]),
    Route(WEBHOOK + "/rotate-secret", endpoint(webhooks.rotate_secret, reads_body=True), methods=["POST"]),
    Route(WEBHOOK + "/stats", endpoint(webhook_stats.webhook_stats), methods=["GET"]),
    Route(WEBHOOK + "/deliveries", endpoint(deliveries.list_deliveries), methods=["GET"]),
    Route(DELIVERY, endpoint(deliveries.get_delivery), methods=["GET"]),
    Route(DELIVERY + "/redeliver", endpoint(deliveries.redeliver), methods=["POST"]),
    Route(WEBHOOK + "/recover", endpoint(deliveries.recover, reads_body=True), methods=["POST"]),
    Route("/v2/events", counting_refusals(endpoint(events.receive_events, reads_body=True)), methods=["POST"]),
    Route("/v2/stats", endpoint(stats.log_stats), methods=["GET"]),
    Route("/v2/delivery", endpoint(delivery_pause.get_delivery_state), methods=["GET"]),
    Route("/v2/delivery", endpoint(delivery_pause.put_delivery_state, reads_body=True), methods=["PUT"]),
    Route("/v2/contacts/deliveries", endpoint(contacts.contact_deliveries), methods=["GET"]),
    Route("/v2/contacts/erase", endpoint(contacts.erase_contact, reads_body=True), methods=["POST"]),
]


async def _no_route(request: Request, exc: Exception):
    assert isinstance(exc, HTTPException)
    if exc.status_code in (404, 405):
        return errors.no_route().response()
    return errors.ApiError(exc.status_code, "rest_error", str(exc.detail)).response()


async def _unexpected(request: Request, exc: Exception):
    return errors.ApiError(500, "rest_internal_error", "The sidecar hit an unexpected error; see its log.").response()


def create_app(ctx: Context, background: Callable[[], contextlib.AbstractContextManager] | None = None) -> Starlette:
    """`background` starts what runs beside HTTP (workers, sweeper) and stops it on exit."""

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette):
        # Peewee holds one connection per thread: cap the threadpool to what the pool can serve.
        anyio.to_thread.current_default_thread_limiter().total_tokens = HTTP_THREADS
        if background is None:
            yield
            return
        with background():
            yield

    app = Starlette(routes=ROUTES, lifespan=lifespan,
                    exception_handlers={HTTPException: _no_route, Exception: _unexpected})
    app.state.ctx = ctx
    return app
