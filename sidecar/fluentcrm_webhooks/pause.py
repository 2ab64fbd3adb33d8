"""Whether delivery is paused (a copy of the site: staging, a clone), kept in the fcwh_state row
"delivery" so every process of the sidecar sees one answer. While paused, intake still records
deliveries; the engine claims nothing and POST /test answers 409 (docs/sidecar-api.md).

`pause_state` is pure (the stored JSON to the API's shape); the rest reads or writes the one row
through the models' bound database, so callers hold a connection as for any other query."""

from __future__ import annotations

import json
from typing import Any

from .models import SidecarState
from .timeutil import iso, utcnow

STATE_KEY = "delivery"
NOT_PAUSED: dict[str, Any] = {"paused": False, "reason": None, "paused_at": None, "site": None}


def pause_state(stored: str | None) -> dict[str, Any]:
    """The API's shape of a stored value; a missing or unreadable row means not paused (delivery
    must never stop because a row is damaged)."""
    try:
        value = json.loads(stored) if stored else None
    except ValueError:
        value = None
    if not isinstance(value, dict):
        return dict(NOT_PAUSED)
    site = value.get("site")
    return {
        "paused": value.get("paused") is True,
        "reason": value.get("reason") if isinstance(value.get("reason"), str) else None,
        "paused_at": value.get("paused_at") if isinstance(value.get("paused_at"), str) else None,
        "site": site if isinstance(site, dict) else None,
    }


def next_pause_state(current: dict[str, Any], *, paused: bool, reason: str | None,
                     site: dict[str, str] | None, keep_site: bool, now: str) -> dict[str, Any]:
    """The state after a PUT: pausing again keeps the first paused_at (how long it has been
    paused); resuming clears reason and time; the site is kept unless the request named one."""
    return {
        "paused": paused,
        "reason": reason if paused else None,
        "paused_at": (current["paused_at"] if current["paused"] and current["paused_at"] else now) if paused else None,
        "site": current["site"] if keep_site else site,
    }


def read_delivery_pause() -> dict[str, Any]:
    row = SidecarState.get_or_none(SidecarState.key == STATE_KEY)
    return pause_state(row.value if row is not None else None)


def is_delivery_paused() -> bool:
    return read_delivery_pause()["paused"]


def write_delivery_pause(*, paused: bool, reason: str | None = None, site: dict[str, str] | None = None,
                         keep_site: bool = True) -> dict[str, Any]:
    """Store a validated change (validation.delivery_pause_input) and answer the new state."""
    now = utcnow()
    state = next_pause_state(read_delivery_pause(), paused=paused, reason=reason, site=site,
                             keep_site=keep_site, now=iso(now))
    # REPLACE on both SQLite and MySQL: one statement, whichever process wrote last wins.
    SidecarState.insert(key=STATE_KEY, value=json.dumps(state), updated_at=now).on_conflict_replace().execute()
    return state
