"""Activation creates the outbox and the cron job, deactivation stops the job, uninstall removes
everything the plugin made."""

from __future__ import annotations

from tests.support.sidecar import Sidecar
from tests.support.wordpress import PLUGIN_FILE, WordPressSite

PLUGIN_ADMIN = "require_once ABSPATH . 'wp-admin/includes/plugin.php';"


def outbox_table_exists(site: WordPressSite) -> bool:
    return bool(site.sql("SHOW TABLES LIKE 'wp_fcwh_outbox'"))


def plugin_options(site: WordPressSite) -> list[str]:
    rows = site.sql("SELECT option_name FROM wp_options WHERE option_name LIKE 'fcwh\\_%%'")
    return sorted(name for (name,) in rows)


def cron_scheduled(site: WordPressSite) -> bool:
    return site.php_json("(bool) wp_next_scheduled('fcwh_flush_outbox')")


def test_activation_deactivation_and_uninstall(wordpress: WordPressSite, site_sidecar: Sidecar) -> None:
    assert outbox_table_exists(wordpress) and cron_scheduled(wordpress)
    wordpress.set_option("fcwh_api_token", "saved-on-the-settings-screen")
    try:
        wordpress.php(f"{PLUGIN_ADMIN} deactivate_plugins('{PLUGIN_FILE}');")
        assert not cron_scheduled(wordpress)
        assert outbox_table_exists(wordpress)  # waiting events survive a deactivation

        wordpress.php(f"{PLUGIN_ADMIN} uninstall_plugin('{PLUGIN_FILE}');")
        assert not outbox_table_exists(wordpress)
        assert plugin_options(wordpress) == []
    finally:
        wordpress.php(f"{PLUGIN_ADMIN} activate_plugin('{PLUGIN_FILE}');")
    assert outbox_table_exists(wordpress) and cron_scheduled(wordpress)
    assert wordpress.php_json("fcwh_outbox_stats()")["count"] == 0


def test_a_missing_outbox_table_is_recreated_rather_than_losing_events(wordpress: WordPressSite,
                                                                       site_sidecar: Sidecar) -> None:
    """E.g. the plugin's files were updated without re-activating it."""
    wordpress.sql("DROP TABLE wp_fcwh_outbox")
    stored = wordpress.php_json("fcwh_outbox_store(array(array('id' => wp_generate_uuid4(), 'event' => "
                                "'contact.created', 'timestamp' => '2024-01-15T10:30:00Z', 'data' => array())))")
    assert stored is True and outbox_table_exists(wordpress)
    wordpress.php("$GLOBALS['wpdb']->query('TRUNCATE TABLE ' . fcwh_outbox_table());")



def test_an_outbox_of_the_previous_version_is_upgraded_in_place(wordpress: WordPressSite,
                                                                site_sidecar: Sidecar) -> None:
    """Version 1 had no `strikes` column: the first request after the plugin's files are updated
    adds it, and the events waiting stay."""
    wordpress.sql("INSERT INTO wp_fcwh_outbox (event_id, event_type, payload, created_at)"
                  " VALUES ('upgrade-1', 'contact.created', '{}', UTC_TIMESTAMP())")
    wordpress.sql("ALTER TABLE wp_fcwh_outbox DROP COLUMN strikes")
    wordpress.set_option("fcwh_db_version", "1")
    try:
        # Any request (here a PHP process that loads WordPress) installs what this version needs.
        assert wordpress.php_json("get_option('fcwh_db_version')") == "2"
        columns = [name for (name, *_) in wordpress.sql("SHOW COLUMNS FROM wp_fcwh_outbox")]
        assert "strikes" in columns
        assert wordpress.sql("SELECT event_id, status, strikes FROM wp_fcwh_outbox") == (("upgrade-1", "pending", 0),)
    finally:
        wordpress.php("$GLOBALS['wpdb']->query('TRUNCATE TABLE ' . fcwh_outbox_table());"
                      "update_option('fcwh_outbox_waiting', '0');")
