"""Shared-instance guards in-process: the message rate, connection counts, the Origin check."""

from __future__ import annotations

import pytest

from server.core.limits import ConnectionLimiter, TokenBucket, origin_allowed


def test_a_bucket_allows_a_burst_then_its_rate():
    bucket = TokenBucket(rate=10, burst=5, now=0.0)
    assert [bucket.take(0.0) for _ in range(6)] == [True] * 5 + [False]
    assert bucket.take(0.05) is False  # half a token back
    assert bucket.take(0.1) is True  # a whole one
    assert bucket.take(0.1) is False


def test_a_bucket_never_holds_more_than_its_burst():
    bucket = TokenBucket(rate=10, burst=3, now=0.0)
    taken = [bucket.take(3600.0) for _ in range(5)]  # an hour idle earns no more than 3
    assert taken == [True, True, True, False, False]


def test_a_burst_below_one_still_lets_a_message_through():
    bucket = TokenBucket(rate=1, burst=0, now=0.0)
    assert bucket.take(0.0) is True and bucket.take(0.0) is False


def test_connections_are_limited_per_address_and_in_all():
    limiter = ConnectionLimiter(max_total=3, max_per_address=2)
    assert limiter.admit("10.0.0.1") is None and limiter.admit("10.0.0.1") is None
    code, reason = limiter.admit("10.0.0.1")
    assert code == 1008 and "at most 2" in reason
    assert limiter.admit("10.0.0.2") is None
    code, reason = limiter.admit("10.0.0.3")
    assert code == 1013 and "3 sessions" in reason
    assert limiter.total == 3  # refused ones are not counted


def test_a_released_connection_makes_room_and_is_forgotten():
    limiter = ConnectionLimiter(max_total=10, max_per_address=1)
    assert limiter.admit("10.0.0.1") is None
    limiter.release("10.0.0.1")
    assert limiter.total == 0 and "10.0.0.1" not in limiter.per_address
    assert limiter.admit("10.0.0.1") is None


@pytest.mark.parametrize(
    ("origin", "host", "allowed", "ok"),
    [
        (None, "example.org", (), True),  # not a browser: browsers always send Origin
        ("http://example.org", "example.org", (), True),
        ("https://Example.org/", "example.org", (), True),
        ("http://127.0.0.1:8000", "127.0.0.1:8000", (), True),
        ("http://127.0.0.1:9000", "127.0.0.1:8000", (), False),  # another port, another site
        ("http://evil.example", "example.org", (), False),
        ("null", "example.org", (), False),
        ("file://", "example.org", (), False),
        ("http://example.org", None, (), False),
        ("https://course.example/", "example.org", ("https://course.example",), True),
        ("http://example.org", "example.org", ("https://course.example",), False),
        ("http://anything.example", "example.org", ("*",), True),
    ],
)
def test_origins(origin, host, allowed, ok):
    assert origin_allowed(origin, host, allowed) is ok
