"""Rooms across processes: Redis pub/sub carries what `MemoryBroker` delivers inside one.

Each process delivers to its own subscribers exactly as `MemoryBroker` does, at once, and relays
what it publishes through Redis: a frame crosses Redis once per process that has followers of its
channel, not once per follower. Retained values (a channel's newest frame, `state`, `data`,
`locks`, ...) are also kept in Redis keys with an expiry, so a process that subscribes late
starts from the current picture. Publishing never waits on Redis: a writer task sends what is
pending (the newest frame per channel, a bounded queue of events) in one pipeline at a time.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
from collections import deque

from redis.asyncio import Redis
from redis.exceptions import RedisError

from server.classroom.broker import EventSink, FrameSink, MemoryBroker, Subscription

log = logging.getLogger(__name__)
FRAME, EVENT = b"F", b"E"
ORIGIN_BYTES = 8
RETRY_S = 0.5  # after Redis failed: wait this long, then subscribe again and go on


def _key(channel: str) -> str:
    return f"retained:{channel}"


def encode(kind: bytes, origin: bytes, retain: str, payload: bytes) -> bytes:
    """kind (1 byte), origin, the retain key's length (1 byte) and text, then the payload."""
    name = retain.encode()
    return kind + origin + bytes([len(name)]) + name + payload


def decode(message: bytes) -> tuple[bytes, bytes, str, bytes]:
    start = 1 + ORIGIN_BYTES
    size = message[start]
    retain = message[start + 1 : start + 1 + size].decode()
    return message[:1], message[1:start], retain, message[start + 1 + size :]


def _size(channel: str, event: str, retain: str) -> int:
    """What a waiting event holds, in characters (about bytes: the protocol's text is ASCII)."""
    return len(channel) + len(event) + len(retain)


class RedisBroker:
    """The broker's five calls over Redis, with local delivery first (see the module's doc)."""

    def __init__(
        self, redis: Redis, *, retain_ttl_s: float, max_pending_bytes: int = 64 << 20
    ) -> None:
        self.local = MemoryBroker()
        self.redis = redis
        self.origin = os.urandom(ORIGIN_BYTES)
        self.retain_ttl_ms = max(1000, int(retain_ttl_s * 1000))
        self._pubsub = redis.pubsub()
        self._frames: dict[str, bytes] = {}  # newest unsent frame per channel
        # Events wait for the writer here, at most `max_pending_bytes` of them (the oldest go
        # first beyond it, counted in `dropped_events`): a count would not do, since a lecture's
        # start sends every follower of another process its seat's messages at once, hundreds of
        # them, and dropping one of those (its "show") left a student without frames.
        self._events: deque[tuple[str, str, str]] = deque()
        self._pending_bytes = 0
        self.max_pending_bytes = max_pending_bytes
        self._forgotten: set[str] = set()
        self._wanted: set[str] = set()  # channels with local subscribers
        self._subscribed: set[str] = set()  # ... and those Redis sends us
        self._wake = asyncio.Event()
        self._idle = asyncio.Event()  # set when everything asked of Redis is done
        self._ready = asyncio.Event()  # set while the reader may read
        self._tasks: list[asyncio.Task] = []
        self.dropped_events = 0
        self.relayed = 0  # messages from other processes delivered here

    async def start(self) -> None:
        loop = asyncio.get_running_loop()
        self._tasks = [loop.create_task(self._write()), loop.create_task(self._read())]

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._tasks = []
        with contextlib.suppress(RedisError, OSError):
            await self._pubsub.aclose()

    # The broker's calls: synchronous, never waiting on Redis.

    def publish_frame(self, channel: str, frame: bytes) -> None:
        self.local.publish_frame(channel, frame)
        self._frames[channel] = frame
        self._poke()

    def publish_event(self, channel: str, event: str, retain: str = "") -> None:
        self.local.publish_event(channel, event, retain)
        self._events.append((channel, event, retain))
        self._pending_bytes += _size(channel, event, retain)
        while self._pending_bytes > self.max_pending_bytes and len(self._events) > 1:
            self._pending_bytes -= _size(*self._events.popleft())
            self.dropped_events += 1
        self._poke()

    def subscribe(
        self, channels: tuple[str, ...], on_event: EventSink, on_frame: FrameSink
    ) -> Subscription:
        sub = self.local.subscribe(channels, on_event, on_frame)
        if not set(channels) <= self._wanted:
            self._wanted.update(channels)
            self._poke()
        return sub

    def unsubscribe(self, subscription: Subscription) -> None:
        self.local.unsubscribe(subscription)
        gone = {c for c in subscription.channels if not self.local.subscriber_count(c)}
        if gone & self._wanted:
            self._wanted -= gone
            self._poke()

    def forget(self, channel: str) -> None:
        self.local.forget(channel)
        self._frames.pop(channel, None)
        self._forgotten.add(channel)
        self._poke()

    def subscriber_count(self, channel: str) -> int:
        return self.local.subscriber_count(channel)

    def _poke(self) -> None:
        self._idle.clear()
        self._wake.set()

    async def settled(self) -> None:
        """Until every subscription is in place and everything published has reached Redis."""
        await self._idle.wait()

    # Towards Redis.

    async def _write(self) -> None:
        while True:
            await self._wake.wait()
            self._wake.clear()
            try:
                await self._subscriptions()
                await self._flush()
                if not self._wake.is_set():
                    self._idle.set()
            except (RedisError, OSError) as exc:
                log.warning("Redis did not take the rooms' messages (%s); retrying", exc)
                self._subscribed.clear()  # subscribe again once Redis is back
                self._ready.clear()
                await asyncio.sleep(RETRY_S)
                self._poke()

    async def _subscriptions(self) -> None:
        new, gone = self._wanted - self._subscribed, self._subscribed - self._wanted
        if gone:
            await self._pubsub.unsubscribe(*gone)
            self._subscribed -= gone
        if new:
            await self._pubsub.subscribe(*new)
            self._subscribed |= new
            self._ready.set()
            await self._catch_up(sorted(new))

    async def _catch_up(self, channels: list[str]) -> None:
        """Hand local subscribers the retained values of newly followed channels that nothing
        newer has replaced since the subscription began."""
        async with self.redis.pipeline(transaction=False) as pipe:
            for channel in channels:
                pipe.hgetall(_key(channel))
                pipe.get(_key(channel) + ":frame")
            replies = await pipe.execute()
        for i, channel in enumerate(channels):
            events, frame = replies[2 * i], replies[2 * i + 1]
            known = self.local.retained_events(channel)
            for retain, text in sorted(events.items()):
                if retain.decode() not in known:
                    self.local.publish_event(channel, text.decode(), retain.decode())
            if frame is not None and not self.local.has_frame(channel):
                self.local.publish_frame(channel, frame)

    async def _flush(self) -> None:
        frames, self._frames = self._frames, {}
        events = list(self._events)
        self._events.clear()
        self._pending_bytes = 0
        forgotten, self._forgotten = self._forgotten, set()
        if not (frames or events or forgotten):
            return
        ttl = self.retain_ttl_ms
        async with self.redis.pipeline(transaction=False) as pipe:
            for channel, event, retain in events:
                pipe.publish(channel, encode(EVENT, self.origin, retain, event.encode()))
                if retain:
                    pipe.hset(_key(channel), retain, event)
                    pipe.pexpire(_key(channel), ttl)
            for channel, frame in frames.items():
                pipe.publish(channel, encode(FRAME, self.origin, "", frame))
                pipe.set(_key(channel) + ":frame", frame, px=ttl)
            for channel in forgotten:
                pipe.delete(_key(channel), _key(channel) + ":frame")
            await pipe.execute()

    # From Redis.

    async def _read(self) -> None:
        while True:
            await self._ready.wait()
            try:
                message = await self._pubsub.get_message(ignore_subscribe_messages=True, timeout=1)
            except (RedisError, OSError) as exc:
                log.warning("lost the Redis subscription (%s); subscribing again", exc)
                self._subscribed.clear()
                self._ready.clear()
                await asyncio.sleep(RETRY_S)
                self._poke()
                continue
            if message is not None and message.get("type") == "message":
                self._deliver(message["channel"].decode(), message["data"])

    def _deliver(self, channel: str, data: bytes) -> None:
        try:
            kind, origin, retain, payload = decode(data)
        except (IndexError, UnicodeDecodeError):
            log.warning("an unreadable message on %s was dropped", channel)
            return
        if origin == self.origin:
            return  # delivered here when it was published
        self.relayed += 1
        if kind == FRAME:
            self.local.publish_frame(channel, payload)
        else:
            self.local.publish_event(channel, payload.decode(), retain)


async def connect(url: str) -> Redis:
    """A client of the Redis at `url`, checked with PING (raises if it does not answer)."""
    redis = Redis.from_url(url, socket_connect_timeout=5, health_check_interval=30)
    await redis.ping()
    return redis
