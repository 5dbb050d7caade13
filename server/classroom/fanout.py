"""The fan-out's two ends in this process, driven by the scheduler like any client's outlet: a
session's frames published once, and a room member's outlet that passes them on."""

from __future__ import annotations

from server.classroom.broker import Broker, Subscription
from server.classroom.model import to_json
from server.core.config import client_limits
from server.core.frames import with_seq
from server.core.outlet import MAX_PENDING_MESSAGES, ClientOutlet, frame_of
from server.core.protocol import PROTOCOL_VERSION
from server.core.session import Session
from server.settings import Settings


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
        snap = self.session.snapshot
        if snap.state_version != self.state_version:
            return True  # a change only the `state` shows (the speed): it goes out at once
        return (
            not snap.steps_left
            and snap.version != self.frame_version
            and now - self.last_frame_at >= 1.0 / self.fps
        )

    def next_due(self, now: float) -> float | None:
        snap = self.session.snapshot
        if snap.state_version != self.state_version:
            return now
        if snap.version == self.frame_version:
            return None
        return self.last_frame_at + 1.0 / self.fps

    def make_frame(self, now: float) -> int:
        self.publish_state()
        snap = self.session.snapshot
        fresh = not snap.steps_left and snap.version != self.frame_version
        if not fresh or now - self.last_frame_at < 1.0 / self.fps:
            return 0  # only the state was due
        self.seq += 1
        self.frame_version = snap.version
        frame, self.cursor = frame_of(self.session, snap, self.seq, None, self.cursor)
        self.last_frame_at = now
        self.frames_encoded += 1
        self.broker.publish_frame(self.channel, frame)
        return len(frame)

    def publish_state(self) -> None:
        snap = self.session.snapshot
        if snap.state_version != self.state_version:
            self.state_version = snap.state_version
            state = {"type": "state", "protocol": PROTOCOL_VERSION, **snap.state()}
            state.update(source=self.channel_source, fps=self.fps, focus=None)
            state["limits"] = client_limits(self.settings)
            self.broker.publish_event(self.channel, to_json(state), retain="state")
        if snap.data_version != self.data_version:
            self.data_version = snap.data_version
            data = {**snap.data(), "source": self.channel_source}
            self.broker.publish_event(self.channel, to_json(data), retain="data")

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
        self.sendto_json(text, replaces=f"{channel}/{retain}" if retain else "")

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

    def sendto_json(self, text: str, replaces: str = "") -> None:
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
