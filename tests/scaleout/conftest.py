"""A fresh redis-server per test (the test restarts it), stopped afterwards by its PID."""

from __future__ import annotations

from typing import Iterator

import pytest

from tests.conftest import skip_or_fail
from tests.scaleout.redis_server import RedisServer, redis_binary


@pytest.fixture
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    if redis_binary() is None:
        skip_or_fail("redis-server not found (apt-get install redis-server, or run scripts/install-system-deps.sh)")
    server = RedisServer(tmp_path_factory.mktemp("redis")).start()
    try:
        yield server
    finally:
        server.stop()
