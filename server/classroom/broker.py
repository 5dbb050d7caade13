"""Room fan-out: a frame or event published once reaches every subscriber of its channel.

`MemoryBroker` serves one process; `RedisBroker` (redis_broker.py) makes the same calls reach
every process sharing one Redis (channels `room:<code>`, `room:<code>:teach`, ..., payloads bytes
or JSON text, retained values in the hashes `retained:<channel>`): see docs/architecture.md,
"Classrooms and scaling out".
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

EventSink = Callable[[str, str, str], None]  # (channel, JSON text, retain key or "")
FrameSink = Callable[[str, bytes], None]  # (channel, frame)


class Subscription:
    """One connection's ends of some channels: events go straight to `on_event`, frames to
    `on_frame`. Whoever receives them keeps only what it can send (the newest frame)."""

    def __init__(self, channels: tuple[str, ...], on_event: EventSink, on_frame: FrameSink) -> None:
        self.channels = channels
        self.on_event = on_event
        self.on_frame = on_frame


class Broker(Protocol):
    """What rooms need from a broker. A Redis implementation maps `publish_*` to PUBLISH (plus SET
    for retained values), `subscribe` to one SUBSCRIBE per channel and process, and delivers
    locally to its own subscribers exactly as `MemoryBroker` does."""

    def publish_frame(self, channel: str, frame: bytes) -> None: ...

    def publish_event(self, channel: str, event: str, retain: str = "") -> None: ...

    def subscribe(
        self, channels: tuple[str, ...], on_event: EventSink, on_frame: FrameSink
    ) -> Subscription: ...

    def unsubscribe(self, subscription: Subscription) -> None: ...

    def forget(self, channel: str) -> None: ...

    def subscriber_count(self, channel: str) -> int: ...


class MemoryBroker:
    """Fan-out inside one process: every subscriber gets the very same bytes object.

    The newest frame and the newest event of each retain key (`state`, `data`, `locks`, ...) are
    kept per channel, so a late subscriber starts from the current picture at once.
    """

    def __init__(self) -> None:
        self._subscribers: dict[str, dict[Subscription, None]] = {}
        self._retained_events: dict[str, dict[str, str]] = {}
        self._retained_frames: dict[str, bytes] = {}
        self.frames_published = 0
        self.frames_delivered = 0

    def publish_frame(self, channel: str, frame: bytes) -> None:
        self.frames_published += 1
        self._retained_frames[channel] = frame
        for sub in list(self._subscribers.get(channel, ())):
            sub.on_frame(channel, frame)
            self.frames_delivered += 1

    def publish_event(self, channel: str, event: str, retain: str = "") -> None:
        if retain:
            self._retained_events.setdefault(channel, {})[retain] = event
        for sub in list(self._subscribers.get(channel, ())):
            sub.on_event(channel, event, retain)

    def subscribe(
        self, channels: tuple[str, ...], on_event: EventSink, on_frame: FrameSink
    ) -> Subscription:
        sub = Subscription(channels, on_event, on_frame)
        for channel in channels:
            self._subscribers.setdefault(channel, {})[sub] = None
            for key, event in self._retained_events.get(channel, {}).items():
                on_event(channel, event, key)
            if channel in self._retained_frames:
                on_frame(channel, self._retained_frames[channel])
        return sub

    def unsubscribe(self, subscription: Subscription) -> None:
        for channel in subscription.channels:
            subs = self._subscribers.get(channel)
            if subs is not None:
                subs.pop(subscription, None)
                if not subs:
                    del self._subscribers[channel]

    def forget(self, channel: str) -> None:
        """Drop a channel's retained values: its room is gone."""
        self._retained_events.pop(channel, None)
        self._retained_frames.pop(channel, None)

    def subscriber_count(self, channel: str) -> int:
        return len(self._subscribers.get(channel, ()))

    def retained_events(self, channel: str) -> dict[str, str]:
        """The newest event of each retain key of `channel` (a copy)."""
        return dict(self._retained_events.get(channel, {}))

    def has_frame(self, channel: str) -> bool:
        return channel in self._retained_frames
