"""Fixtures of the server tests: a real redis-server when a test asks for one."""

from __future__ import annotations

import pytest
from redis_server import RedisServer


@pytest.fixture
def redis_server():
    server = RedisServer()
    yield server
    server.stop()
