"""GET /v2/openapi.json: the OpenAPI 3.1 description of this API (no token: it holds no secrets)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from ..openapi import document_bytes


async def openapi_json(request: Request) -> Response:
    return Response(document_bytes(), media_type="application/json")
