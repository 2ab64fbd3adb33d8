"""The hand-over through the WordPress database (docs/outbox.md): with the sidecar on the site's own
database, a request's events go into the plugin's outbox table in one INSERT, with no call to the
sidecar, and the sidecar takes them from there, recording their deliveries in the same transaction
that deletes the rows. Nothing is lost while the sidecar is killed, an event taken twice is
delivered once, and a row that cannot be read is set apart without holding up the others."""

from __future__ import annotations

import json
import time
import uuid
from collections import Counter
from collections.abc import Iterator

import pytest
from peewee import MySQLDatabase

from fluentcrm_webhooks import handover as handover_module
from fluentcrm_webhooks.config import Settings
from fluentcrm_webhooks.db import bind, open_database
from fluentcrm_webhooks.handover import OutboxTable
from tests.conftest import CertificateAuthority
from tests.support.receiver import Receiver
from tests.support.sidecar import Sidecar, SidecarLauncher
from tests.support.waiting import wait_until
from tests.support.wordpress import TABLE_PREFIX, WordPressSite
from tests.wordpress.conftest import FORGET_PLUGIN_STATE
from tests.wordpress.sidecar_calls import SidecarCalls
from tests.wordpress.standin import FluentCRM, unique_email
from tests.wordpress.webhooks import WebhooksApi, delivered

OUTBOX = f"{TABLE_PREFIX}fcwh_outbox"
# What the plugin keeps about the path, and the sidecar's row that opens it.
FORGET_HANDOVER = (f"delete_option('fcwh_handover'); $GLOBALS['wpdb']->query(\"DELETE FROM {TABLE_PREFIX}fcwh_state "
                   "WHERE `key` = 'handover'\");")


@pytest.fixture(scope="module")
def site_sidecar(wordpress: WordPressSite, tmp_path_factory: pytest.TempPathFactory,
                 https_ca: CertificateAuthority) -> Iterator[Sidecar]:
    """This module's sidecar takes the hand-over (the other modules' sidecars do not)."""
    launcher = SidecarLauncher(lambda: tmp_path_factory.mktemp("handover-sidecar"), https_ca.bundle)
    try:
        # Before the launch: the sidecar writes its `handover` row as it starts, and refreshes it
        # only every 30 s.
        wordpress.php(FORGET_PLUGIN_STATE + FORGET_HANDOVER)
        sidecar = launcher.launch(database_url=wordpress.database_url,
                                  env={"FCWH_HANDOVER": "auto", "FCWH_HANDOVER_INTERVAL": "0.1"})
        for webhook in sidecar.api.get("/v2/webhooks").json()["webhooks"]:
            sidecar.api.delete(f"/v2/webhooks/{webhook['id']}")
        wordpress.use_sidecar_constants(sidecar.url, sidecar.token)
        yield sidecar
    finally:
        launcher.shutdown_all()
        # After the sidecar is gone: the next module's plugin must not find a fresh `handover` row.
        wordpress.php(FORGET_PLUGIN_STATE + FORGET_HANDOVER)
        wordpress.drop_sidecar_constants()


@pytest.fixture
def handover_open(wordpress: WordPressSite, site_sidecar: Sidecar) -> None:
    """The plugin reads the sidecar's row once a minute by itself; the tests have it read it now."""
    wait_until(lambda: wordpress.php_json("fcwh_check_handover()") is True, timeout=30, interval=0.2,
               message="the plugin to see the sidecar taking its outbox table")


def outbox_rows(site: WordPressSite) -> list[tuple]:
    return list(site.sql(f"SELECT event_id, status, last_error FROM {OUTBOX} ORDER BY id"))


def insert_row(site: WordPressSite, event_id: str, payload: str) -> None:
    site.sql(f"INSERT INTO {OUTBOX} (event_id, event_type, payload, created_at) "
             "VALUES (%s, 'contact.created', %s, UTC_TIMESTAMP())", (event_id, payload))


def contact_event(event_id: str, email: str) -> str:
    return json.dumps({"id": event_id, "event": "contact.created", "timestamp": "2030-01-01T00:00:00Z",
                       "data": {"contact": {"id": 1, "email": email}}})


def test_a_request_hands_its_events_over_with_no_call_to_the_sidecar(
        wordpress: WordPressSite, handover_open: None, crm: FluentCRM, webhooks: WebhooksApi,
        receiver: Receiver, sidecar_calls: SidecarCalls) -> None:
    webhooks.create(url=receiver.url, events=["contact.created", "contact.tag_added"])
    tag = crm.tag("Handed over")
    with sidecar_calls.recording() as calls:
        email = crm.create_contact(unique_email("handover"), tags=[tag])["email"]
    assert [c for c in calls if c["path"] == "/v2/events"] == []

    receiver.wait_for(2)
    arrived = delivered(receiver)
    assert Counter(d.event for d in arrived) == Counter({"contact.created": 1, "contact.tag_added": 1})
    assert {d.data["contact"]["email"] for d in arrived} == {email}
    wait_until(lambda: outbox_rows(wordpress) == [], timeout=10, interval=0.1, message="the rows to be taken")


def test_events_wait_in_the_table_while_the_sidecar_is_killed_and_arrive_once(
        wordpress: WordPressSite, site_sidecar: Sidecar, handover_open: None, crm: FluentCRM,
        webhooks: WebhooksApi, receiver: Receiver) -> None:
    webhook = webhooks.create(url=receiver.url, events=["contact.created"])
    site_sidecar.kill()
    try:
        emails = [crm.create_contact(unique_email("killed"))["email"] for _ in range(3)]
        assert [status for _, status, _ in outbox_rows(wordpress)] == ["pending"] * 3
    finally:
        site_sidecar.start()

    receiver.wait_for(3)
    wait_until(lambda: outbox_rows(wordpress) == [], timeout=10, interval=0.1, message="the rows to be taken")
    assert sorted(d.data["contact"]["email"] for d in delivered(receiver)) == sorted(emails)
    assert len(webhooks.deliveries(webhook["id"])) == 3


def test_an_event_taken_twice_is_delivered_once_and_an_unreadable_row_holds_up_nothing(
        wordpress: WordPressSite, handover_open: None, webhooks: WebhooksApi, receiver: Receiver) -> None:
    webhook = webhooks.create(url=receiver.url, events=["contact.created"])
    twice = str(uuid.uuid4())
    insert_row(wordpress, twice, contact_event(twice, "twice@example.com"))
    wait_until(lambda: outbox_rows(wordpress) == [], timeout=10, interval=0.1, message="the row to be taken")
    # The same event again (a request that kept it after a failure it could not read, say), behind
    # a row that is not an event at all, and a new event behind both.
    later = str(uuid.uuid4())
    insert_row(wordpress, twice, contact_event(twice, "twice@example.com"))
    insert_row(wordpress, "not-an-event", "{not json")
    insert_row(wordpress, later, contact_event(later, "later@example.com"))

    wait_until(lambda: [status for _, status, _ in outbox_rows(wordpress)] == ["rejected"], timeout=10,
               interval=0.1, message=lambda: f"only the unreadable row left; outbox {outbox_rows(wordpress)}")
    [(event_id, _, error)] = outbox_rows(wordpress)
    assert event_id == "not-an-event" and "JSON" in error
    receiver.wait_for(2)
    assert sorted(d.data["contact"]["email"] for d in delivered(receiver)) == ["later@example.com",
                                                                              "twice@example.com"]
    assert len(webhooks.deliveries(webhook["id"])) == 2
    wordpress.sql(f"DELETE FROM {OUTBOX}")


def test_how_the_plugin_chooses_the_path(wordpress: WordPressSite, handover_open: None) -> None:
    table = json.dumps(OUTBOX)
    opens = ("fcwh_handover_row_opens(array('value' => json_encode(array('table' => {table})), "
             "'updated_at' => gmdate('Y-m-d H:i:s', time() - {age})), {mine}, time())")
    assert wordpress.php_json(opens.format(table=table, age=60, mine=table)) is True
    assert wordpress.php_json(opens.format(table=table, age=600, mine=table)) is False  # a sidecar that stopped
    assert wordpress.php_json(opens.format(table=json.dumps("wp_2_fcwh_outbox"), age=0, mine=table)) is False
    assert wordpress.php_json("fcwh_handover_row_opens(null, 'wp_fcwh_outbox', time())") is False
    # wp-config.php can keep the plugin on POST /v2/events.
    assert wordpress.php("define('FCWH_TRANSPORT', 'http'); echo wp_json_encode(fcwh_handover_open());") == "false"
    assert wordpress.php_json("fcwh_handover_open()") is True

    # The row gone (a sidecar moved to another database): the path closes, and the plugin's own
    # flush is told to look at the table, so nothing the sidecar had not taken is left behind.
    # (Read in the same run: that run's own end-of-request flush then finds the table empty and
    # clears the flag again.)
    state = f"{TABLE_PREFIX}fcwh_state"
    row = wordpress.sql(f"SELECT `key`, value, updated_at FROM {state} WHERE `key` = 'handover'")[0]
    wordpress.php(f"update_option('fcwh_outbox_waiting', '0'); $GLOBALS['wpdb']->query(\"DELETE FROM "
                  f"{state} WHERE `key` = 'handover'\");")
    try:
        assert wordpress.php_json("array(fcwh_check_handover(), fcwh_handover_open(), get_option('fcwh_outbox_waiting'))"
                                  ) == [False, False, "1"]
    finally:  # put the sidecar's row back rather than wait up to 30 s for its next refresh
        wordpress.sql(f"INSERT INTO {state} (`key`, value, updated_at) VALUES (%s, %s, %s) "
                      "ON DUPLICATE KEY UPDATE value = VALUES(value), updated_at = VALUES(updated_at)", row)


def test_a_take_in_progress_does_not_hold_up_the_plugins_insert(wordpress: WordPressSite, handover_open: None) -> None:
    """The take locks only the rows it names (READ COMMITTED): under InnoDB's default isolation,
    locking the newest row also locks the gap after it, and the next request's INSERT would wait."""
    first = str(uuid.uuid4())
    db = MySQLDatabase(wordpress.database, host="127.0.0.1", port=wordpress.mariadb.port, user="root",
                       charset="utf8mb4", autoconnect=False)
    table = OutboxTable(db, TABLE_PREFIX)
    plugin = wordpress.mariadb.connect(wordpress.database)
    try:
        with db.connection_context(), db.atomic(isolation_level=table.isolation):
            insert_row(wordpress, first, contact_event(first, "first@example.com"))
            [row_id] = [row[0] for row in db.execute_sql(f"SELECT id FROM {OUTBOX} WHERE event_id = %s", (first,))]
            assert table.lock([row_id]) == {row_id}
            table.delete([row_id])
            with plugin.cursor() as cursor:  # the next request's INSERT, while the take is open
                cursor.execute("SET SESSION innodb_lock_wait_timeout = 1")
                later = str(uuid.uuid4())
                cursor.execute(f"INSERT INTO {OUTBOX} (event_id, event_type, payload, created_at) "
                               "VALUES (%s, 'contact.created', %s, UTC_TIMESTAMP())",
                               (later, contact_event(later, "later@example.com")))
    finally:
        plugin.close()
    wait_until(lambda: outbox_rows(wordpress) == [], timeout=10, interval=0.1, message="the later row to be taken")


def test_a_take_that_dies_before_its_commit_leaves_the_row_and_records_nothing(
        wordpress: WordPressSite, site_sidecar: Sidecar, handover_open: None, webhooks: WebhooksApi,
        receiver: Receiver, monkeypatch: pytest.MonkeyPatch) -> None:
    """Claim and record are one transaction: a process that dies after recording the deliveries but
    before the commit leaves the row in the outbox and nothing recorded, so the next take delivers
    the event once."""
    webhook = webhooks.create(url=receiver.url, events=["contact.created"])
    event_id = str(uuid.uuid4())
    db = open_database(Settings.from_env({"FCWH_DATABASE_URL": wordpress.database_url}))
    bind(db, TABLE_PREFIX)
    table = OutboxTable(db, TABLE_PREFIX)

    record_events = handover_module.record_events

    def record_then_die(events):
        record_events(events)  # the deliveries are written...
        raise SystemExit("killed before the commit")  # ...and the process goes

    site_sidecar.kill()  # this test takes the row itself
    try:
        insert_row(wordpress, event_id, contact_event(event_id, "died@example.com"))
        monkeypatch.setattr(handover_module, "record_events", record_then_die)
        with db.connection_context(), pytest.raises(SystemExit):
            handover_module.take(table)
        assert [(e, status) for e, status, _ in outbox_rows(wordpress)] == [(event_id, "pending")]
        assert wordpress.sql(f"SELECT COUNT(*) FROM {TABLE_PREFIX}fcwh_deliveries WHERE event_id = %s",
                             (event_id,))[0][0] == 0
    finally:
        db.close_all()
        site_sidecar.start()
    receiver.wait_for(1)
    wait_until(lambda: outbox_rows(wordpress) == [], timeout=10, interval=0.1, message="the row to be taken")
    assert [d.data["contact"]["email"] for d in delivered(receiver)] == ["died@example.com"]
    assert len(webhooks.deliveries(webhook["id"])) == 1


def test_on_a_copy_of_the_site_events_are_held_until_the_sidecar_pauses(
        wordpress: WordPressSite, handover_open: None) -> None:
    """A copy (staging.php) writes its rows `held`: the sidecar does not take them, so nothing
    reaches the live receivers before delivery is paused there; then they are put back in line."""
    event_id = str(uuid.uuid4())
    keep = ("fcwh_outbox_keep(array(array('id' => {id}, 'event' => 'contact.created', 'json' => {json})));"
            .format(id=json.dumps(event_id), json=json.dumps(contact_event(event_id, "copy@example.com"))))
    copy = "update_option('fcwh_site_identity', array('url' => 'http://192.0.2.1/live', 'environment' => 'production'));"
    try:
        wordpress.php(copy + keep)
        assert wordpress.php_json("fcwh_outbox_new_row_status()") == "held"
        time.sleep(0.5)  # five looks of the sidecar's
        assert [status for _, status, _ in outbox_rows(wordpress)] == ["held"]
        assert wordpress.php_json("fcwh_outbox_release_held()") == 0  # not confirmed yet

        confirmed = "$c = get_option('fcwh_site_copy'); $c['paused'] = true; update_option('fcwh_site_copy', $c);"
        wordpress.php(confirmed)  # that request's end puts the row back in line (transport.php)
        assert wordpress.get_option("fcwh_outbox_held") == "0"
        wait_until(lambda: outbox_rows(wordpress) == [], timeout=10, interval=0.1, message="the released row taken")
    finally:
        wordpress.php("delete_option('fcwh_site_identity'); delete_option('fcwh_site_copy'); "
                      "delete_option('fcwh_outbox_held');")
        wordpress.sql(f"DELETE FROM {OUTBOX}")
