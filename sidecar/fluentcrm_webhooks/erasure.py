"""Erasing what the delivery log holds about one contact (WordPress's personal-data eraser):
bodies, the receivers' answers and the index that finds the contact go; each row stays as a
tombstone (event, webhook, status, times) so the log's counts still add up. Pending deliveries
about the contact are stopped as well: sending them would carry the erased data out. SQL only.
"""

from __future__ import annotations

from dataclasses import dataclass

from .db import write_transaction
from .lifecycle import DeliveryStatus
from .models import Attempt, Delivery, database
from .timeutil import utcnow

ERASED_ERROR = "Erased at the contact's request: its personal data is gone, so it is not sent."
ERASE_BATCH = 500


@dataclass(frozen=True)
class Erased:
    erased: int  # deliveries whose data was erased
    stopped: int  # of those, pending ones that will now never be sent


def about(contact_id: int | None, email_hash: str | None):
    """The condition for a contact's deliveries: by id, by address, or either."""
    conditions = []
    if contact_id is not None:
        conditions.append(Delivery.contact_id == contact_id)
    if email_hash is not None:
        conditions.append(Delivery.email_hash == email_hash)
    assert conditions, "a contact id or an email hash"
    where = conditions[0]
    for condition in conditions[1:]:
        where |= condition
    return where


def erase_contact(contact_id: int | None, email_hash: str | None) -> Erased:
    """Erase in batches (short transactions, like the pruner) until nothing about the contact is left."""
    erased = stopped = 0
    while True:
        with write_transaction(database.obj):
            rows = list(Delivery.select(Delivery.id, Delivery.status).where(about(contact_id, email_hash))
                        .limit(ERASE_BATCH))
            if not rows:
                return Erased(erased, stopped)
            ids = [row.id for row in rows]
            pending = [row.id for row in rows if row.status == DeliveryStatus.PENDING.value]
            now = utcnow()
            Delivery.update(body="", response_body=None, contact_id=None, email_hash=None, order_key=None,
                            erased_at=now).where(Delivery.id.in_(ids)).execute()
            if pending:
                Delivery.update(status=DeliveryStatus.FAILED.value, error=ERASED_ERROR, next_attempt_at=None,
                                claim_token=None).where(Delivery.id.in_(pending)).execute()
            Attempt.update(response_body=None).where(Attempt.delivery_id.in_(ids)).execute()
        erased += len(ids)
        stopped += len(pending)
