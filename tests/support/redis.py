"""The test Redis: database 5 of the machine's server, emptied before and after each test that uses it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from redis import Redis
from redis.exceptions import RedisError

REDIS_URL = "redis://127.0.0.1:6379/5"


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
