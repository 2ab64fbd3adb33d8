"""Turn request input into clean values or an ApiError (DESIGN.md's limits). Pure: no database."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from typing import Any

from . import attempt_stats, custom_headers, errors
from .config import RETENTION_DAYS_MAX
from .events import EVENT_TYPES, IncomingEvent
from .numbers import ascii_whole_number
from .subjects import CONTACT_ID_DIGITS, CONTACT_ID_MAX, contact_email_hash
from .targets import UrlRejected, check_webhook_url
from .timeutil import iso, parse_iso

NAME_MAX = 191
SECRET_MAX = 255
EVENT_ID_MAX = 64
CLIENT_STATUSES = ("active", "inactive")
DELIVERY_STATUSES = ("success", "failed", "pending")
PER_PAGE_DEFAULT = 25
PER_PAGE_MAX = 100
# Far beyond any real log (10^11 rows at 100 a page), small enough that the OFFSET fits the 64-bit
# integer SQLite and MySQL take: a larger page is a clear 400, never an overflow in the driver.
PAGE_MAX = 1_000_000_000
REQUIRED_ON_CREATE = ("name", "url", "events")
MAX_CONCURRENCY_MAX = 1000
EMAIL_MAX = 254  # RFC 5321's longest address
TEST_FILTERS = ("only", "exclude")
# A webhook's `conditions` (docs/sidecar-api.md): FluentCRM's contact statuses, how many ids a list may name.
CONTACT_STATUSES = ("subscribed", "pending", "unsubscribed", "bounced", "complained", "spammed", "transactional")
CONDITION_KEYS = ("lists", "tags", "statuses", "campaigns")
CONDITION_IDS_MAX = 100
ID_MAX = 2**63 - 1  # what the 64-bit id columns FluentCRM uses can hold
OVERLAP_DEFAULT = 86400
OVERLAP_MAX = 7 * 86400
PAUSE_REASON_MAX = 200
SITE_URL_MAX = 2048
SITE_ENVIRONMENT_MAX = 64
STATS_BUCKETS_MAX = 1000
STATS_DEFAULT_SPAN = 86400


def generate_secret() -> str:
    return secrets.token_urlsafe(32)


def webhook_input(payload: Any, *, creating: bool, allow_http: bool, allow_private: bool,
                  stored_headers: dict[str, str] | None = None) -> dict[str, Any]:
    """Validated fields of a create (all required ones present) or a partial update.
    `stored_headers`: the webhook's headers now, which a masked value in an update keeps."""
    if not isinstance(payload, dict):
        raise errors.invalid_json()
    if creating:
        missing = [name for name in REQUIRED_ON_CREATE if payload.get(name) is None]
        if missing:
            raise errors.missing_params(missing)
    clean: dict[str, Any] = {}
    if "name" in payload:
        clean["name"] = _name(payload["name"])
    if "url" in payload:
        try:
            clean["url"] = check_webhook_url(payload["url"], allow_http=allow_http, allow_private=allow_private)
        except UrlRejected as rejected:
            raise errors.invalid_url(str(rejected)) from None
    if "events" in payload:
        clean["events"] = event_list(payload["events"])
    if "status" in payload:
        status = payload["status"]
        if status not in CLIENT_STATUSES:
            raise errors.invalid_params({"status": "status must be one of: active, inactive."})
        clean["status"] = status
    elif creating:
        clean["status"] = "active"
    if "max_concurrency" in payload:
        clean["max_concurrency"] = _max_concurrency(payload["max_concurrency"])
    if "retention_days" in payload:
        clean["retention_days"] = _retention_days(payload["retention_days"])
    if "ordered" in payload:
        if not isinstance(payload["ordered"], bool):
            raise errors.invalid_params({"ordered": "ordered must be true or false."})
        clean["ordered"] = payload["ordered"]
    if "headers" in payload:
        clean["headers"] = custom_headers.headers_input(payload["headers"], stored_headers or {})
    if "conditions" in payload:
        clean["conditions"] = conditions_input(payload["conditions"])
    if "auto_recover" in payload:
        if not isinstance(payload["auto_recover"], bool):
            raise errors.invalid_params({"auto_recover": "auto_recover must be true or false."})
        clean["auto_recover"] = payload["auto_recover"]
    if "secret" in payload and not (creating and payload["secret"] in (None, "")):
        clean["secret"] = _secret(payload["secret"])
    elif creating:
        clean["secret"] = generate_secret()
    return clean


def conditions_input(value: Any) -> dict[str, Any] | None:
    """A webhook's filter, normalised (ids de-duplicated, `match` spelled out); null or {} for none."""
    if value is None:
        return None
    if not isinstance(value, dict):
        raise errors.invalid_params({"conditions": "conditions must be null or an object."})
    unknown = [key for key in value if key not in CONDITION_KEYS]
    if unknown:
        raise errors.invalid_params({f"conditions.{unknown[0]}": "conditions may only have: " + ", ".join(CONDITION_KEYS) + "."})
    clean: dict[str, Any] = {}
    for key in ("lists", "tags"):
        if key in value:
            clean[key] = _id_match(value[key], key)
    if "statuses" in value:
        statuses = value["statuses"]
        if (not isinstance(statuses, list) or not statuses
                or any(not isinstance(s, str) or s not in CONTACT_STATUSES for s in statuses)):
            raise errors.invalid_params({"conditions.statuses": "statuses must be a non-empty list of: "
                                                                + ", ".join(CONTACT_STATUSES) + "."})
        clean["statuses"] = list(dict.fromkeys(statuses))
    if "campaigns" in value:
        clean["campaigns"] = _ids(value["campaigns"], "conditions.campaigns")
    return clean or None


def _id_match(value: Any, key: str) -> dict[str, Any]:
    name = f"conditions.{key}"
    if not isinstance(value, dict) or set(value) - {"match", "ids"}:
        raise errors.invalid_params({name: f"{key} must be an object: {{\"match\": \"any\" or \"all\", \"ids\": [...]}}."})
    match = value.get("match", "any")
    if match not in ("any", "all"):
        raise errors.invalid_params({f"{name}.match": "match must be any or all."})
    return {"match": match, "ids": _ids(value.get("ids"), f"{name}.ids")}


def _ids(value: Any, name: str) -> list[int]:
    if (not isinstance(value, list) or not 1 <= len(value) <= CONDITION_IDS_MAX
            or any(not isinstance(i, int) or isinstance(i, bool) or not 0 < i <= ID_MAX for i in value)):
        raise errors.invalid_params({name: f"{name.rsplit('.', 1)[-1]} must be a list of 1 to {CONDITION_IDS_MAX} "
                                           "positive whole numbers."})
    return list(dict.fromkeys(value))


def rotate_input(payload: Any) -> tuple[str, int]:
    """POST /rotate-secret: (the new secret, given or generated; seconds the old one still signs)."""
    if not isinstance(payload, dict):
        raise errors.invalid_json()
    given = payload.get("secret")
    secret = generate_secret() if given in (None, "") else _secret(given)
    overlap = payload.get("overlap_seconds", OVERLAP_DEFAULT)
    if overlap is None:
        overlap = OVERLAP_DEFAULT
    if not isinstance(overlap, int) or isinstance(overlap, bool) or not 0 <= overlap <= OVERLAP_MAX:
        raise errors.invalid_params({"overlap_seconds": f"overlap_seconds must be a whole number, 0 to {OVERLAP_MAX}."})
    return secret, overlap


def delivery_pause_input(payload: Any) -> tuple[bool, str | None, dict[str, str] | None, bool]:
    """PUT /v2/delivery: (paused, reason, site, whether to keep the stored site: `site` absent)."""
    if not isinstance(payload, dict):
        raise errors.invalid_json()
    if payload.get("paused") is None:
        raise errors.missing_params(["paused"])
    paused = payload["paused"]
    if not isinstance(paused, bool):
        raise errors.invalid_params({"paused": "paused must be true or false."})
    reason = payload.get("reason")
    if reason is not None and (not isinstance(reason, str) or len(reason) > PAUSE_REASON_MAX):
        raise errors.invalid_params({"reason": f"reason must be null or a string of at most {PAUSE_REASON_MAX} characters."})
    site = payload.get("site")
    if site is not None:
        if not isinstance(site, dict) or set(site) != {"url", "environment"} or not all(
                isinstance(site[k], str) and 0 < len(site[k]) <= limit
                for k, limit in (("url", SITE_URL_MAX), ("environment", SITE_ENVIRONMENT_MAX))):
            raise errors.invalid_params({"site": "site must be null or {\"url\", \"environment\"}, both non-empty strings "
                                                 f"(at most {SITE_URL_MAX} and {SITE_ENVIRONMENT_MAX} characters)."})
        site = {"url": site["url"], "environment": site["environment"]}
    return paused, reason or None, site, "site" not in payload


def stats_query(params: dict[str, str], now: datetime) -> tuple[datetime, datetime, str]:
    """GET /stats: (since, until, bucket); until defaults to now (the end of this second), since to
    a day before until."""
    bucket = params.get("bucket") or "hour"
    if bucket not in attempt_stats.BUCKET_SECONDS:
        raise errors.invalid_params({"bucket": "bucket must be hour or day."})
    # Times are stored in whole seconds and `until` is exclusive: by default it is the end of the
    # current second, so an attempt made in it is counted.
    until = _time_param(params, "until") or now + timedelta(seconds=1)
    try:
        since = _time_param(params, "since") or until - timedelta(seconds=STATS_DEFAULT_SPAN)
    except OverflowError:  # until in year 1, no since: a day before it is before datetime's range
        raise errors.invalid_params({"since": "since must be before until."}) from None
    if since >= until:
        raise errors.invalid_params({"since": "since must be before until."})
    if attempt_stats.bucket_count(since, until, bucket) > STATS_BUCKETS_MAX:
        raise errors.invalid_params({"since": f"since to until spans more than {STATS_BUCKETS_MAX} buckets of one {bucket}."})
    return since, until, bucket


def _time_param(params: dict[str, str], name: str) -> datetime | None:
    raw = params.get(name)
    if raw is None or raw == "":
        return None
    try:
        return parse_iso(raw)
    except (ValueError, TypeError):
        raise errors.invalid_params({name: f"{name} must be an ISO 8601 date-time."}) from None


def _name(value: Any) -> str:
    if not isinstance(value, str) or not value.strip() or len(value.strip()) > NAME_MAX:
        raise errors.invalid_params({"name": f"name must be a string of 1 to {NAME_MAX} characters."})
    return value.strip()


def _max_concurrency(value: Any) -> int | None:
    """Attempts in flight to this webhook at most, per process; null for the sidecar's default."""
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= MAX_CONCURRENCY_MAX:
        raise errors.invalid_params(
            {"max_concurrency": f"max_concurrency must be null or a whole number, 1 to {MAX_CONCURRENCY_MAX}."})
    return value


def _retention_days(value: Any) -> int | None:
    """Days this webhook's finished deliveries are kept; null for FCWH_RETENTION_DAYS, 0 for ever."""
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= RETENTION_DAYS_MAX:
        raise errors.invalid_params({"retention_days": "retention_days must be null or a whole number of days, "
                                                       f"0 (keep for ever) to {RETENTION_DAYS_MAX}."})
    return value


def _secret(value: Any) -> str:
    if not isinstance(value, str) or not value or len(value) > SECRET_MAX:
        raise errors.invalid_params({"secret": f"secret must be a string of 1 to {SECRET_MAX} characters."})
    return value


def event_list(value: Any) -> list[str]:
    """A non-empty list of known event types, duplicates collapsed, order kept."""
    if not isinstance(value, list) or not value:
        raise errors.invalid_params({"events": "events must be a non-empty list of event types."})
    for event in value:
        if not isinstance(event, str) or event not in EVENT_TYPES:
            raise errors.invalid_event(event)
    return list(dict.fromkeys(value))


def events_batch(payload: Any) -> list[IncomingEvent]:
    """POST /v2/events: {"events": [{"id", "event", "timestamp", "data"}, ...]}. One bad event rejects all."""
    if not isinstance(payload, dict):
        raise errors.invalid_json()
    if "events" not in payload:
        raise errors.missing_params(["events"])
    items = payload["events"]
    if not isinstance(items, list):
        raise errors.invalid_params({"events": "events must be a list."})
    batch = []
    for index, item in enumerate(items):
        if not isinstance(item, dict):
            raise errors.invalid_params({"events": f"events[{index}] must be an object."})
        missing = [key for key in ("id", "event", "timestamp") if item.get(key) is None]
        if missing:
            raise errors.missing_params([f"events[{index}].{key}" for key in missing])
        event_id = item["id"]
        if not isinstance(event_id, str) or not event_id or len(event_id) > EVENT_ID_MAX:
            raise errors.invalid_params({f"events[{index}].id": f"id must be a string of 1 to {EVENT_ID_MAX} characters."})
        if not isinstance(item["event"], str) or item["event"] not in EVENT_TYPES:
            raise errors.invalid_event(item["event"])
        try:
            timestamp = iso(parse_iso(item["timestamp"]))
        except (ValueError, TypeError):
            raise errors.invalid_params({f"events[{index}].timestamp": "timestamp must be an ISO 8601 date-time."}) from None
        data = item.get("data", {})
        if data is None:
            data = {}
        if not isinstance(data, dict):
            raise errors.invalid_params({f"events[{index}].data": "data must be an object."})
        batch.append(IncomingEvent(event_id, item["event"], timestamp, data))
    return batch


def deliveries_query(params: dict[str, str]) -> tuple[str | None, str | None, int, int]:
    """A log page's filters: (status, test: "only" / "exclude" / None for all, page, per_page)."""
    status = params.get("status") or None
    if status is not None and status not in DELIVERY_STATUSES:
        raise errors.invalid_params({"status": "status must be one of: success, failed, pending."})
    test = params.get("test") or None
    if test is not None and test not in TEST_FILTERS:
        raise errors.invalid_params({"test": "test must be only or exclude."})
    per_page = _positive_int(params, "per_page", PER_PAGE_DEFAULT, PER_PAGE_MAX)
    page = _positive_int(params, "page", 1, PAGE_MAX)
    return status, test, page, per_page


def _positive_int(params: dict[str, str], name: str, default: int, maximum: int) -> int:
    raw = params.get(name)
    if raw is None or raw == "":
        return default
    value = ascii_whole_number(raw.strip(), len(str(maximum)))
    if value is None or not 1 <= value <= maximum:
        raise errors.invalid_params({name: f"{name} must be a whole number, 1 to {maximum}."})
    return value


def contact_input(source: Any, *, from_query: bool) -> tuple[int | None, str | None]:
    """A contact named by `contact_id` (FluentCRM's id), `email`, or both (either matches):
    (contact id, hash of the address). Query strings carry text; JSON bodies carry numbers."""
    if not isinstance(source, dict):
        raise errors.invalid_json()
    raw_id, email = source.get("contact_id"), source.get("email")
    if raw_id in (None, "") and email in (None, ""):
        raise errors.missing_params(["contact_id", "email"])
    contact_id = None
    if raw_id not in (None, ""):
        text = raw_id
        if from_query and isinstance(text, str):
            text = ascii_whole_number(text.strip(), CONTACT_ID_DIGITS)
        if not isinstance(text, int) or isinstance(text, bool) or not 0 < text <= CONTACT_ID_MAX:
            raise errors.invalid_params({"contact_id": "contact_id must be a positive whole number."})
        contact_id = text
    email_hash = None
    if email not in (None, ""):
        if not isinstance(email, str) or "@" not in email or len(email) > EMAIL_MAX:
            raise errors.invalid_params({"email": f"email must be an email address of at most {EMAIL_MAX} characters."})
        email_hash = contact_email_hash(email)
    return contact_id, email_hash


def contact_query(params: dict[str, str]) -> tuple[int | None, str | None, int, int, bool]:
    contact_id, email_hash = contact_input(params, from_query=True)
    per_page = _positive_int(params, "per_page", PER_PAGE_DEFAULT, PER_PAGE_MAX)
    page = _positive_int(params, "page", 1, PAGE_MAX)
    include = params.get("include", "")
    if include not in ("", "body"):
        raise errors.invalid_params({"include": "include must be empty or body."})
    return contact_id, email_hash, page, per_page, include == "body"


def since_input(payload: Any):
    if not isinstance(payload, dict):
        raise errors.invalid_json()
    if payload.get("since") is None:
        raise errors.missing_params(["since"])
    try:
        return parse_iso(payload["since"])
    except (ValueError, TypeError):
        raise errors.invalid_params({"since": "since must be an ISO 8601 date-time."}) from None
