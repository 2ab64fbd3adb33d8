"""Signatures receivers check: FluentCRM's own header and the Standard Webhooks scheme.

Both are computed over the exact bytes sent. Pure functions, no I/O.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Sequence


def fluentcrm_signature(secret: str, body: bytes) -> str:
    """`X-FluentCRM-Signature`: "sha256=" + hex HMAC-SHA256(secret, body), as the seed's snippets verify."""
    return "sha256=" + hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()


def standard_signature(secret: str, message_id: str, timestamp: int, body: bytes) -> str:
    """`webhook-signature` per Standard Webhooks: v1,base64(HMAC-SHA256(key, "id.timestamp.body")).

    The key is the secret's UTF-8 bytes, so a receiver passes "whsec_" + base64(secret) to a
    Standard Webhooks library.
    """
    signed = f"{message_id}.{timestamp}.".encode() + body
    digest = hmac.new(secret.encode("utf-8"), signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode("ascii")


def standard_signatures(secrets: Sequence[str], message_id: str, timestamp: int, body: bytes) -> str:
    """`webhook-signature` with one signature per valid secret, space-separated (the Standard
    Webhooks spec allows several, so receivers accept a delivery during a secret rotation whether
    they hold the new secret or still the old one). The first secret is the current one."""
    return " ".join(standard_signature(secret, message_id, timestamp, body) for secret in secrets)


def standard_webhooks_key(secret: str) -> str:
    """The `whsec_...` form of a secret, for Standard Webhooks libraries."""
    return "whsec_" + base64.b64encode(secret.encode("utf-8")).decode("ascii")
