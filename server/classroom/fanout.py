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

    def __init__(
        self, session: Session, settings: Settings, broker: Broker, channel: str, source: str
    ) -> None:
        self.session = session
        self.settings = settings
        self.broker = broker
        self.channel = channel
        self.source = source  # what pages call this session: "room", "spotlight" or "own"
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
            state.update(source=self.source, fps=self.fps, focus=None)
            state["limits"] = client_limits(self.settings)
            self.broker.publish_event(self.channel, to_json(state), retain="state")
        if snap.data_version != self.data_version:
            self.data_version = snap.data_version
            data = {**snap.data(), "source": self.source}
            self.broker.publish_event(self.channel, to_json(data), retain="data")


class FollowerOutlet(ClientOutlet):
    """A room connection's outlet: the events of the channels it listens to, and the frames of
    the one channel it shows (the room's, a spotlighted student's, or the student's own).

    The newest published frame waits in a one-frame slot and goes out when the previous one is
    acknowledged, renumbered for this connection (`with_seq`): a slow follower skips frames, never
    queues them, and costs the room nothing. Followers bypass the scheduler.
    """

    def __init__(self, settings: Settings, broker: Broker) -> None:
        super().__init__(None, settings)
        self.broker = broker
        self.following: str | None = None
        self.incoming: bytes | None = None
        self.subscription: Subscription | None = None  # the channels it always listens to
        self.extra: Subscription | None = None  # the shown channel, when not one of those
        self.saying_goodbye = ""  # a room's closing reason, once it closes

    def listen(self, channels: tuple[str, ...]) -> None:
        self.subscription = self.broker.subscribe(channels, self._event, self._frame)

    def follow(self, channel: str) -> None:
        """Show this channel's frames from now on, starting from its newest picture."""
        self.following = channel
        self.incoming = None
        self.unacked = None
        self.frame = None
        if self.extra is not None:
            self.broker.unsubscribe(self.extra)
            self.extra = None
        if self.subscription is not None and channel in self.subscription.channels:
            # Already listened to: ask for its retained values again.
            replay = self.broker.subscribe((channel,), self._event, self._frame)
            self.broker.unsubscribe(replay)
        else:
            self.extra = self.broker.subscribe((channel,), self._event, self._frame)

    def stop(self) -> None:
        """The connection ended: it listens to nothing any more."""
        for sub in (self.subscription, self.extra):
            if sub is not None:
                self.broker.unsubscribe(sub)
        self.subscription = self.extra = None

    def _event(self, channel: str, text: str, retain: str) -> None:
        self.send_json(text, replaces=f"{channel}/{retain}" if retain else "")

    def _frame(self, channel: str, frame: bytes) -> None:
        if channel == self.following:
            self.incoming = frame
            self._pass_on()

    def _pass_on(self) -> None:
        """Hand the newest shown frame to the sender if the last one was acknowledged."""
        ready = self.unacked is None and self.close_reason is None and not self.saying_goodbye
        if self.following is None or self.incoming is None or not ready:
            return
        self.seq += 1
        self.frame, self.incoming = with_seq(self.incoming, self.seq), None
        self.unacked = self.seq
        self._wake.set()

    def send_json(self, text: str, replaces: str = "") -> None:
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

    def ack(self, seq: int) -> None:
        # After a switch of channel, the page may still acknowledge a frame of the old one.
        if self.unacked is not None or seq > self.seq:
            super().ack(seq)
        self._pass_on()

    def frame_due(self, now: float) -> bool:
        return False  # its frames are the published ones, passed on as they come

    def next_due(self, now: float) -> float | None:
        return None

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
