"""GET /v2/openapi.json: a valid OpenAPI 3.1 description of every route the app really has, served
without a token (every other route keeps its auth), equal to docs/openapi.json."""

from __future__ import annotations

import asyncio
import json
import re
from pathlib import Path

import requests
from openapi_spec_validator import OpenAPIV31SpecValidator

from fluentcrm_webhooks import app as app_module
from fluentcrm_webhooks import custom_headers, errors, validation
from fluentcrm_webhooks.api.plumbing import MAX_BODY_BYTES
from fluentcrm_webhooks.events import EVENT_TYPES
from fluentcrm_webhooks.openapi import document, render
from fluentcrm_webhooks.targets import MAX_URL_LENGTH
from tests.support.api import expect

DOCS_COPY = Path(__file__).resolve().parents[2] / "docs" / "openapi.json"
METHODS = ("get", "put", "post", "delete", "patch", "head", "options", "trace")
PUBLIC = {("/healthz", "get"), ("/v2/openapi.json", "get")}


def described_operations(description: dict) -> dict[tuple[str, str], dict]:
    return {(path, method): operation for path, item in description["paths"].items()
            for method, operation in item.items() if method in METHODS}


def app_operations() -> set[tuple[str, str]]:
    """Every (path, method) the Starlette app routes; HEAD is left out where Starlette adds it to GET."""
    app = app_module.create_app(ctx=None)  # type: ignore[arg-type]  # routes only: nothing is served
    found = set()
    for route in app.routes:
        methods = set(route.methods or ())
        if "GET" in methods:
            methods.discard("HEAD")
        found.update((route.path, method.lower()) for method in methods)
    return found


def test_the_description_is_valid_openapi_3_1() -> None:
    OpenAPIV31SpecValidator(document()).validate()


def test_every_route_and_method_of_the_app_is_described_and_nothing_else() -> None:
    described = set(described_operations(document()))
    routed = app_operations()
    assert routed - described == set(), "routes the description lacks"
    assert described - routed == set(), "described operations the app does not route"


def test_docs_copy_is_the_package_description() -> None:
    assert DOCS_COPY.read_text(encoding="utf-8") == render(), (
        "docs/openapi.json is stale: run `.venv/bin/python -m fluentcrm_webhooks.openapi > docs/openapi.json`")


def test_only_healthz_and_the_description_are_public_and_every_other_operation_answers_401() -> None:
    description = document()
    assert description["security"] == [{"bearerToken": []}]
    assert description["components"]["securitySchemes"]["bearerToken"] == {
        **description["components"]["securitySchemes"]["bearerToken"], "type": "http", "scheme": "bearer"}
    for key, operation in described_operations(description).items():
        if key in PUBLIC:
            assert operation["security"] == [] and "401" not in operation["responses"], key
        else:
            assert "security" not in operation, key  # the document's bearer token applies
            assert operation["responses"]["401"] == {"$ref": "#/components/responses/Unauthorized"}, key


def test_every_operation_documents_its_error_codes() -> None:
    """The statuses and codes each kind of route can answer (docs/sidecar-api.md's error table)."""
    body_codes = {"rest_invalid_json", "rest_missing_callback_param", "rest_invalid_param"}
    expected_400 = {
        ("/v2/webhooks", "post"): body_codes | {"invalid_webhook_url", "invalid_webhook_event"},
        ("/v2/webhooks/{webhook_id}", "put"): body_codes | {"invalid_webhook_url", "invalid_webhook_event"},
        ("/v2/webhooks/{webhook_id}", "patch"): body_codes | {"invalid_webhook_url", "invalid_webhook_event"},
        ("/v2/webhooks/{webhook_id}/recover", "post"): body_codes,
        ("/v2/events", "post"): body_codes | {"invalid_webhook_event"},
        ("/v2/webhooks/{webhook_id}/deliveries", "get"): {"rest_invalid_param"},
        ("/v2/contacts/deliveries", "get"): {"rest_missing_callback_param", "rest_invalid_param"},
        ("/v2/contacts/erase", "post"): body_codes,
        ("/v2/webhooks/{webhook_id}/rotate-secret", "post"): {"rest_invalid_json", "rest_invalid_param"},
        ("/v2/webhooks/{webhook_id}/stats", "get"): {"rest_invalid_param"},
        ("/v2/delivery", "put"): body_codes,
    }
    description = document()
    for (path, method), operation in described_operations(description).items():
        responses = operation["responses"]
        assert responses["500"] == {"$ref": "#/components/responses/InternalError"}
        codes_400 = set(error_codes(responses["400"])) if "400" in responses else set()
        assert codes_400 == expected_400.get((path, method), set()), (path, method)
        if "requestBody" in operation:
            assert error_codes(responses["413"]) == ["rest_request_too_large"]
            assert error_codes(responses["408"]) == ["rest_request_timeout"]
        else:
            assert "413" not in responses and "408" not in responses
        if "{webhook_id}" in path:
            assert "rest_post_invalid_id" in error_codes(responses["404"])
        else:
            assert "404" not in responses
        successes = [status for status in responses if status.startswith("2")]
        assert len(successes) == 1 or (path, method) == ("/healthz", "get")


def error_codes(response: dict) -> list[str]:
    schema = response["content"]["application/json"]["schema"]
    return schema["allOf"][1]["properties"]["code"]["enum"]


def test_the_documented_internal_error_is_what_the_app_answers() -> None:
    answer = asyncio.run(app_module._unexpected(None, RuntimeError("boom")))  # type: ignore[arg-type]
    body = json.loads(answer.body)
    documented = document()["components"]["responses"]["InternalError"]["content"]["application/json"]
    assert answer.status_code == 500
    assert error_codes({"content": {"application/json": documented}}) == [body["code"]]
    assert documented["example"] == body


def test_limits_and_enums_are_those_validation_enforces() -> None:
    schemas = document()["components"]["schemas"]
    create = schemas["WebhookCreate"]
    assert create["required"] == list(validation.REQUIRED_ON_CREATE)
    assert create["properties"]["name"]["maxLength"] == validation.NAME_MAX == 191
    assert create["properties"]["url"]["maxLength"] == MAX_URL_LENGTH == 2048
    assert create["properties"]["secret"]["maxLength"] == validation.SECRET_MAX == 255
    assert create["properties"]["status"]["enum"] == list(validation.CLIENT_STATUSES)
    assert set(create["properties"]["events"]["items"]["enum"]) == EVENT_TYPES
    assert create["properties"]["max_concurrency"]["maximum"] == validation.MAX_CONCURRENCY_MAX
    assert schemas["IncomingEvent"]["properties"]["id"]["maxLength"] == validation.EVENT_ID_MAX
    assert schemas["Webhook"]["properties"]["status"]["enum"] == ["active", "inactive", "failed"]
    query = {p["name"]: p["schema"] for p in document()["paths"]["/v2/webhooks/{webhook_id}/deliveries"]["get"]["parameters"]}
    assert query["per_page"]["maximum"] == validation.PER_PAGE_MAX and query["per_page"]["default"] == 25
    assert query["page"]["maximum"] == validation.PAGE_MAX
    assert query["status"]["enum"] == list(validation.DELIVERY_STATUSES)
    assert query["test"]["enum"] == list(validation.TEST_FILTERS)
    assert create["properties"]["headers"]["maxProperties"] == custom_headers.HEADERS_MAX == 10
    assert create["properties"]["headers"]["additionalProperties"]["maxLength"] == custom_headers.VALUE_MAX == 4096
    assert schemas["SecretRotation"]["properties"]["overlap_seconds"]["maximum"] == validation.OVERLAP_MAX == 604800
    assert str(MAX_BODY_BYTES) in document()["paths"]["/v2/events"]["post"]["requestBody"]["description"]
    assert errors.too_large(MAX_BODY_BYTES).code == "rest_request_too_large"


def concrete(path: str) -> str:
    return re.sub(r"\{[a-z_]+\}", "1", path)


def test_the_running_sidecar_serves_it_without_a_token_and_keeps_every_other_route_behind_it(
        sidecar_factory) -> None:
    sidecar = sidecar_factory()
    served = requests.get(sidecar.url + "/v2/openapi.json", timeout=10)
    assert served.status_code == 200
    assert served.headers["content-type"].startswith("application/json")
    assert served.json() == document()
    assert served.content.decode("utf-8") == render()

    for (path, method), _ in described_operations(document()).items():
        answer = requests.request(method.upper(), sidecar.url + concrete(path), json={}, timeout=30)
        if (path, method) in PUBLIC:
            assert answer.status_code == 200, (method, path, answer.text[:300])
        else:
            assert answer.status_code == 401, (method, path, answer.text[:300])
            assert answer.json()["code"] == "rest_not_logged_in"
    # With the token the description is the same (the token is simply not needed).
    assert expect(sidecar.api.get("/v2/openapi.json"), 200) == document()

