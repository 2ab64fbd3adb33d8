"""GET / PUT /v2/delivery: whether the sidecar sends anything at all (paused on a copy of the site)."""

from __future__ import annotations

from .. import pause, validation
from ..db import write_transaction
from .plumbing import Call


def get_delivery_state(call: Call):
    return 200, pause.read_delivery_pause()


def put_delivery_state(call: Call):
    paused, reason, site, keep_site = validation.delivery_pause_input(call.payload)
    with write_transaction(call.ctx.db):  # read, then write: one writer at a time
        state = pause.write_delivery_pause(paused=paused, reason=reason, site=site, keep_site=keep_site)
    if not paused:
        call.ctx.doorbell.ring()  # what waited while paused is due now
    return 200, state
