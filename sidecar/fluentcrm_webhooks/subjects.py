"""Whom an event is about, read from its data at intake: the contact's id and a hash of the email
address, stored beside each delivery so a contact's deliveries (the profile's history, WordPress's
personal-data export and erasure) are found by index, never by reading bodies. Pure.

The address is kept as a SHA-256 of its trimmed, lower-cased form: the index itself adds no
readable personal data to the table, and the plugin hashes the address it is asked about the same
way (`contact_email_hash`)."""

from __future__ import annotations

import hashlib
from typing import Any

from .numbers import ascii_whole_number

CONTACT_ID_MAX = 2**63 - 1  # a signed 64-bit column
CONTACT_ID_DIGITS = len(str(CONTACT_ID_MAX))


def contact_ref(data: Any) -> int | str | None:
    """The contact's id as the event carries it: data.contact.id, or data.email.contact_id for email
    events; None for events of no contact (campaigns)."""
    if not isinstance(data, dict):
        return None
    for holder, field in (("contact", "id"), ("email", "contact_id")):
        value = data.get(holder)
        if isinstance(value, dict):
            ref = value.get(field)
            if isinstance(ref, (int, str)) and not isinstance(ref, bool) and str(ref) != "":
                return ref
    return None


def contact_id(data: Any) -> int | None:
    """The contact's id as a number when it is one (FluentCRM's ids are), else None."""
    ref = contact_ref(data)
    if isinstance(ref, str):
        ref = ascii_whole_number(ref, CONTACT_ID_DIGITS)
    return ref if ref is not None and 0 < ref <= CONTACT_ID_MAX else None


def contact_email_hash(email: str) -> str:
    return hashlib.sha256(email.strip().lower().encode("utf-8")).hexdigest()


def email_hash(data: Any) -> str | None:
    """The hash of the address the event is about: the contact's, else an order's customer's."""
    if not isinstance(data, dict):
        return None
    for holder, field in (("contact", "email"), ("order", "customer_email")):
        value = data.get(holder)
        if isinstance(value, dict):
            email = value.get(field)
            if isinstance(email, str) and "@" in email:
                return contact_email_hash(email)
    return None
