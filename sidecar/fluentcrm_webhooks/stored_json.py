"""Small JSON objects kept in a text column (a webhook's headers, its subscription times): read
leniently, because a damaged value must cost a default, never a failed send or a failed intake."""

from __future__ import annotations

import json


def string_map(text: str | None) -> dict[str, str]:
    """The stored object's string values by key; anything unreadable counts as an empty object."""
    try:
        value = json.loads(text) if text else None
    except ValueError:
        return {}
    if not isinstance(value, dict):
        return {}
    return {str(key): item for key, item in value.items() if isinstance(item, str)}
