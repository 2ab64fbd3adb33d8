import base64
import hashlib
import hmac
import time

import pytest

from standardwebhooks import Webhook as StandardWebhook

from fluentcrm_webhooks.payloads import build_body, build_headers
from fluentcrm_webhooks.signing import fluentcrm_signature, standard_webhooks_key


def test_fluentcrm_signature_is_hex_hmac_of_the_exact_bytes():
    body = b'{"event":"contact.created"}'
    expected = "sha256=" + hmac.new(b"my-secret-key", body, hashlib.sha256).hexdigest()
    assert fluentcrm_signature("my-secret-key", body) == expected


def test_body_has_exactly_the_documented_keys_and_no_signature():
    body = build_body("e1", "contact.created", "2024-01-15T10:30:00Z", 7, {"contact": {"id": 1, "name": "Zoë ✓"}})
    assert body.decode("utf-8").startswith('{"id":"e1","event":"contact.created","timestamp":"2024-01-15T10:30:00Z","webhook_id":7,"data":')
    assert "Zoë ✓".encode("utf-8") in body  # not \\u-escaped: the bytes signed are the bytes sent


def test_standard_webhooks_headers_verify_with_the_reference_library():
    body = build_body("e1", "contact.created", "2024-01-15T10:30:00Z", 7, {})
    secret = "my-secret-key"
    now = int(time.time())
    headers = build_headers(event="contact.created", webhook_id=7, delivery_id=42,
                            secret=secret, body=body, attempt_time=now)
    assert headers["webhook-id"] == headers["X-FluentCRM-Delivery"] == "42"
    StandardWebhook(standard_webhooks_key(secret)).verify(body, headers)  # raises when wrong
    assert standard_webhooks_key(secret) == "whsec_" + base64.b64encode(secret.encode()).decode()


def test_during_a_rotation_both_secrets_sign_and_fluentcrm_signature_uses_the_new_one():
    from datetime import datetime, timedelta

    from standardwebhooks import WebhookVerificationError

    from fluentcrm_webhooks.payloads import overlapping_secret
    from fluentcrm_webhooks.signing import standard_signature

    body = build_body("e1", "contact.created", "2024-01-15T10:30:00Z", 7, {"contact": {"id": 1}})
    now = int(time.time())
    headers = build_headers(event="contact.created", webhook_id=7, delivery_id=42, secret="new", body=body,
                            attempt_time=now, previous_secret="old")
    assert headers["webhook-signature"] == (standard_signature("new", "42", now, body) + " "
                                            + standard_signature("old", "42", now, body))
    assert headers["X-FluentCRM-Signature"] == fluentcrm_signature("new", body)
    for secret in ("new", "old"):  # a receiver holding either secret accepts it
        StandardWebhook(standard_webhooks_key(secret)).verify(body, headers)
    with pytest.raises(WebhookVerificationError):
        StandardWebhook(standard_webhooks_key("other")).verify(body, headers)

    at = datetime(2026, 1, 1, 12)
    assert overlapping_secret("old", at + timedelta(seconds=1), at) == "old"
    assert overlapping_secret("old", at, at) is None, "expired at previous_secret_expires_at"
    assert overlapping_secret("old", None, at) is None and overlapping_secret(None, at + timedelta(1), at) is None


def test_custom_headers_are_sent_but_never_replace_ours():
    body = b"{}"
    headers = build_headers(event="contact.created", webhook_id=7, delivery_id=1, secret="s", body=body,
                            attempt_time=1, custom={"Authorization": "Bearer abc", "x-fluentcrm-signature": "forged"})
    assert headers["Authorization"] == "Bearer abc"
    assert headers["X-FluentCRM-Signature"] == fluentcrm_signature("s", body)
    assert "x-fluentcrm-signature" not in headers
