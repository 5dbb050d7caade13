"""One client's side of a session: its outbox, frame pacing (fps, acks) and focus. No I/O.

The WebSocket route drains the outbox with `next_outgoing`; the scheduler fills the frame slot.
"""

from __future__ import annotations

import asyncio
import json
from collections import deque
from typing import Protocol

from server.core.config import client_limits
from server.core.protocol import PROTOCOL_VERSION, ProtocolError
from server.core.session import Session
from server.core.snapshot import Snapshot
from server.settings import Settings

MAX_PENDING_ERRORS = 8
MAX_PENDING_MESSAGES = 32


def frame_of(
    session: Session, snap: Snapshot, seq: int, focus: int | None, cursor: int
) -> tuple[bytes, int]:
    """The frame of `snap` with the loss points after history `cursor`, and the new cursor."""
    settings = session.settings
    history, cursor = session.history.since(cursor, settings.max_history_per_frame)
    sizes = (settings.grid_size, settings.thumb_size)
    frame = snap.frame(
        seq=seq, focus=focus, history=history, sizes=sizes, pack=settings.pack_frames
    )
    return frame, cursor


class Outlet(Protocol):
    """What the scheduler builds frames through: one client (`ClientOutlet`), or a room's
    fan-out (server.classroom.fanout): either draws the frames of its `session`."""

    session: Session

    def frame_due(self, now: float) -> bool: ...

    def next_due(self, now: float) -> float | None: ...

    def make_frame(self, now: float) -> int: ...


class ClientOutlet:
    """Frames for one client: at most one unacknowledged, at most `fps` per second, newest wins.

    JSON messages wait in a small outbox: a newer `state` or `data` replaces an unsent one, errors
    beyond a few are dropped, so a client that stops reading never grows the server's memory.
    """

    def __init__(self, session: Session, settings: Settings) -> None:
        self.session = session
        self.settings = settings
        self.fps = settings.default_fps
        self.focus: int | None = None
        self.seq = 0
        self.unacked: int | None = None
        self.last_frame_at = float("-inf")
        self.next_frame_at = float("-inf")  # the frame clock: 1/fps apart on average
        self.cursor = -1
        self.cursor_before = -1  # where the unsent frame's loss points began
        self.urgent = True  # the first frame goes out at once
        self.frame_version = -1
        self.state_version = -1
        self.data_version = -1
        self.frame: bytes | None = None
        self.outbox: deque[tuple[str, str]] = deque()
        self.errors_dropped = 0
        self.close_reason: str | None = None
        self._wake = asyncio.Event()

    # JSON side.

    def send(self, message: dict, replaces: str = "") -> None:
        """Queue a JSON message; one with a `replaces` key overwrites an unsent one with it."""
        text = json.dumps(message, allow_nan=False, separators=(",", ":"))
        if replaces:
            for i, (key, _) in enumerate(self.outbox):
                if key == replaces:
                    self.outbox[i] = (replaces, text)
                    self._wake.set()
                    return
        elif message.get("type") == "error":
            if sum(key == "error" for key, _ in self.outbox) >= MAX_PENDING_ERRORS:
                self.errors_dropped += 1
                return
            replaces = "error"
        if len(self.outbox) >= MAX_PENDING_MESSAGES:
            # The client asks for answers but does not read them: it gets closed.
            self.close(f"more than {MAX_PENDING_MESSAGES} unread messages")
            return
        self.outbox.append((replaces, text))
        self._wake.set()

    def state_message(self) -> dict:
        return {
            "type": "state",
            "protocol": PROTOCOL_VERSION,
            **self.session.snapshot.state(),
            "fps": self.fps,
            "focus": self.focus,
            "limits": client_limits(self.settings),
        }

    def sync(self, force_state: bool = False) -> None:
        """Queue `state` and `data` if the session changed since this client last heard."""
        snap = self.session.snapshot
        if force_state or snap.state_version != self.state_version:
            self.state_version = snap.state_version
            self.send(self.state_message(), replaces="state")
        if snap.data_version != self.data_version:
            self.data_version = snap.data_version
            self.send(snap.data(), replaces="data")

    def want_frame(self) -> None:
        """The client should see the session's newest state soon, not only at the next fps tick."""
        self.urgent = True
        if self.frame is not None:
            # The unsent frame is out of date: drop it and rebuild, reusing its number.
            self.frame = None
            self.seq -= 1
            self.unacked = None
            self.cursor = self.cursor_before

    def ack(self, seq: int) -> None:
        if seq != self.unacked:
            allowed = "none (no frame is waiting)" if self.unacked is None else str(self.unacked)
            raise ProtocolError("seq", seq, f"the last frame's seq: {allowed}", request="ack")
        self.unacked = None

    # Frame side, driven by the scheduler.

    def frame_due(self, now: float) -> bool:
        snap = self.session.snapshot
        return (
            self.unacked is None
            and self.close_reason is None
            and not snap.steps_left
            and (self.urgent or snap.version != self.frame_version)
            and (self.urgent or now >= self.next_frame_at)
        )

    def next_due(self, now: float) -> float | None:
        """When a frame might next be due, if nothing else happens (None: only after a message)."""
        if self.unacked is not None or self.session.snapshot.version == self.frame_version:
            return None
        return self.next_frame_at

    def make_frame(self, now: float) -> int:
        """Build the frame now and put it in the slot; returns its size in bytes."""
        self.sync()
        self.seq += 1
        self.cursor_before = self.cursor
        snap = self.session.snapshot
        self.frame, self.cursor = frame_of(self.session, snap, self.seq, self.focus, self.cursor)
        self.frame_version = snap.version
        self.unacked = self.seq
        self.last_frame_at = now
        # Frames come when the scheduler gets round to them, a little late: the clock keeps the
        # average at `fps` by letting the next one come early by that much (never closer than
        # half an interval).
        interval = 1.0 / self.fps
        self.next_frame_at = max(self.next_frame_at + interval, now + interval / 2)
        self.urgent = False
        self._wake.set()
        return len(self.frame)

    # Drained by the WebSocket route.

    def close(self, reason: str) -> None:
        self.close_reason = reason
        self._wake.set()

    def _closing(self) -> bool:
        """Whether the socket should close now, checked before each send (subclasses add cases)."""
        return self.close_reason is not None

    async def next_outgoing(self) -> str | bytes | None:
        """The next thing to send: JSON text first, then the frame; None means close."""
        while True:
            if self._closing():
                return None
            if self.outbox:
                return self.outbox.popleft()[1]
            if self.frame is not None:
                frame, self.frame = self.frame, None
                return frame
            self._wake.clear()
            await self._wake.wait()
