"""RedisBroker against a real redis-server: two brokers stand for two server processes."""

from __future__ import annotations

import asyncio

import pytest

from server.classroom.redis_broker import RedisBroker, connect, decode, encode

pytestmark = pytest.mark.timeout(30)
TTL_S = 60.0


class Sink:
    """One subscriber's view: every event and frame it was handed, and a way to wait for one."""

    def __init__(self) -> None:
        self.events: list[tuple[str, str, str]] = []
        self.frames: list[tuple[str, bytes]] = []
        self.changed = asyncio.Event()

    def on_event(self, channel: str, text: str, retain: str) -> None:
        self.events.append((channel, text, retain))
        self.changed.set()

    def on_frame(self, channel: str, frame: bytes) -> None:
        self.frames.append((channel, frame))
        self.changed.set()

    async def until(self, test, timeout: float = 10.0) -> None:
        async with asyncio.timeout(timeout):
            while not test(self):
                self.changed.clear()
                await self.changed.wait()


async def two_brokers(url: str) -> tuple[RedisBroker, RedisBroker]:
    brokers = []
    for _ in range(2):
        broker = RedisBroker(await connect(url), retain_ttl_s=TTL_S)
        await broker.start()
        brokers.append(broker)
    return brokers[0], brokers[1]


async def close(*brokers: RedisBroker) -> None:
    for broker in brokers:
        await broker.stop()
        await broker.redis.aclose()


def test_the_wire_format_round_trips():
    origin = b"12345678"
    assert decode(encode(b"E", origin, "state", b'{"a":1}')) == (b"E", origin, "state", b'{"a":1}')
    assert decode(encode(b"F", origin, "", b"\x00\xff")) == (b"F", origin, "", b"\x00\xff")


def test_a_frame_and_events_published_in_one_process_reach_subscribers_of_another(redis_server):
    async def go():
        home, other = await two_brokers(redis_server.url)
        try:
            near, far = Sink(), Sink()
            home.subscribe(("room:A",), near.on_event, near.on_frame)
            other.subscribe(("room:A",), far.on_event, far.on_frame)
            await other.settled()  # subscribed in Redis
            home.publish_frame("room:A", b"frame-1")
            home.publish_event("room:A", '{"type":"state","n":1}', retain="state")
            await far.until(lambda s: s.frames and any(r == "state" for *_, r in s.events))
            assert far.frames == [("room:A", b"frame-1")]
            assert not any(r == "" for *_, r in far.events)  # nothing but what was published
            # Local subscribers get everything at once, and exactly once (not again via Redis).
            assert near.frames == [("room:A", b"frame-1")]
            assert sum(r == "state" for *_, r in near.events) == 1
            assert other.relayed >= 2 and home.relayed == 0
        finally:
            await close(home, other)

    asyncio.run(go())


def test_a_late_subscriber_in_another_process_starts_from_the_retained_picture(redis_server):
    async def go():
        home, other = await two_brokers(redis_server.url)
        try:
            home.publish_event("room:B", '{"type":"state","n":1}', retain="state")
            home.publish_event("room:B", '{"type":"state","n":2}', retain="state")
            home.publish_event("room:B", '{"type":"locks"}', retain="locks")
            home.publish_event("room:B", '{"type":"note"}')  # not retained
            home.publish_frame("room:B", b"frame-2")
            # Everything reached Redis once a subscriber elsewhere can read it back.
            late = Sink()
            await home.settled()
            other.subscribe(("room:B",), late.on_event, late.on_frame)
            await late.until(lambda s: s.frames and len(s.events) >= 2)
            retained = {r: text for _, text, r in late.events}
            assert retained == {"state": '{"type":"state","n":2}', "locks": '{"type":"locks"}'}
            assert late.frames == [("room:B", b"frame-2")]
        finally:
            await close(home, other)

    asyncio.run(go())


def test_forget_drops_the_retained_values_in_redis(redis_server):
    async def go():
        home, other = await two_brokers(redis_server.url)
        try:
            home.publish_event("room:C", '{"type":"state"}', retain="state")
            home.publish_frame("room:C", b"f")
            await home.settled()
            assert await home.redis.exists("retained:room:C", "retained:room:C:frame") == 2
            home.forget("room:C")
            await home.settled()
            assert await home.redis.exists("retained:room:C", "retained:room:C:frame") == 0
            ttl = await home.redis.pttl("retained:room:D")
            assert ttl == -2  # never written
        finally:
            await close(home, other)

    asyncio.run(go())


def test_publishing_goes_on_when_redis_is_gone_and_nothing_blocks(redis_server):
    async def go():
        home, other = await two_brokers(redis_server.url)
        try:
            near = Sink()
            home.subscribe(("room:E",), near.on_event, near.on_frame)
            redis_server.stop()
            padding = "x" * 40_000
            for i in range(2000):  # 80 MB: more than the bounded queue holds (64 MB)
                home.publish_event("room:E", f'{{"n":{i},"p":"{padding}"}}')
            assert len(near.events) == 2000  # local delivery does not need Redis
            assert home._pending_bytes <= home.max_pending_bytes == 64 << 20
            assert home.dropped_events > 0 and len(home._events) < 2000
        finally:
            await close(home, other)

    asyncio.run(go())


def test_messages_waiting_for_redis_are_bounded_in_bytes_not_in_count(redis_server):
    """A lecture's start sends every follower of another process its seat's messages at once:
    a thousand small ones must all wait for the writer (dropping one left a student without
    frames), while bytes beyond the bound go, the oldest first, counted."""

    async def scenario():
        redis = await connect(redis_server.url)
        broker = RedisBroker(redis, retain_ttl_s=TTL_S, max_pending_bytes=100_000)
        try:  # not started: nothing is written, everything waits
            for k in range(2000):
                broker.publish_event("proc:a", f'{{"do":"show","conn":"c{k}"}}')
            assert broker.dropped_events == 0 and len(broker._events) == 2000
            for k in range(100):
                broker.publish_event("proc:a", "x" * 2000 + str(k))
            assert 0 < broker._pending_bytes <= 100_000
            assert broker.dropped_events > 0
            kept = [event for _, event, _ in broker._events]
            assert kept[-1].endswith("99") and not any('c0"' in e for e in kept)
        finally:
            await redis.aclose()

    asyncio.run(scenario())
