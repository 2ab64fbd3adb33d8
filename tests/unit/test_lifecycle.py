"""The lifecycle's pure decisions, as tables."""

from datetime import datetime, timedelta, timezone
from email.utils import format_datetime

import pytest

from fluentcrm_webhooks.lifecycle import (AUTO_DISABLE_AFTER, AttemptFacts, Decision, Verdict, WebhookState,
                                          WebhookStatus, decide, is_success, next_delay, parse_retry_after,
                                          probe_backoff, run_after, webhook_after)

SCHEDULE = (60, 300, 1800, 7200, 86400)
ACTIVE = WebhookStatus.ACTIVE


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
    assert parse_retry_after("²") is None  # a digit to str.isdigit(), not to int()


@pytest.mark.parametrize("attempt, code, retry_after, expected", [
    (1, 200, None, Decision(Verdict.SUCCESS)),
    (6, 204, None, Decision(Verdict.SUCCESS)),
    (1, 410, None, Decision(Verdict.DISABLE)),
    (6, 410, None, Decision(Verdict.DISABLE)),  # 410 disables even on the last attempt
    (1, 500, None, Decision(Verdict.RETRY, 60, trouble=True)),
    (1, None, None, Decision(Verdict.RETRY, 60, trouble=True)),  # no answer: refused, reset, timed out
    (1, 400, None, Decision(Verdict.RETRY, 60, trouble=False)),  # an answer: the endpoint is up
    (1, 302, None, Decision(Verdict.RETRY, 60, trouble=False)),
    (1, 429, 100, Decision(Verdict.RETRY, 100, trouble=True)),
    (2, 503, 9999, Decision(Verdict.RETRY, 600, trouble=True)),
    (1, 408, None, Decision(Verdict.RETRY, 60, trouble=True)),
    (5, 500, None, Decision(Verdict.RETRY, 86400, trouble=True)),
    (6, 500, None, Decision(Verdict.GIVE_UP, trouble=True)),
    (6, 404, None, Decision(Verdict.GIVE_UP, trouble=False)),
])
def test_decide(attempt, code, retry_after, expected):
    assert decide(AttemptFacts(attempt, code, retry_after), SCHEDULE) == expected


@pytest.mark.parametrize("decision, status, final", [
    (Decision(Verdict.SUCCESS), "success", True), (Decision(Verdict.GIVE_UP), "failed", True),
    (Decision(Verdict.RETRY, 60), "pending", False), (Decision(Verdict.DISABLE), "pending", False),
])
def test_what_each_verdict_leaves_on_the_delivery(decision, status, final):
    assert decision.delivery_status.value == status and decision.is_final is final


def test_run_counters_reset_on_false():
    assert run_after(0, []) == 0
    assert run_after(2, [True, True]) == 4
    assert run_after(4, [True, False, True]) == 1
    assert run_after(3, [False]) == 0


OK, RETRY_TROUBLE, RETRY_ANSWERED, GIVE_UP, GONE = (
    Decision(Verdict.SUCCESS), Decision(Verdict.RETRY, 60, trouble=True), Decision(Verdict.RETRY, 60),
    Decision(Verdict.GIVE_UP, trouble=True), Decision(Verdict.DISABLE))


@pytest.mark.parametrize("before, decisions, after", [
    (WebhookState(ACTIVE, 0, 0), [OK, OK], WebhookState(ACTIVE, 0, 0)),
    (WebhookState(ACTIVE, 0, 0), [RETRY_TROUBLE], WebhookState(ACTIVE, 0, 1)),  # paced
    (WebhookState(ACTIVE, 0, 3), [RETRY_ANSWERED], WebhookState(ACTIVE, 0, 0)),  # it answers: no longer paced
    (WebhookState(ACTIVE, 3, 2), [GIVE_UP], WebhookState(ACTIVE, 4, 3)),
    (WebhookState(ACTIVE, AUTO_DISABLE_AFTER - 1, 0), [GIVE_UP], WebhookState(WebhookStatus.FAILED, 5, 1)),
    (WebhookState(ACTIVE, 4, 0), [GIVE_UP, OK], WebhookState(ACTIVE, 0, 0)),  # the success came last
    (WebhookState(ACTIVE, 4, 0), [OK, GIVE_UP], WebhookState(ACTIVE, 1, 1)),
    (WebhookState(ACTIVE, 4, 0), [RETRY_TROUBLE] * 10, WebhookState(ACTIVE, 4, 10)),  # retries are not final
    (WebhookState(ACTIVE, 0, 0), [GONE], WebhookState(WebhookStatus.FAILED, 0, 0)),
    (WebhookState(WebhookStatus.INACTIVE, 4, 0), [GIVE_UP], WebhookState(WebhookStatus.INACTIVE, 5, 1)),
])
def test_webhook_after(before, decisions, after):
    assert webhook_after(before, decisions) == after


def test_probe_backoff_doubles_up_to_a_minute_or_the_first_retry_delay():
    assert [probe_backoff(n, SCHEDULE) for n in range(0, 9)] == [0, 1, 2, 4, 8, 16, 32, 60, 60]
    assert probe_backoff(50, SCHEDULE) == 60
    assert [probe_backoff(n, (1, 1, 1)) for n in (1, 2, 10)] == [1, 1, 1]
    assert probe_backoff(3, (0, 0)) == 0
