"""GET /healthz: is the sidecar up and its database reachable (no token: for load balancers)."""

from __future__ import annotations

import logging

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse

from .. import __version__ as VERSION

log = logging.getLogger("fluentcrm_webhooks.health")


async def healthz(request: Request) -> JSONResponse:
    db = request.app.state.ctx.db
    ok = await run_in_threadpool(_database_answers, db)
    return JSONResponse({"status": "ok" if ok else "error", "database": "ok" if ok else "error", "version": VERSION},
                        status_code=200 if ok else 503)


def _database_answers(db) -> bool:
    try:
        with db.connection_context():
            db.execute_sql("SELECT 1")
        return True
    except Exception as exc:  # any driver error means "not healthy", said in the log once per probe
        log.warning("health check: database unreachable: %s", exc.__class__.__name__)
        return False
