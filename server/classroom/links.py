"""A room connection of this process, wherever its room lives.

Its outlet is always here: it listens to the room's channels (through the broker, which with
Redis reaches every process) and passes the shown channel's frames on. Its seat is at the room's
home: a `LocalSeat` when that is this process, else a `RemoteSeat` there that answers through the
cluster, which hands its words to `told`. When the home changes (it died and another process
adopted the room), the link sits down again at the new one; the outlet never stopped listening.
"""

from __future__ import annotations

import itertools
import logging

from server.classroom.fanout import FollowerOutlet
from server.classroom.model import listened
from server.classroom.seats import LocalSeat
from server.core.context import Context

log = logging.getLogger(__name__)
_ids = itertools.count(1)


class RoomLink:
    """One connection to room `code`, as `member` (a student's id) or its instructor (None)."""

    def __init__(self, classroom, code: str, member: str | None) -> None:
        self.classroom = classroom
        self.cluster = classroom.cluster
        self.code, self.member = code, member
        self.outlet = FollowerOutlet(classroom.settings, classroom.broker)
        self.outlet.listen(listened(code, member))
        self.conn = f"{self.cluster.id if self.cluster else 'local'}:{next(_ids)}"
        self.home: str | None = None  # the home's process id while the room lives elsewhere
        self.seat: LocalSeat | None = None
        self.context: Context | None = None  # while seated here

    @property
    def local(self) -> bool:
        return self.seat is not None

    async def open(self) -> None:
        """Sit down at the room's home (here, or through the cluster)."""
        room = self.classroom.registry.rooms.get(self.code)
        if room is not None:
            self._seat_here(room)
            return
        self.home = await self.cluster.homes.home_of(self.code)
        if self.home == self.cluster.id:  # adopted just now
            self._seat_here(self.classroom.registry.rooms[self.code])
            return
        self.cluster.links[self.conn] = self
        await self._attach()

    def _seat_here(self, room) -> None:
        member = None if self.member is None else room.members.get(self.member)
        self.seat = LocalSeat(self.outlet)
        self.context = self.classroom.attach(room, member, self.seat)
        self.home = None
        if self.cluster is not None:
            self.cluster.links.pop(self.conn, None)

    async def _attach(self) -> None:
        args = {"conn": self.conn, "member": self.member}
        await self.cluster.ask(self.home, self.code, "attach", args)

    async def deliver(self, text: str) -> None:
        """A message of the page for the room (acks stay with the outlet)."""
        if self.seat is not None:
            await self.classroom.handle(self.context, text)
            return
        message = {"kind": "call", "id": "", "from": self.cluster.id, "op": "message"}
        args = {"conn": self.conn, "text": text}
        self.cluster.tell(self.home, {**message, "code": self.code, "args": args})

    async def close(self) -> None:
        self.outlet.stop()
        if self.seat is not None:
            extras = self.context.extras
            await self.classroom.detach(extras["room"], extras["member"], self.seat)
            return
        self.cluster.links.pop(self.conn, None)
        message = {"kind": "call", "id": "", "from": self.cluster.id, "op": "detach"}
        self.cluster.tell(self.home, {**message, "code": self.code, "args": {"conn": self.conn}})

    # The home's words, through the cluster.

    def told(self, message: dict) -> None:
        do = message.get("do")
        if do == "send":
            self.outlet.send(message["message"], replaces=message.get("replaces", ""))
        elif do == "show":
            self.outlet.follow(message["channel"])
        elif do == "farewell":
            self.outlet.farewell(message["reason"])

    async def rehome(self, home: str) -> None:
        """The room has a new home: sit down there (or here, if it is this process now)."""
        if home == self.cluster.id:
            self._seat_here(self.classroom.registry.rooms[self.code])
            return
        self.home = home
        try:
            await self._attach()
        except Exception as exc:  # the page reconnects and greets again
            log.warning("could not sit down at room %s's new home: %s", self.code, exc)
            self.lost()

    def lost(self) -> None:
        """The room is gone for good (no home and nothing to rebuild it from)."""
        self.cluster.links.pop(self.conn, None)
        reason = "the room's server stopped"
        self.outlet.send({"type": "closed", "reason": reason})
        self.outlet.farewell(reason)
