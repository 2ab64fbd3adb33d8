"""The test harness itself: the receiver and the throwaway MariaDB behave as the e2e tests assume."""

from __future__ import annotations

import pymysql
import pytest
import requests

from tests.support.mariadb import MariaDBServer
from tests.support.receiver import Receiver


def test_receiver_records_requests_and_plays_its_script(receiver: Receiver, https_ca) -> None:
    receiver.script(500, times=2)
    receiver.script(429, headers={"Retry-After": "7"}, body=b"slow down")
    with requests.Session() as session:  # one keep-alive connection for all four requests
        # verify per request: a session-level verify loses to REQUESTS_CA_BUNDLE in the environment
        answers = [session.post(receiver.url, data=b'{"n": %d}' % n, headers={"X-Test": "yes"},
                                verify=str(https_ca.bundle), timeout=5) for n in range(4)]
    assert [a.status_code for a in answers] == [500, 500, 429, 200]
    assert answers[2].headers["Retry-After"] == "7" and answers[2].content == b"slow down"
    seen = receiver.wait_for(4, timeout=5)
    assert [r.body for r in seen] == [b'{"n": %d}' % n for n in range(4)]
    assert seen[0].headers["x-test"] == "yes" and seen[0].path == "/hook" and seen[0].method == "POST"


def test_receiver_wait_for_reports_what_it_saw(http_receiver: Receiver) -> None:
    requests.post(http_receiver.url, data=b"{}", timeout=5)
    with pytest.raises(AssertionError, match="got 1 of 2"):
        http_receiver.wait_for(2, timeout=0.5)


def test_receiver_certificate_is_not_trusted_without_the_test_ca(receiver: Receiver) -> None:
    with pytest.raises(requests.exceptions.SSLError):
        requests.post(receiver.url, data=b"{}", timeout=5)


@pytest.mark.mariadb
def test_mariadb_databases_are_utf8mb4_and_survive_a_restart(mariadb_server: MariaDBServer) -> None:
    url = mariadb_server.create_database("t_harness")
    assert url == f"mysql://root@127.0.0.1:{mariadb_server.port}/t_harness"
    mariadb_server.sql("CREATE TABLE t (v VARCHAR(10))", database="t_harness")
    mariadb_server.sql("INSERT INTO t VALUES (%s)", ("✓ 🎉",), database="t_harness")
    held = mariadb_server.connect("t_harness")
    mariadb_server.restart()
    with pytest.raises(pymysql.err.OperationalError):
        with held.cursor() as cursor:
            cursor.execute("SELECT 1")
    assert mariadb_server.sql("SELECT v FROM t", database="t_harness") == (("✓ 🎉",),)
    mariadb_server.sql("DROP DATABASE t_harness")
