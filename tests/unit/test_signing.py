import base64
import hashlib
import hmac

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
    import time
    body = build_body("e1", "contact.created", "2024-01-15T10:30:00Z", 7, {})
    secret = "my-secret-key"
    now = int(time.time())
    headers = build_headers(event="contact.created", webhook_id=7, delivery_id=42,
                            secret=secret, body=body, attempt_time=now)
    assert headers["webhook-id"] == headers["X-FluentCRM-Delivery"] == "42"
    StandardWebhook(standard_webhooks_key(secret)).verify(body, headers)  # raises when wrong
    assert standard_webhooks_key(secret) == "whsec_" + base64.b64encode(secret.encode()).decode()
