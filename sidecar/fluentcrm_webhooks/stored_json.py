"""Small JSON objects kept in a text column (a webhook's headers, its subscription times): read
leniently, because a damaged value must cost a default, never a failed send or a failed intake."""

from __future__ import annotations

import json
from typing import Any


def object_or_none(text: str | None) -> dict[str, Any] | None:
    """The stored object; None when there is none or it cannot be read."""
    try:
        value = json.loads(text) if text else None
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


def string_map(text: str | None) -> dict[str, str]:
    """The stored object's string values by key; anything unreadable counts as an empty object."""
    value = object_or_none(text) or {}
    return {str(key): item for key, item in value.items() if isinstance(item, str)}
