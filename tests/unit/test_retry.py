from datetime import datetime, timedelta, timezone
from email.utils import format_datetime

from fluentcrm_webhooks.retry import is_success, next_delay, parse_retry_after

SCHEDULE = (60, 300, 1800, 7200, 86400)


def test_only_2xx_is_success_redirects_fail():
    assert is_success(200) and is_success(204) and is_success(299)
    assert not any(is_success(code) for code in (None, 199, 301, 302, 400, 429, 500))


def test_the_schedule_then_give_up_after_five_retries():
    assert [next_delay(n, SCHEDULE) for n in range(1, 7)] == [60, 300, 1800, 7200, 86400, None]


def test_retry_after_is_clamped_between_entry_and_twice_entry_on_429_and_503():
    assert next_delay(1, SCHEDULE, 429, 10) == 60
    assert next_delay(1, SCHEDULE, 429, 90) == 90
    assert next_delay(1, SCHEDULE, 503, 1000) == 120
    assert next_delay(1, SCHEDULE, 500, 90) == 60  # only 429 and 503 ask us to wait


def test_retry_after_parses_seconds_and_http_dates():
    now = datetime(2024, 1, 15, 10, 30, tzinfo=timezone.utc)
    assert parse_retry_after("120") == 120
    assert parse_retry_after(format_datetime(now + timedelta(seconds=90), usegmt=True), now) == 90
    assert parse_retry_after("soon") is None and parse_retry_after(None) is None
