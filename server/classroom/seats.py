"""A room connection as the room's home sees it: a seat.

The room's logic (its sessions, members, actions) runs where the room lives; the connection's
socket, and the outlet that passes it the room's frames, live where the page connected. A seat
is the home's handle on one connection: what it sends the page, which channel's frames the page
shows, and its goodbye. `LocalSeat` drives an outlet in this process; a seat for a connection of
another process sends the same three things through the broker (server/classroom/cluster.py).
A seat also stands in for the outlet in the connection's handler `Context`: the playground's
handlers reply through it.
"""

from __future__ import annotations

from typing import Protocol

from server.classroom.fanout import FollowerOutlet
from server.core.context import Context


class Seat(Protocol):
    context: Context
    fps: int
    focus: int | None

    def send(self, message: dict, replaces: str = "") -> None: ...

    def show(self, channel: str) -> None: ...

    def farewell(self, reason: str) -> None: ...

    def want_frame(self) -> None: ...

    def sync(self, force_state: bool = False) -> None: ...


class LocalSeat:
    """A connection of this process: its outlet, driven directly."""

    def __init__(self, outlet: FollowerOutlet) -> None:
        self.outlet = outlet
        self.context: Context | None = None
        self.fps = outlet.fps
        self.focus: int | None = None

    def send(self, message: dict, replaces: str = "") -> None:
        self.outlet.send(message, replaces=replaces)

    def show(self, channel: str) -> None:
        self.outlet.follow(channel)

    def farewell(self, reason: str) -> None:
        self.outlet.farewell(reason)

    # What handlers ask of an outlet: a shown session's frames and state are published by its
    # fan-out whenever it changes, so there is nothing to ask for here.

    def want_frame(self) -> None:
        pass

    def sync(self, force_state: bool = False) -> None:
        pass
