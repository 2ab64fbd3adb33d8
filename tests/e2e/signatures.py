"""Check a received delivery's signatures the way receivers will: the seed's own PHP and Node.js
snippets run by `php` and `node` on the exact bytes, and the `standardwebhooks` library."""

from __future__ import annotations

import base64
import shutil
import subprocess
import tempfile
from pathlib import Path

from standardwebhooks import Webhook

VERIFIERS = Path(__file__).parent / "verifiers"


def run_seed_verifier(runtime: str, body: bytes, signature: str, secret: str) -> bool:
    """`runtime` is "php" or "node"; True when the seed's verifyWebhook() accepts the delivery."""
    script = VERIFIERS / ("verify.php" if runtime == "php" else "verify.js")
    executable = shutil.which(runtime)
    assert executable, f"{runtime} is not installed (scripts/install-system-deps.sh installs it)"
    with tempfile.NamedTemporaryFile(suffix=".body") as payload:
        payload.write(body)
        payload.flush()
        result = subprocess.run([executable, str(script), payload.name, signature, secret],
                                capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)
    verdict = result.stdout.strip()
    assert verdict in ("valid", "invalid"), f"{runtime} verifier failed: {result.stdout}{result.stderr}"
    return verdict == "valid"


def standard_webhooks_key(secret: str) -> str:
    """DESIGN.md: the HMAC key is the secret's UTF-8 bytes, so receivers pass this to the library."""
    return "whsec_" + base64.b64encode(secret.encode("utf-8")).decode("ascii")


def verify_standard_webhooks(body: bytes, headers: dict[str, str], secret: str) -> object:
    """Raises standardwebhooks.WebhookVerificationError when the signature does not match."""
    return Webhook(standard_webhooks_key(secret)).verify(body, headers)
