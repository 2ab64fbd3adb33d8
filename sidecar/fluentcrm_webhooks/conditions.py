"""A webhook's conditions, checked against one event at intake: does the event concern a contact in
these lists, with these tags, in one of these statuses, or come from one of these campaigns?
Pure: the conditions as validation.py accepted them (docs/sidecar-api.md), the event's type and data.

What is tested is the event's own data, as the plugin builds it (wp-plugin/includes/capture/payloads.php):
- `lists`, `tags`, `statuses` look at `data.contact`: its `lists` / `tags` (items `{id, title, slug}`,
  plain ids accepted too) and its `status`. An event without a contact (campaign events) passes
  them: it is about no contact, so a contact filter says nothing about it.
- `campaigns` apply to `email.*` events (`data.email.campaign_id`) and `campaign.*` events
  (`data.campaign.id`); every other event passes them. An email event that names no campaign
  (a one-off or automation email, a bounce with `email: null`) is from none of the campaigns, so it fails.
Each key present must hold; a webhook without conditions gets every event of its types.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

CAMPAIGN_EVENT_PREFIXES = ("email.", "campaign.")


def matches(conditions: Mapping[str, Any] | None, event: str, data: Any) -> bool:
    """True when the event is one the webhook wants."""
    if not conditions:
        return True
    contact = data.get("contact") if isinstance(data, Mapping) else None
    if isinstance(contact, Mapping):
        for key in ("lists", "tags"):
            rule = conditions.get(key)
            if rule and not _membership_holds(rule, _ids(contact.get(key))):
                return False
        statuses = conditions.get("statuses")
        if statuses and contact.get("status") not in statuses:
            return False
    campaigns = conditions.get("campaigns")
    if campaigns and event.startswith(CAMPAIGN_EVENT_PREFIXES):
        campaign = _campaign_of(event, data)
        if campaign is None or campaign not in {int(c) for c in campaigns}:
            return False
    return True


def _membership_holds(rule: Mapping[str, Any], held: set[int]) -> bool:
    wanted = {int(i) for i in rule.get("ids") or ()}
    if rule.get("match") == "all":
        return wanted <= held
    return bool(wanted & held)  # "any", the default


def _ids(items: Any) -> set[int]:
    """The ids of a contact's tags or lists: `{id, ...}` objects or plain ids; anything else is no id."""
    if not isinstance(items, Iterable) or isinstance(items, (str, bytes, Mapping)):
        return set()
    found = set()
    for item in items:
        value = _as_id(item.get("id") if isinstance(item, Mapping) else item)
        if value is not None:
            found.add(value)
    return found


def _campaign_of(event: str, data: Any) -> int | None:
    holder, field = ("email", "campaign_id") if event.startswith("email.") else ("campaign", "id")
    record = data.get(holder) if isinstance(data, Mapping) else None
    return _as_id(record.get(field)) if isinstance(record, Mapping) else None


def _as_id(value: Any) -> int | None:
    """An id as an int: FluentCRM's own models give "3" where the plugin's payloads give 3."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.isascii() and value.isdigit():
        return int(value)
    return None
