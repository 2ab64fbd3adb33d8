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

