"""The API token: FCWH_API_TOKEN, or one generated on first start and saved with mode 0600."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from .config import Settings


def resolve_token(settings: Settings) -> tuple[str, Path | None]:
    """Return the token and, when it lives in a file, that file's path (never print the token)."""
    if settings.api_token:
        return settings.api_token, None
    path = settings.resolved_token_file
    if path.exists():
        token = path.read_text(encoding="utf-8").strip()
        if token:
            return token, path
    token = secrets.token_urlsafe(32)
    path.parent.mkdir(parents=True, exist_ok=True)
    # Create it 0600 from the first byte: the token must never be readable by others.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(token + "\n")
    os.chmod(path, 0o600)
    return token, path
