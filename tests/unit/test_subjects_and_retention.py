"""Pure rules: whom an event is about (subjects.py) and which finished deliveries retention keeps (pruner.py)."""

from __future__ import annotations

from datetime import datetime

import pytest

from fluentcrm_webhooks import pruner, subjects
from fluentcrm_webhooks.events import ordering_key


@pytest.mark.parametrize("data,contact_id", [
    ({"contact": {"id": 7}}, 7), ({"contact": {"id": "7"}}, 7), ({"email": {"contact_id": 9}}, 9),
    ({"contact": {"id": 7}, "email": {"contact_id": 9}}, 7), ({"contact": {"id": "x7"}}, None),
    ({"contact": {"id": True}}, None), ({"contact": {"id": 0}}, None), ({"contact": {"id": 2**63}}, None),
    ({"contact": {"id": "\u0667"}}, None), ({"campaign": {"id": 3}}, None), (None, None), ([1], None),
])
def test_the_contact_id_is_read_from_the_contact_or_the_email(data, contact_id):
    assert subjects.contact_id(data) == contact_id


def test_the_ordering_key_and_the_contact_id_read_the_same_contact():
    assert ordering_key({"email": {"contact_id": 9}}) == "contact:9"
    assert ordering_key({"contact": {"id": "x7"}}) == "contact:x7"  # ordering takes any id; the index only numbers
    assert ordering_key({"campaign": {"id": 3}}) is None


def test_the_address_is_hashed_trimmed_and_lower_cased():
    expected = subjects.contact_email_hash("ann@example.com")
    assert len(expected) == 64 and "ann" not in expected
    assert subjects.email_hash({"contact": {"email": " Ann@Example.COM "}}) == expected
    assert subjects.email_hash({"order": {"customer_email": "ANN@example.com"}}) == expected
    assert subjects.email_hash({"contact": {"email": "not an address"}}) is None
    assert subjects.email_hash({"contact": {"email": None}}) is None


def test_a_webhooks_retention_overrides_the_default_and_zero_keeps_everything():
    assert pruner.retention_days(None, 30) == 30
    assert pruner.retention_days(7, 30) == 7
    assert pruner.retention_days(0, 30) == 0
    now = datetime(2025, 3, 31, 12, 0, 0)
    assert pruner.cutoff(now, 30) == datetime(2025, 3, 1, 12, 0, 0)
    assert pruner.cutoff(now, 0) is None
