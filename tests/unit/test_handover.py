"""The hand-over's pure parts (sidecar/fluentcrm_webhooks/handover.py): which rows it can take, and
when it runs at all. The take itself, against the plugin's table in MariaDB, is tested in
tests/wordpress/test_handover.py."""

import json

import pytest
from peewee import SqliteDatabase

from fluentcrm_webhooks.config import Settings, SettingsError
from fluentcrm_webhooks.handover import enabled, read_event


def event(**fields) -> str:
    return json.dumps({"id": "e-1", "event": "contact.created", "timestamp": "2030-01-01T00:00:00Z",
                       "data": {"contact": {"id": 1}}, **fields})


def test_a_row_is_read_as_post_v2_events_reads_an_event() -> None:
    taken = read_event(event())
    assert (taken.id, taken.event, taken.data) == ("e-1", "contact.created", {"contact": {"id": 1}})


@pytest.mark.parametrize("payload, why", [
    ("{not json", "JSON"),
    (event(event="contact.exploded"), "contact.exploded"),  # a type this sidecar does not know
    (event(id=""), "id"),
    ("[]", ""),
])
def test_a_row_it_cannot_read_says_why(payload: str, why: str) -> None:
    reason = read_event(payload)
    assert isinstance(reason, str) and why in reason and len(reason) <= 1000


def test_the_embedded_sqlite_default_never_takes_the_table() -> None:
    """SQLite can never be WordPress's database: the plugin keeps sending over HTTP there."""
    assert not enabled("auto", SqliteDatabase(":memory:"))
    assert not enabled("off", SqliteDatabase(":memory:"))


def test_settings() -> None:
    assert (Settings.from_env({}).handover, Settings.from_env({}).handover_interval) == ("auto", 0.2)
    settings = Settings.from_env({"FCWH_HANDOVER": "OFF", "FCWH_HANDOVER_INTERVAL": "0.5"})
    assert (settings.handover, settings.handover_interval) == ("off", 0.5)
    for name, value in (("FCWH_HANDOVER", "sometimes"), ("FCWH_HANDOVER_INTERVAL", "0"),
                        ("FCWH_HANDOVER_INTERVAL", "61"), ("FCWH_HANDOVER_INTERVAL", "soon")):
        with pytest.raises(SettingsError, match=name):
            Settings.from_env({name: value})
