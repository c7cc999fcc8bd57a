"""The test Redis: database 5 of the machine's server (5 + n for pytest-xdist's worker gwn), emptied before and
after each test that uses it."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from redis import Redis
from redis.exceptions import RedisError

#: each xdist worker its own database: one worker's flushdb must not empty another's queue mid-test
REDIS_URL = f"redis://127.0.0.1:6379/{5 + int(os.environ.get('PYTEST_XDIST_WORKER', 'gw0')[2:])}"


@pytest.fixture
def redis() -> Iterator[Redis]:
    connection = Redis.from_url(REDIS_URL, socket_connect_timeout=1)
    try:
        connection.ping()
    except RedisError as error:
        pytest.skip(f"Redis is not reachable at {REDIS_URL}: {error}")
    connection.flushdb()
    yield connection
    connection.flushdb()
    connection.close()
