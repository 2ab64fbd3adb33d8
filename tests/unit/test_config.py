import pytest

from fluentcrm_webhooks.config import Settings, SettingsError


def test_defaults_match_the_documented_table():
    settings = Settings.from_env({})
    assert settings.database_url == "sqlite:///fcwh.sqlite3" and settings.table_prefix == "wp_"
    assert (settings.host, settings.port, settings.workers, settings.timeout) == ("127.0.0.1", 8787, 256, 30)
    assert settings.webhook_concurrency == 100 and settings.sweep_interval == 1
    assert settings.retry_delays == (60, 300, 1800, 7200, 86400) and settings.max_attempts == 6
    assert not settings.allow_http and not settings.allow_private_targets
    assert settings.resolved_queue_url.endswith("fcwh-queue.sqlite3")
    assert str(settings.resolved_token_file) == "fcwh.token"


def test_values_are_read_from_the_environment():
    settings = Settings.from_env({
        "FCWH_DATABASE_URL": "mysql://wp:pw@127.0.0.1:3306/wordpress", "FCWH_TABLE_PREFIX": "site2_",
        "FCWH_QUEUE_URL": "redis://127.0.0.1:6379/0", "FCWH_PORT": "9000", "FCWH_WORKERS": "4",
        "FCWH_WEBHOOK_CONCURRENCY": "3",
        "FCWH_RETRY_DELAYS": "1,2,3", "FCWH_TIMEOUT": "2.5", "FCWH_ALLOW_HTTP": "1", "FCWH_ALLOW_PRIVATE_TARGETS": "true",
        "FCWH_REQUEST_TIMEOUT": "4"})
    assert settings.request_timeout == 4.0
    assert settings.table_prefix == "site2_" and settings.port == 9000 and settings.workers == 4
    assert settings.webhook_concurrency == 3
    assert settings.retry_delays == (1, 2, 3) and settings.timeout == 2.5 and settings.max_attempts == 4
    assert settings.allow_http and settings.allow_private_targets and settings.sqlite_path is None


@pytest.mark.parametrize("name,value", [("FCWH_PORT", "http"), ("FCWH_PORT", "70000"), ("FCWH_WORKERS", "0"),
                                        ("FCWH_WEBHOOK_CONCURRENCY", "0"), ("FCWH_WORKERS", "20001"),
                                        ("FCWH_RETRY_DELAYS", "1,x"), ("FCWH_TIMEOUT", "soon"),
                                        ("FCWH_REQUEST_TIMEOUT", "0"), ("FCWH_REQUEST_TIMEOUT", "nan"),
                                        ("FCWH_ALLOW_HTTP", "maybe"), ("FCWH_DATABASE_URL", "postgres://x"),
                                        ("FCWH_TABLE_PREFIX", "wp-; DROP"), ("FCWH_QUEUE_URL", "amqp://x")])
def test_bad_values_name_the_variable_and_the_value(name, value):
    with pytest.raises(SettingsError, match=name):
        Settings.from_env({name: value})
