"""The OpenAPI 3.1 description of the sidecar's HTTP API, served at GET /v2/openapi.json.

One source of truth: limits, enums and error codes come from the constants and error factories
the routes themselves use (validation.py, targets.py, events.py, lifecycle.py, errors.py), so the
description cannot drift from the checks. docs/openapi.json is a copy, regenerated with
`python -m fluentcrm_webhooks.openapi > docs/openapi.json` (a test keeps it equal).
"""

from __future__ import annotations

import json
import sys
from functools import lru_cache
from typing import Any

from . import __version__ as VERSION
from . import attempt_stats, custom_headers, errors, validation
from .api.plumbing import MAX_BODY_BYTES
from .config import RETENTION_DAYS_MAX, Settings
from .events import EVENT_GROUPS, TEST_EVENT
from .lifecycle import WebhookStatus
from .readiness import ERROR, OK, WORKER_STATES
from .targets import MAX_URL_LENGTH

JSON = "application/json"
EVENT_TYPES = [event for group in EVENT_GROUPS.values() for event in group]  # the contract's order
WEBHOOK_STATUSES = [status.value for status in WebhookStatus]
TEST_RESPONSE_BODY_MAX = 1024  # POST /test's excerpt of the answer (api/webhooks.py)
# What app.py's catch-all answers (an unreachable database, a bug): documented, never expected.
INTERNAL_ERROR = ("rest_internal_error", "The sidecar hit an unexpected error; see its log.")

# The errors the routes raise, made by the same factories (their codes and statuses are exact).
INVALID_JSON = errors.invalid_json()
MISSING = errors.missing_params(["name"])
INVALID = errors.invalid_params({"status": "status must be one of: active, inactive."})
INVALID_URL = errors.invalid_url()
INVALID_EVENT = errors.invalid_event("invalid.event")
TOO_LARGE = errors.too_large(MAX_BODY_BYTES)
TOO_SLOW = errors.request_timeout(Settings().request_timeout)
WEBHOOK_NOT_FOUND = errors.webhook_not_found()
DELIVERY_NOT_FOUND = errors.delivery_not_found()
DELIVERY_ERASED = errors.delivery_erased()
DELIVERY_PAUSED = errors.delivery_paused()
MISSING_PAUSED = errors.missing_params(["paused"])
MISSING_CONTACT = errors.missing_params(["contact_id", "email"])
NOT_LOGGED_IN = errors.not_logged_in()
NO_ROUTE = errors.no_route()


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _nullable(schema: dict[str, Any]) -> dict[str, Any]:
    """The same schema, null allowed too (OpenAPI 3.1: a type list, not `nullable`)."""
    copy = dict(schema)
    kind = copy["type"]
    copy["type"] = [kind, "null"] if isinstance(kind, str) else [*kind, "null"]
    if "enum" in copy:
        copy["enum"] = [*copy["enum"], None]
    return copy


def _object(properties: dict[str, Any], required: list[str] | None = None, **extra: Any) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "object", "properties": properties}
    if required:
        schema["required"] = required
    schema.update(extra)
    return schema


ID = {"type": "integer", "minimum": 1}
COUNT = {"type": "integer", "minimum": 0}
TIMESTAMP = {"type": "string", "format": "date-time", "description": "ISO 8601 in UTC with Z.",
             "examples": ["2024-01-15T10:30:00Z"]}
MILLISECONDS = {"type": "integer", "minimum": 0, "description": "Milliseconds."}
HTTP_STATUS = {"type": "integer", "minimum": 100, "maximum": 999}
URL_PATTERN = "^[Hh][Tt][Tt][Pp][Ss]?://"


def _schemas() -> dict[str, Any]:
    event = {"type": "string", "enum": EVENT_TYPES}
    name_out = {"type": "string", "minLength": 1, "maxLength": validation.NAME_MAX}
    url = {"type": "string", "minLength": 1, "maxLength": MAX_URL_LENGTH, "pattern": URL_PATTERN,
           "description": "An absolute HTTPS URL with a host and no whitespace (http:// too when the sidecar "
                          "runs with FCWH_ALLOW_HTTP=1). Targets on loopback or private networks are refused "
                          "unless FCWH_ALLOW_PRIVATE_TARGETS=1.",
           "examples": ["https://example.com/webhook"]}
    secret_out = {"type": "string", "minLength": 1, "maxLength": validation.SECRET_MAX}
    max_concurrency = {"type": ["integer", "null"], "minimum": 1, "maximum": validation.MAX_CONCURRENCY_MAX,
                       "description": "Attempts in flight to this webhook at most, per delivering process; "
                                      "null: FCWH_WEBHOOK_CONCURRENCY (default 100)."}
    ordered = {"type": "boolean", "description": "Deliver each contact's events in the order they happened."}
    retention = {"type": ["integer", "null"], "minimum": 0, "maximum": RETENTION_DAYS_MAX,
                 "description": "Days its finished deliveries are kept; 0: for ever; null: FCWH_RETENTION_DAYS "
                                f"(default {Settings().retention_days})."}
    auto_recover = {"type": "boolean", "description": "A failed (auto-disabled) webhook is probed with a "
                                                     "`webhook.test` and re-activated on a 2xx (FCWH_RECOVERY_INTERVAL)."}
    ids = {"type": "array", "minItems": 1, "maxItems": validation.CONDITION_IDS_MAX,
           "items": {"type": "integer", "minimum": 1, "maximum": validation.ID_MAX},
           "description": "Duplicates are collapsed."}
    id_match = _object({"match": {"type": "string", "enum": ["any", "all"], "default": "any"}, "ids": ids}, ["ids"],
                       additionalProperties=False)
    conditions_out = _object({
        "lists": {**id_match, "description": "The contact is in any / all of these FluentCRM lists."},
        "tags": {**id_match, "description": "The contact has any / all of these FluentCRM tags."},
        "statuses": {"type": "array", "minItems": 1, "uniqueItems": True,
                     "items": {"type": "string", "enum": list(validation.CONTACT_STATUSES)},
                     "description": "The contact's status is one of these."},
        "campaigns": {**ids, "description": "email.* and campaign.* events of these campaigns only."},
    }, additionalProperties=False, description="Every condition given must hold. lists, tags and statuses test the "
                                               "event's `data.contact` (an event without one passes them); campaigns "
                                               "apply to email.* and campaign.* events only.")
    webhook_properties: dict[str, Any] = {
        "id": ID,
        "name": name_out,
        "url": {k: v for k, v in url.items() if k != "examples"},
        "events": {"type": "array", "items": event, "minItems": 1, "uniqueItems": True},
        "status": {"type": "string", "enum": WEBHOOK_STATUSES,
                   "description": "`failed` is set by the sidecar only (auto-disabled)."},
        "secret": secret_out,
        "max_concurrency": max_concurrency,
        "ordered": ordered,
        "retention_days": retention,
        "headers": {"type": "object", "maxProperties": custom_headers.HEADERS_MAX,
                    "additionalProperties": {"type": "string", "const": custom_headers.MASK},
                    "description": "The webhook's own request headers: names as given, values always "
                                   f"{custom_headers.MASK} (they are secrets)."},
        "conditions": {**conditions_out, "type": ["object", "null"],
                       "description": "Which events of its types the webhook gets; null: all of them."},
        "auto_recover": auto_recover,
        "previous_secret_expires_at": _nullable({**TIMESTAMP, "description": "After POST /rotate-secret: until when "
                                                                             "the secret it replaced still signs too."}),
        "next_recovery_probe_at": _nullable({**TIMESTAMP, "description": "A failed webhook with auto_recover: when "
                                                                         "the next recovery probe is due."}),
        "paced": {"type": "boolean", "description": "True while the endpoint is in trouble: one attempt at a time."},
        "consecutive_failures": COUNT,
        "created_at": TIMESTAMP,
        "updated_at": TIMESTAMP,
        "last_delivery": _nullable(_object({
            "id": ID, "event": {"type": "string", "enum": [*EVENT_TYPES, TEST_EVENT]},
            "status": {"type": "string", "enum": list(validation.DELIVERY_STATUSES)},
            "response_code": _nullable(HTTP_STATUS), "attempted_at": _nullable(TIMESTAMP),
        }, ["id", "event", "status", "response_code", "attempted_at"])),
        "held_deliveries": {**COUNT, "description": "Pending deliveries held because the webhook is not active."},
    }
    listed = [name for name in webhook_properties if name != "secret"]
    delivery_properties: dict[str, Any] = {
        "id": {**ID, "description": "Also the X-FluentCRM-Delivery header, stable across retries."},
        "webhook_id": ID,
        "event": {"type": "string", "enum": [*EVENT_TYPES, TEST_EVENT]},
        "event_id": {"type": "string", "minLength": 1, "maxLength": validation.EVENT_ID_MAX},
        "status": {"type": "string", "enum": list(validation.DELIVERY_STATUSES)},
        "attempts": COUNT,
        "response_code": _nullable(HTTP_STATUS),
        "response_time": _nullable(MILLISECONDS),
        "error": {"type": ["string", "null"]},
        "attempted_at": _nullable(TIMESTAMP),
        "next_attempt_at": _nullable({**TIMESTAMP, "description": "When a pending delivery is due; null otherwise."}),
        "created_at": TIMESTAMP,
        "contact_id": _nullable({**ID, "description": "FluentCRM's id of the contact the event is about, if any."}),
        "test": {"type": "boolean", "description": "A `webhook.test` (POST /test or a recovery probe)."},
    }
    attempt = _object({
        "attempted_at": TIMESTAMP, "response_code": _nullable(HTTP_STATUS), "response_time": _nullable(MILLISECONDS),
        "error": {"type": ["string", "null"]}, "response_body": {"type": ["string", "null"]},
    }, ["attempted_at", "response_code", "response_time", "error", "response_body"])
    detail_properties = {
        **delivery_properties,
        "body": {"type": "string", "description": "The exact bytes sent (JSON text)."},
        "signature": {"type": ["string", "null"], "description": "X-FluentCRM-Signature of the latest attempt."},
        "headers": {"type": ["object", "null"], "additionalProperties": {"type": "string"},
                    "description": "The headers of the latest attempt; null before the first."},
        "response_body": {"type": ["string", "null"]},
        "attempts": {"type": "array", "items": _ref("Attempt")},
    }
    name_in = {"type": "string", "minLength": 1, "maxLength": validation.NAME_MAX, "pattern": r"\S",
               "description": f"Trimmed; 1 to {validation.NAME_MAX} characters after trimming."}
    events_in = {"type": "array", "items": event, "minItems": 1, "description": "Duplicates are collapsed."}
    status_in = {"type": "string", "enum": list(validation.CLIENT_STATUSES)}
    headers_in = {"type": ["object", "null"], "maxProperties": custom_headers.HEADERS_MAX,
                  "propertyNames": {"type": "string", "minLength": 1, "maxLength": custom_headers.NAME_MAX,
                                    "pattern": r"^[A-Za-z0-9!#$%&'*+.^_`|~-]+$"},
                  "additionalProperties": {"type": "string", "minLength": 1, "maxLength": custom_headers.VALUE_MAX},
                  "description": "Headers added to every request, replacing the whole set (null or {} clears). "
                                 "Refused names (any case): hop-by-hop ones (Connection, Keep-Alive, Proxy-*, TE, "
                                 "Trailer(s), Transfer-Encoding, Upgrade), Host, User-Agent, Content-*, "
                                 "X-FluentCRM-*, webhook-*. Values: no control characters. On update, "
                                 f"{custom_headers.MASK} for a name already set keeps its value."}
    input_common = {"name": name_in, "url": url, "events": events_in, "status": status_in,
                    "max_concurrency": max_concurrency, "ordered": ordered, "retention_days": retention,
                    "headers": headers_in, "conditions": {**conditions_out, "type": ["object", "null"]},
                    "auto_recover": auto_recover}
    webhook_create = _object({
        **input_common,
        "status": {**status_in, "default": "active"},
        "secret": {"type": ["string", "null"], "maxLength": validation.SECRET_MAX,
                   "description": "Generated when absent, null or empty."},
        "max_concurrency": {**max_concurrency, "default": None},
        "ordered": {**ordered, "default": False},
        "retention_days": {**retention, "default": None},
        "auto_recover": {**auto_recover, "default": True},
    }, list(validation.REQUIRED_ON_CREATE),
        examples=[{"name": "Contact Updates", "url": "https://example.com/webhook",
                   "events": ["contact.created", "contact.updated"], "secret": "my-secret-key"}])
    webhook_update = _object({
        **input_common,
        "secret": secret_out,
    }, description="Partial: only the fields given change.",
        examples=[{"name": "Updated Webhook", "events": ["contact.created", "contact.updated", "contact.deleted"]}])
    site = _object({"url": {"type": "string", "minLength": 1, "maxLength": validation.SITE_URL_MAX},
                    "environment": {"type": "string", "minLength": 1, "maxLength": validation.SITE_ENVIRONMENT_MAX}},
                   ["url", "environment"], additionalProperties=False,
                   description="The site the webhooks were set up on (the plugin's record), as it says.")
    incoming_event = _object({
        "id": {"type": "string", "minLength": 1, "maxLength": validation.EVENT_ID_MAX,
               "description": "Unique per event (the plugin sends UUIDs); ids seen in the last 7 days are skipped."},
        "event": event,
        "timestamp": {**TIMESTAMP, "description": "When the event happened (ISO 8601; no offset means UTC)."},
        "data": {"type": ["object", "null"], "description": "The event's data, passed on as the body's `data`."},
    }, ["id", "event", "timestamp"])
    return {
        "Webhook": _object(webhook_properties, list(webhook_properties), additionalProperties=False),
        "ListedWebhook": _object({k: webhook_properties[k] for k in listed}, listed, additionalProperties=False,
                                 description="A webhook as lists and deletions show it: without its secret."),
        "WebhookCreate": webhook_create,
        "WebhookUpdate": webhook_update,
        "Delivery": _object(delivery_properties, list(delivery_properties), additionalProperties=False),
        "DeliveryDetail": _object(detail_properties, list(detail_properties), additionalProperties=False),
        "Attempt": attempt,
        "ContactDelivery": _object({
            **delivery_properties,
            "erased_at": _nullable({**TIMESTAMP, "description": "When its personal data was erased; null if never."}),
            "body": {"type": "string", "description": "With include=body only: the exact bytes sent "
                                                      "(empty once erased)."},
        }, [*delivery_properties, "erased_at"], additionalProperties=False),
        "Stats": _object({
            "deliveries": _object({name: COUNT for name in (*validation.DELIVERY_STATUSES, "held", "total")},
                                  [*validation.DELIVERY_STATUSES, "held", "total"], additionalProperties=False,
                                  description="`held`: pending deliveries of webhooks that are not active."),
            "attempts": COUNT,
            "oldest_pending_at": _nullable({**TIMESTAMP, "description": "When the oldest delivery an active "
                                                                         "webhook still has to send was recorded."}),
            "retention_days": {"type": "integer", "minimum": 0, "maximum": RETENTION_DAYS_MAX,
                               "description": "FCWH_RETENTION_DAYS (0: for ever)."},
        }, ["deliveries", "attempts", "oldest_pending_at", "retention_days"], additionalProperties=False),
        "SecretRotation": _object({
            "secret": {"type": ["string", "null"], "maxLength": validation.SECRET_MAX,
                       "description": "The new secret; generated when absent, null or empty."},
            "overlap_seconds": {"type": "integer", "minimum": 0, "maximum": validation.OVERLAP_MAX,
                                "default": validation.OVERLAP_DEFAULT,
                                "description": "How long the old secret still signs beside the new one "
                                               "(webhook-signature carries both); 0: dropped at once."},
        }),
        "DeliverySite": {**site, "type": ["object", "null"]},
        "WebhookStats": _object({
            "webhook_id": ID, "since": TIMESTAMP, "until": TIMESTAMP,
            "bucket": {"type": "string", "enum": list(attempt_stats.BUCKET_SECONDS)},
            "buckets": {"type": "array", "maxItems": validation.STATS_BUCKETS_MAX, "items": _object(
                {"start": TIMESTAMP, **{name: COUNT for name in attempt_stats.OUTCOMES}},
                ["start", *attempt_stats.OUTCOMES], additionalProperties=False)},
            "totals": _object({**{name: COUNT for name in attempt_stats.OUTCOMES},
                               "success_rate": {"type": ["number", "null"], "minimum": 0, "maximum": 1,
                                                "description": "Success / all attempts; null when none."}},
                              [*attempt_stats.OUTCOMES, "success_rate"], additionalProperties=False),
        }, ["webhook_id", "since", "until", "bucket", "buckets", "totals"], additionalProperties=False,
            description="Attempts from since (inclusive) to until (exclusive), test sends left out, in whole UTC "
                        "hours or days, every bucket present. success: a 2xx; failed: the attempt that left its "
                        "delivery failed; retrying: any other."),
        "DeliveryState": _object({
            "paused": {"type": "boolean"},
            "reason": {"type": ["string", "null"], "maxLength": validation.PAUSE_REASON_MAX},
            "paused_at": _nullable({**TIMESTAMP, "description": "When the pause began (kept when paused again)."}),
            "site": {**site, "type": ["object", "null"]},
        }, ["paused", "reason", "paused_at", "site"], additionalProperties=False),
        "Pagination": _object({
            "total": COUNT,
            "per_page": {"type": "integer", "minimum": 1, "maximum": validation.PER_PAGE_MAX},
            "current_page": {"type": "integer", "minimum": 1, "maximum": validation.PAGE_MAX},
            "last_page": {"type": "integer", "minimum": 1},
        }, ["total", "per_page", "current_page", "last_page"]),
        "IncomingEvent": incoming_event,
        "Health": _object({
            "status": {"type": "string", "enum": [OK, ERROR], "description": "ok only when every part is."},
            "database": {"type": "string", "enum": [OK, ERROR], "description": "The database answers `SELECT 1`."},
            "queue": {"type": "string", "enum": [OK, ERROR],
                      "description": "The queue (FCWH_QUEUE_URL: SQLite or Redis) answers within 3 s."},
            "workers": {"type": "string", "enum": list(WORKER_STATES),
                        "description": "This process's delivery workers: `stopped` (stopped, or a thread died), "
                                       "`stalled` (alive but not come round for 2 minutes), `none` (started "
                                       "without workers: never with `serve`)."},
            "version": {"type": "string"},
        }, ["status", "database", "queue", "workers", "version"]),
        "Error": _object({
            "code": {"type": "string"},
            "message": {"type": "string"},
            "data": _object({
                "status": HTTP_STATUS,
                "params": {"anyOf": [
                    {"type": "array", "items": {"type": "string"},
                     "description": "rest_missing_callback_param: the missing parameters."},
                    {"type": "object", "additionalProperties": {"type": "string"},
                     "description": "rest_invalid_param: each invalid parameter and why."},
                ]},
            }, ["status"]),
        }, ["code", "message", "data"], description="WordPress's REST error shape."),
    }


def _error(description: str, *samples: errors.ApiError) -> dict[str, Any]:
    """A response answering one of these errors (all of one status)."""
    status = samples[0].status
    assert all(sample.status == status for sample in samples)
    codes = list(dict.fromkeys(sample.code for sample in samples))
    schema = {"allOf": [_ref("Error"), _object({
        "code": {"type": "string", "enum": codes},
        "data": _object({"status": {"type": "integer", "const": status}}),
    })]}
    example = samples[0]
    return {"description": description, "content": {JSON: {
        "schema": schema,
        "example": {"code": example.code, "message": example.message, "data": {"status": status, **example.data}},
    }}}


def _ok(description: str, properties: dict[str, Any], required: list[str] | None = None) -> dict[str, Any]:
    schema = _object(properties, list(properties) if required is None else required, additionalProperties=False)
    return {"description": description, "content": {JSON: {"schema": schema}}}


def _json_body(schema: str, required: bool = True) -> dict[str, Any]:
    return {"required": required, "content": {JSON: {"schema": _ref(schema)}},
            "description": f"JSON (at most {MAX_BODY_BYTES} bytes); unknown fields are ignored."}


def _operation(operation_id: str, summary: str, responses: dict[str, Any], *, public: bool = False,
               body: dict[str, Any] | None = None, parameters: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    operation: dict[str, Any] = {"operationId": operation_id, "summary": summary}
    if parameters:
        operation["parameters"] = parameters
    if body is not None:
        operation["requestBody"] = body
    all_responses = dict(responses)
    if body is not None:
        all_responses.setdefault("413", _error("The body is larger than the limit.", TOO_LARGE))
        all_responses.setdefault("408", _error("The body did not arrive within FCWH_REQUEST_TIMEOUT (default "
                                               f"{Settings().request_timeout:g} s); the connection is closed.",
                                               TOO_SLOW))
    if public:
        operation["security"] = []
    else:
        all_responses["401"] = {"$ref": "#/components/responses/Unauthorized"}
    all_responses["500"] = {"$ref": "#/components/responses/InternalError"}
    operation["responses"] = dict(sorted(all_responses.items()))
    return operation


def _path_id(name: str, what: str) -> dict[str, Any]:
    return {"name": name, "in": "path", "required": True, "description": f"The {what}'s id.",
            "schema": {"type": "integer", "minimum": 1}}


def _page_parameters() -> list[dict[str, Any]]:
    return [
        {"name": "per_page", "in": "query", "required": False,
         "schema": {"type": "integer", "minimum": 1, "maximum": validation.PER_PAGE_MAX,
                    "default": validation.PER_PAGE_DEFAULT}},
        {"name": "page", "in": "query", "required": False,
         "schema": {"type": "integer", "minimum": 1, "maximum": validation.PAGE_MAX, "default": 1}},
    ]


def _contact_parameters() -> list[dict[str, Any]]:
    return [
        {"name": "contact_id", "in": "query", "required": False, "description": "FluentCRM's contact id.",
         "schema": {"type": "integer", "minimum": 1}},
        {"name": "email", "in": "query", "required": False,
         "description": "An email address (matched case-insensitively); at least one of the two.",
         "schema": {"type": "string", "maxLength": validation.EMAIL_MAX}},
    ]


def _paths() -> dict[str, Any]:
    webhook_id = _path_id("webhook_id", "webhook")
    delivery_id = _path_id("delivery_id", "delivery")
    webhook_missing = _error("Unknown webhook id (or not a positive integer).", WEBHOOK_NOT_FOUND, NO_ROUTE)
    delivery_missing = _error("Unknown webhook or delivery id, or the delivery is another webhook's.",
                              DELIVERY_NOT_FOUND, NO_ROUTE)
    webhook_invalid = _error("Invalid input: nothing was changed.", INVALID_JSON, MISSING, INVALID, INVALID_URL,
                             INVALID_EVENT)
    webhook = {"webhook": _ref("Webhook")}
    return {
        "/healthz": {"get": _operation("healthz", "Is the sidecar ready: database and queue reachable, delivery "
                                                  "workers alive (no token).", {
            "200": {"description": "Ready: every part is ok.", "content": {JSON: {"schema": _ref("Health")}}},
            "503": {"description": "Not ready: the parts that are not `ok` say what failed.",
                    "content": {JSON: {"schema": _ref("Health")}}},
        }, public=True)},
        "/metrics": {"get": _operation("metrics", "Prometheus metrics: deliveries by webhook and status, queue depth "
                                                  "and age, webhooks paced and failed (read from the database when "
                                                  "scraped), this process's attempts by outcome with their latency, "
                                                  "intake batches, events and refusals (docs/deployment.md).", {
            "200": {"description": "The Prometheus text exposition format (OpenMetrics when the Accept header asks "
                                   "for application/openmetrics-text).",
                    "content": {"text/plain": {"schema": {"type": "string"}},
                                "application/openmetrics-text": {"schema": {"type": "string"}}}},
        })},
        "/v2/openapi.json": {"get": _operation("openapi", "This description (no token).", {
            "200": {"description": "The OpenAPI 3.1 description.", "content": {JSON: {"schema": {"type": "object"}}}},
        }, public=True)},
        "/v2/webhooks": {
            "get": _operation("listWebhooks", "All webhooks, ordered by id (without secrets).", {
                "200": _ok("The webhooks.", {"webhooks": {"type": "array", "items": _ref("ListedWebhook")}}),
            }),
            "post": _operation("createWebhook", "Create a webhook.", {
                "201": _ok("Created (the secret included).", webhook),
                "400": webhook_invalid,
            }, body=_json_body("WebhookCreate")),
        },
        "/v2/webhooks/{webhook_id}": {
            "parameters": [webhook_id],
            "get": _operation("getWebhook", "One webhook (the secret included).", {
                "200": _ok("The webhook.", webhook), "404": webhook_missing,
            }),
            "put": _operation("updateWebhook", "Change the fields given (partial update).", {
                "200": _ok("The webhook as it is now.", webhook), "400": webhook_invalid, "404": webhook_missing,
            }, body=_json_body("WebhookUpdate", required=False)),
            "patch": _operation("patchWebhook", "The same as PUT: change the fields given.", {
                "200": _ok("The webhook as it is now.", webhook), "400": webhook_invalid, "404": webhook_missing,
            }, body=_json_body("WebhookUpdate", required=False)),
            "delete": _operation("deleteWebhook", "Delete a webhook and its deliveries.", {
                "200": _ok("Deleted.", {"deleted": {"type": "boolean", "const": True},
                                        "webhook": _ref("ListedWebhook")}),
                "404": webhook_missing,
            }),
        },
        "/v2/webhooks/{webhook_id}/test": {
            "parameters": [webhook_id],
            "post": _operation("testWebhook", "Send one `webhook.test` event now (no retries, logged, whatever "
                                              "the webhook's status; never counts toward disabling it).", {
                "200": _ok("The outcome of the attempt.", {
                    "success": {"type": "boolean"}, "response_code": _nullable(HTTP_STATUS),
                    "response_time": _nullable(MILLISECONDS), "error": {"type": ["string", "null"]},
                    "response_body": {"type": "string", "maxLength": TEST_RESPONSE_BODY_MAX},
                    "delivery": _ref("Delivery"),
                }),
                "404": webhook_missing,
                "409": _error("Delivery is paused (PUT /v2/delivery): nothing was sent or recorded.", DELIVERY_PAUSED),
            }),
        },
        "/v2/webhooks/{webhook_id}/rotate-secret": {
            "parameters": [webhook_id],
            "post": _operation("rotateSecret", "Replace the secret; the old one signs beside it for overlap_seconds.", {
                "200": _ok("Rotated: the new secret, shown once here.", {
                    **webhook, "secret": {"type": "string", "minLength": 1, "maxLength": validation.SECRET_MAX}}),
                "400": _error("Invalid input: nothing was changed.", INVALID_JSON, INVALID),
                "404": webhook_missing,
            }, body={"required": False, "description": "JSON; empty: a generated secret, a day's overlap.",
                     "content": {JSON: {"schema": _ref("SecretRotation")}}}),
        },
        "/v2/webhooks/{webhook_id}/stats": {
            "parameters": [webhook_id],
            "get": _operation("webhookStats", "The webhook's attempts per hour or day: success, failed, retrying.", {
                "200": {"description": "The counts.", "content": {JSON: {"schema": _ref("WebhookStats")}}},
                "400": _error("An invalid query parameter, since not before until, or more than "
                              f"{validation.STATS_BUCKETS_MAX} buckets.", INVALID),
                "404": webhook_missing,
            }, parameters=[
                {"name": "since", "in": "query", "required": False, "description": "Default: a day before until.",
                 "schema": {"type": "string", "format": "date-time"}},
                {"name": "until", "in": "query", "required": False, "description": "Default: now.",
                 "schema": {"type": "string", "format": "date-time"}},
                {"name": "bucket", "in": "query", "required": False,
                 "schema": {"type": "string", "enum": list(attempt_stats.BUCKET_SECONDS), "default": "hour"}},
            ]),
        },
        "/v2/webhooks/{webhook_id}/deliveries": {
            "parameters": [webhook_id],
            "get": _operation("listDeliveries", "A page of the webhook's delivery log, newest first.", {
                "200": _ok("The page.", {"deliveries": {"type": "array", "items": _ref("Delivery")},
                                         "pagination": _ref("Pagination")}),
                "400": _error("An invalid query parameter.", INVALID),
                "404": webhook_missing,
            }, parameters=[
                {"name": "status", "in": "query", "required": False, "description": "Only deliveries with this status.",
                 "schema": {"type": "string", "enum": list(validation.DELIVERY_STATUSES)}},
                {"name": "test", "in": "query", "required": False,
                 "description": "`only` the test sends (POST /test, recovery probes), or `exclude` them; default all.",
                 "schema": {"type": "string", "enum": list(validation.TEST_FILTERS)}},
                *_page_parameters(),
            ]),
        },
        "/v2/webhooks/{webhook_id}/deliveries/{delivery_id}": {
            "parameters": [webhook_id, delivery_id],
            "get": _operation("getDelivery", "One delivery in full: body, headers, signature, attempts.", {
                "200": _ok("The delivery.", {"delivery": _ref("DeliveryDetail")}), "404": delivery_missing,
            }),
        },
        "/v2/webhooks/{webhook_id}/deliveries/{delivery_id}/redeliver": {
            "parameters": [webhook_id, delivery_id],
            "post": _operation("redeliver", "Send the same delivery (same id and body) again, with fresh retries.", {
                "202": _ok("Back to pending.", {"delivery": _ref("Delivery")}), "404": delivery_missing,
                "409": _error("Its data was erased at the contact's request.", DELIVERY_ERASED),
            }),
        },
        "/v2/webhooks/{webhook_id}/recover": {
            "parameters": [webhook_id],
            "post": _operation("recover", "Redeliver every failed delivery created at or after `since`.", {
                "202": _ok("How many went back to pending.", {"recovered": COUNT}),
                "400": _error("Invalid input.", INVALID_JSON, MISSING, INVALID),
                "404": webhook_missing,
            }, body={"required": True, "description": "JSON.", "content": {JSON: {"schema": _object(
                {"since": {**TIMESTAMP, "description": "ISO 8601 (no offset means UTC)."}}, ["since"])}}}),
        },
        "/v2/stats": {"get": _operation("stats", "The delivery log's size and backlog, and the retention in force.", {
            "200": {"description": "The totals.", "content": {JSON: {"schema": _ref("Stats")}}},
        })},
        "/v2/delivery": {
            "get": _operation("getDeliveryState", "Whether delivery is paused (on a copy of the site).", {
                "200": {"description": "The state.", "content": {JSON: {"schema": _ref("DeliveryState")}}},
            }),
            "put": _operation("putDeliveryState", "Pause or resume all delivery. While paused, events are still "
                                                  "recorded and held; nothing is sent, POST /test answers 409.", {
                "200": {"description": "The state now.", "content": {JSON: {"schema": _ref("DeliveryState")}}},
                "400": _error("Invalid input: nothing was changed.", INVALID_JSON, MISSING_PAUSED, INVALID),
            }, body={"required": True, "description": "JSON.", "content": {JSON: {"schema": _object({
                "paused": {"type": "boolean"},
                "reason": {"type": ["string", "null"], "maxLength": validation.PAUSE_REASON_MAX,
                           "description": "Shown beside the pause; cleared on resume."},
                "site": {"$ref": "#/components/schemas/DeliverySite",
                         "description": "Replaces the stored site when given (null clears); kept when absent."},
            }, ["paused"])}}}),
        },
        "/v2/contacts/deliveries": {"get": _operation(
            "contactDeliveries", "One contact's deliveries across every webhook, newest first (by FluentCRM "
                                 "contact id, email address, or either).", {
                "200": _ok("The page.", {"deliveries": {"type": "array", "items": _ref("ContactDelivery")},
                                         "pagination": _ref("Pagination")}),
                "400": _error("Neither contact_id nor email, or an invalid one.", MISSING_CONTACT, INVALID),
            }, parameters=[*_contact_parameters(),
                           {"name": "include", "in": "query", "required": False,
                            "description": "`body` adds each delivery's body (the personal-data export).",
                            "schema": {"type": "string", "enum": ["", "body"]}},
                           *_page_parameters()])},
        "/v2/contacts/erase": {"post": _operation(
            "eraseContact", "Erase one contact's data from the log: bodies and the receivers' answers go, rows stay "
                            "as tombstones; pending deliveries about the contact are stopped.", {
                "200": _ok("Done.", {"erased": {**COUNT, "description": "Deliveries whose data was erased."},
                                     "stopped": {**COUNT, "description": "Of those, pending ones now never sent."}}),
                "400": _error("Neither contact_id nor email, or an invalid one.", INVALID_JSON, MISSING_CONTACT, INVALID),
            }, body={"required": True, "description": "JSON.", "content": {JSON: {"schema": _object({
                "contact_id": {"type": "integer", "minimum": 1, "description": "FluentCRM's contact id."},
                "email": {"type": "string", "maxLength": validation.EMAIL_MAX, "description": "An email address; "
                          "matched case-insensitively through the hash stored at intake."},
            }, description="At least one of the two; deliveries matching either are erased.")}}})},
        "/v2/events": {
            "post": _operation("receiveEvents", "The plugin's batches of events, recorded before the answer "
                                                "(one invalid event rejects the whole batch).", {
                "200": _ok("Recorded.", {"accepted": COUNT, "duplicates": COUNT,
                                         "deliveries": {**COUNT, "description": "Deliveries recorded."}}),
                "400": _error("Invalid input: nothing was recorded.", INVALID_JSON, MISSING, INVALID, INVALID_EVENT),
            }, body={"required": True, "description": f"JSON (at most {MAX_BODY_BYTES} bytes).",
                     "content": {JSON: {"schema": _object(
                         {"events": {"type": "array", "items": _ref("IncomingEvent")}}, ["events"])}}}),
        },
    }


def document() -> dict[str, Any]:
    """The description as a fresh dict."""
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "FluentCRM Webhooks sidecar API",
            "version": VERSION,
            "description": "Signed, retried, logged outgoing webhooks for FluentCRM (docs/sidecar-api.md). "
                           "Errors use WordPress's REST shape {\"code\", \"message\", \"data\": {\"status\"}}.",
        },
        "servers": [{"url": "http://127.0.0.1:8787", "description": "The default FCWH_HOST and FCWH_PORT."}],
        "security": [{"bearerToken": []}],
        "paths": _paths(),
        "components": {
            "securitySchemes": {"bearerToken": {
                "type": "http", "scheme": "bearer",
                "description": "FCWH_API_TOKEN, or the token generated on first start (saved as fcwh.token).",
            }},
            "schemas": _schemas(),
            "responses": {
                "Unauthorized": _error("The token is missing or wrong.", NOT_LOGGED_IN),
                "InternalError": _error("Unexpected: the database is unreachable, or a bug (see the sidecar's log).",
                                        errors.ApiError(500, *INTERNAL_ERROR)),
            },
        },
    }


@lru_cache(maxsize=1)
def document_bytes() -> bytes:
    return render().encode("utf-8")


def render() -> str:
    return json.dumps(document(), indent=2, ensure_ascii=False) + "\n"


def main() -> int:
    sys.stdout.write(render())
    return 0


if __name__ == "__main__":
    sys.exit(main())
