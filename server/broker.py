"""Room fan-out: a frame or event published once reaches every subscriber of its channel.

`MemoryBroker` serves one process. Its five calls are what a Redis pub/sub broker would
implement (channels `room:<code>`, `room:<code>:teach`, payloads bytes or JSON text, retained
values as plain keys) so that several server processes can share rooms: see
docs/architecture.md, "Classrooms and scaling out".
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Protocol

from server.outlet import MAX_PENDING_MESSAGES, ClientOutlet
from server.protocol import PROTOCOL_VERSION, with_seq
from server.session import Session, client_limits
from server.settings import Settings

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


# The fan-out's two ends in this process, driven by the scheduler like any client's outlet.


class FanOutlet:
    """Builds a session's frame ONCE per frame interval and publishes it (with `state` and `data`
    when they change) to a channel; every follower receives the same bytes."""

    def __init__(self, session: Session, settings: Settings, broker: Broker, channel: str) -> None:
        self.session = session
        self.settings = settings
        self.broker = broker
        self.channel = channel
        self.fps = settings.default_fps
        self.seq = 0
        self.cursor = -1
        self.frame_version = self.state_version = self.data_version = -1
        self.last_frame_at = float("-inf")
        self.frames_encoded = 0

    def frame_due(self, now: float) -> bool:
        session = self.session
        return (
            not session.steps_left
            and session.version != self.frame_version
            and now - self.last_frame_at >= 1.0 / self.fps
        )

    def next_due(self, now: float) -> float | None:
        if self.session.version == self.frame_version:
            return None
        return self.last_frame_at + 1.0 / self.fps

    def make_frame(self, now: float) -> int:
        self.publish_state()
        self.seq += 1
        self.frame_version = self.session.version
        frame, self.cursor = self.session.frame(seq=self.seq, focus=None, cursor=self.cursor)
        self.last_frame_at = now
        self.frames_encoded += 1
        self.broker.publish_frame(self.channel, frame)
        return len(frame)

    def publish_state(self) -> None:
        session = self.session
        if session.state_version != self.state_version:
            self.state_version = session.state_version
            state = {"type": "state", "protocol": PROTOCOL_VERSION, **session.state()}
            state.update(source=self.channel_source, fps=self.fps, focus=None)
            state["limits"] = client_limits(self.settings)
            self.broker.publish_event(self.channel, _text(state), retain="state")
        if session.data_version != self.data_version:
            self.data_version = session.data_version
            data = {**session.data(), "source": self.channel_source}
            self.broker.publish_event(self.channel, _text(data), retain="data")

    @property
    def channel_source(self) -> str:
        return "spotlight" if self.channel.endswith(":spot") else "room"


class FollowerOutlet(ClientOutlet):
    """A room member's outlet: frames and events of a followed channel, or of its own session.

    In follow mode the newest published frame waits in a one-frame slot and goes out when the
    previous one is acknowledged, renumbered for this connection (`with_seq`): a slow follower
    skips frames, never queues them, and costs the room nothing.
    """

    def __init__(self, session: Session | None, settings: Settings) -> None:
        super().__init__(session, settings)
        self.following: str | None = None
        self.incoming: bytes | None = None
        self.subscription: Subscription | None = None
        self.context = None  # the connection's handler Context, for a room to switch sessions
        self.saying_goodbye = ""  # a room's closing reason, once it closes

    def listen(self, broker: Broker, channels: tuple[str, ...]) -> None:
        self.subscription = broker.subscribe(channels, self._event, self._frame)

    def _event(self, channel: str, text: str, retain: str) -> None:
        self.send_text(text, replaces=f"{channel}/{retain}" if retain else "")

    def _frame(self, channel: str, frame: bytes) -> None:
        if channel == self.following:
            self.incoming = frame
            self._pass_on()

    def _pass_on(self) -> None:
        """Hand the newest followed frame to the sender if the last one was acknowledged.

        Followers bypass the scheduler: passing a frame on is a header rewrite, and the room's
        training should not wait on a round through every follower.
        """
        ready = self.unacked is None and self.close_reason is None and not self.saying_goodbye
        if self.following is None or self.incoming is None or not ready:
            return
        self.seq += 1
        self.frame, self.incoming = with_seq(self.incoming, self.seq), None
        self.unacked = self.seq
        self._wake.set()

    def send_text(self, text: str, replaces: str = "") -> None:
        """Queue JSON text built once for many; a newer retained event replaces an unsent one."""
        if replaces:
            for i, (key, _) in enumerate(self.outbox):
                if key == replaces:
                    self.outbox[i] = (replaces, text)
                    self._wake.set()
                    return
        if len(self.outbox) >= MAX_PENDING_MESSAGES:
            self.close(f"more than {MAX_PENDING_MESSAGES} unread messages")
            return
        self.outbox.append((replaces, text))
        self._wake.set()

    def follow(self, channel: str, broker: Broker) -> None:
        """Show a published channel's frames (the room's, or a spotlighted student's)."""
        self.following = channel
        self.incoming = None
        self.unacked = None
        self.frame = None
        if self.subscription is not None:
            # Start from the newest picture rather than waiting for the next change.
            self.broker_replay(broker, channel)

    def broker_replay(self, broker: Broker, channel: str) -> None:
        replay = broker.subscribe((channel,), self._event, self._frame)
        broker.unsubscribe(replay)

    def own(self, session: Session) -> None:
        """Show this member's own session: the playground's usual outlet behaviour."""
        self.following = None
        self.incoming = None
        self.session = session
        self.unacked = None
        self.frame = None
        self.cursor = -1
        self.frame_version = self.state_version = self.data_version = -1
        self.urgent = True

    def state_message(self) -> dict:
        return {**super().state_message(), "source": "own"}

    def sync(self, force_state: bool = False) -> None:
        if self.following is None and self.session is not None:
            super().sync(force_state)

    def want_frame(self) -> None:
        if self.following is None:
            super().want_frame()

    def ack(self, seq: int) -> None:
        # After a switch of source, the page may still acknowledge a frame of the old one.
        if self.unacked is not None or seq > self.seq:
            super().ack(seq)
        self._pass_on()

    def frame_due(self, now: float) -> bool:
        return self.following is None and self.session is not None and super().frame_due(now)

    def next_due(self, now: float) -> float | None:
        if self.following is not None or self.session is None:
            return None
        return super().next_due(now)

    def farewell(self, reason: str) -> None:
        """Close after sending what is queued (the room's `closed` message), frames dropped."""
        self.frame = self.incoming = None
        self.following = "-"
        self.saying_goodbye = reason
        self._wake.set()

    def _closing(self) -> bool:
        if self.saying_goodbye:
            # The queue is bounded (MAX_PENDING_MESSAGES), so this ends; the socket closes
            # only once the last message is out (frames are dropped meanwhile).
            if self.outbox:
                return False
            self.close_reason = self.saying_goodbye
            return True
        return super()._closing()


def _text(message: dict) -> str:
    return json.dumps(message, allow_nan=False, separators=(",", ":"))
