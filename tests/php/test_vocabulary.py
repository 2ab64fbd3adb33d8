"""One event vocabulary: the plugin's table (wp-plugin/includes/event-types.php) is the sidecar's
EVENT_GROUPS, in the same groups and order, with the descriptions of docs/events.md; the status
constants (wp-plugin/includes/status-constants.php) are the sidecar's statuses.
(tests/wordpress/test_event_vocabulary.py checks the table's hooks on a live site.)"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from fluentcrm_webhooks.events import EVENT_GROUPS, EVENT_TYPES
from fluentcrm_webhooks.lifecycle import DeliveryStatus, WebhookStatus
from tests.conftest import skip_or_fail

ROOT = Path(__file__).resolve().parents[2]
DOCS_EVENTS = ROOT / "docs" / "events.md"


@pytest.fixture(scope="module")
def vocabulary() -> dict[str, Any]:
    if shutil.which("php") is None:
        skip_or_fail("php is not installed (Debian package `php-cli`)")
    result = subprocess.run(["php", str(Path(__file__).with_name("dump-vocabulary.php"))],
                            capture_output=True, text=True, timeout=60, check=True)
    return json.loads(result.stdout)


def test_the_plugin_table_is_the_sidecar_event_types(vocabulary: dict[str, Any]) -> None:
    assert set(vocabulary["types"]) == EVENT_TYPES
    assert list(vocabulary["types"]) == [event for group in EVENT_GROUPS.values() for event in group]


def test_the_groups_are_the_sidecar_groups(vocabulary: dict[str, Any]) -> None:
    assert list(vocabulary["groups"]) == list(EVENT_GROUPS)
    for group, events in EVENT_GROUPS.items():
        assert [name for name, row in vocabulary["types"].items() if row["group"] == group] == list(events)


def documented_descriptions() -> dict[str, str]:
    """The `| event | description |` table of docs/events.md's "The 26 events"."""
    section = DOCS_EVENTS.read_text().split("## The 26 events", 1)[1].split("\n## ", 1)[0]
    return dict(re.findall(r"^\| `([a-z_]+\.[a-z_]+)` \| ([^|]+?) \|$", section, flags=re.MULTILINE))


def test_the_labels_are_the_documented_descriptions(vocabulary: dict[str, Any]) -> None:
    documented = documented_descriptions()
    assert list(documented) == list(vocabulary["types"])
    assert {name: row["label"] for name, row in vocabulary["types"].items()} == documented


def test_the_status_constants_are_the_sidecar_statuses(vocabulary: dict[str, Any]) -> None:
    constants = vocabulary["constants"]
    webhook = {value for name, value in constants.items()
               if name.startswith("FCWH_WEBHOOK_") and not name.endswith("_STATUSES")}
    delivery = {value for name, value in constants.items() if name.startswith("FCWH_DELIVERY_")}
    assert webhook == {status.value for status in WebhookStatus}
    assert delivery == {status.value for status in DeliveryStatus}
    assert set(constants["FCWH_WEBHOOK_RECORDING_STATUSES"]) == {WebhookStatus.ACTIVE.value, WebhookStatus.FAILED.value}
