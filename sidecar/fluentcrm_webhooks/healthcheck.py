"""`python -m fluentcrm_webhooks.healthcheck`: the container's HEALTHCHECK (docker/Dockerfile).

Asks this container's /healthz: serve's on FCWH_PORT, else a worker's on FCWH_METRICS_PORT (the
first that answers decides: a worker has nothing on FCWH_PORT). Exits 0 on 200, 1 otherwise, and
prints the answer, which Docker keeps in `docker inspect`'s health log: it names the part that
failed. Standard library only, so it costs no import of the sidecar.
"""

from __future__ import annotations

import os
import sys
import urllib.error
import urllib.request
from collections.abc import Mapping

TIMEOUT = 4.0  # within the HEALTHCHECK's --timeout of 5 s


def ports(env: Mapping[str, str]) -> list[str]:
    found = [env.get("FCWH_PORT", "").strip() or "8787"]
    if env.get("FCWH_METRICS_PORT", "").strip():
        found.append(env["FCWH_METRICS_PORT"].strip())
    return found


def host(env: Mapping[str, str]) -> str:
    """Where to connect: the listening address, unless it is a wildcard (then loopback)."""
    configured = env.get("FCWH_HOST", "").strip()
    return "127.0.0.1" if configured in ("", "0.0.0.0", "::", "[::]") else configured


def check(env: Mapping[str, str]) -> tuple[bool, str]:
    address = host(env)
    if ":" in address and not address.startswith("["):
        address = f"[{address}]"
    reasons = []
    for port in ports(env):
        url = f"http://{address}:{port}/healthz"
        try:
            with urllib.request.urlopen(url, timeout=TIMEOUT) as answer:
                return answer.status == 200, f"{url}: {answer.status} {answer.read(500).decode(errors='replace')}"
        except urllib.error.HTTPError as answer:  # 503: up, not ready; the body says which part
            return False, f"{url}: {answer.code} {answer.read(500).decode(errors='replace')}"
        except OSError as error:  # nothing listens there (a worker's FCWH_PORT): try the next
            reasons.append(f"{url}: {error}")
    return False, "; ".join(reasons)


def main() -> int:
    ok, said = check(os.environ)
    print(said)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
