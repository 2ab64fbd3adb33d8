"""A webhook's own request headers (an API key the receiver wants, a routing header): which ones
may be set, how they are stored, and how their values are hidden. Values are secrets: every API
answer and every logged attempt shows them as MASK. Pure: no database, no network.

The sender adds `webhook_headers(webhook)` to each request and logs
`mask_sent_headers(sent, webhook_headers(webhook))`."""

from __future__ import annotations

import json
import string
import unicodedata
from typing import Any

from . import errors
from .models import Webhook
from .stored_json import string_map

MASK = "********"
HEADERS_MAX = 10
NAME_MAX = 64
VALUE_MAX = 4096
# RFC 9110 5.6.2 `token`: what a field name may be made of.
_TOKEN_CHARS = frozenset(string.ascii_letters + string.digits + "!#$%&'*+-.^_`|~")
# The request's framing and identity, and the headers the sidecar signs with: a receiver must be
# able to trust these, so no webhook may set them.
_REFUSED_NAMES = frozenset({"connection", "keep-alive", "te", "trailer", "trailers", "transfer-encoding",
                            "upgrade", "host", "user-agent"})
_REFUSED_PREFIXES = ("proxy-", "content-", "x-fluentcrm-", "webhook-")


def decode_stored(text: str | None) -> dict[str, str]:
    """The stored JSON object; anything unreadable counts as no headers (never a failed send)."""
    return string_map(text)


def webhook_headers(webhook: Webhook) -> dict[str, str]:
    """The headers to add to each request to this webhook, in the order they were given."""
    return decode_stored(webhook.headers)


def encode_for_storage(headers: dict[str, str] | None) -> str | None:
    return json.dumps(headers) if headers else None


def masked(headers: dict[str, str]) -> dict[str, str]:
    """Names visible, values hidden: what the API answers."""
    return {name: MASK for name in headers}


def mask_sent_headers(sent: dict[str, str], custom: dict[str, str]) -> dict[str, str]:
    """The headers of an attempt as logged: the webhook's own values hidden, the rest as sent.
    Matched by name case-insensitively, as HTTP does."""
    secret_names = {name.lower() for name in custom}
    return {name: MASK if name.lower() in secret_names else value for name, value in sent.items()}


def refused_name_reason(name: str) -> str | None:
    """Why a header name cannot be set, or None when it can."""
    if not 1 <= len(name) <= NAME_MAX or not set(name) <= _TOKEN_CHARS:
        return f"a header name must be 1 to {NAME_MAX} letters, digits or !#$%&'*+-.^_`|~."
    lower = name.lower()
    if lower in _REFUSED_NAMES or lower.startswith(_REFUSED_PREFIXES):
        return (f"{name} is set by the sidecar (framing, identity or signatures) and cannot be set by a webhook: "
                "hop-by-hop headers, Host, User-Agent, Content-*, X-FluentCRM-* and webhook-* are refused.")
    return None


def _value_is_clean(value: str) -> bool:
    # Cc covers CR, LF, NUL, tab and DEL: nothing that could split or smuggle a header line.
    return 1 <= len(value) <= VALUE_MAX and not any(unicodedata.category(ch) == "Cc" for ch in value)


def headers_input(value: Any, stored: dict[str, str]) -> dict[str, str]:
    """A create's or update's `headers`: the whole new set (null or {} clears). A MASK value for a
    name already stored keeps the stored value, so a form can save again without knowing it.
    Raises rest_invalid_param naming `headers` or `headers.<Name>`."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise errors.invalid_params({"headers": "headers must be an object of header names to string values."})
    if len(value) > HEADERS_MAX:
        raise errors.invalid_params({"headers": f"headers may name at most {HEADERS_MAX} headers."})
    stored_by_lower = {name.lower(): stored[name] for name in stored}
    clean: dict[str, str] = {}
    seen: set[str] = set()
    for name, given in value.items():
        reason = refused_name_reason(name)
        if reason is not None:
            raise errors.invalid_params({f"headers.{name}": reason})
        if name.lower() in seen:
            raise errors.invalid_params({f"headers.{name}": f"{name} is named twice (header names ignore case)."})
        seen.add(name.lower())
        if given == MASK and name.lower() in stored_by_lower:
            clean[name] = stored_by_lower[name.lower()]
            continue
        if not isinstance(given, str) or not _value_is_clean(given):
            raise errors.invalid_params({f"headers.{name}": f"a header value must be a string of 1 to {VALUE_MAX} "
                                                            "characters without control characters (CR, LF, NUL, tab)."})
        if given == MASK:
            raise errors.invalid_params({f"headers.{name}": f"{MASK} keeps a stored value; {name} has none yet."})
        clean[name] = given
    return clean
