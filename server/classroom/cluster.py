"""This process among others that share rooms through Redis (`--redis-url`).

A room lives in one process, its home, which trains its sessions and runs its logic exactly as
a lone process does. Any process may hold a connection to it: the connection's outlet follows
the room's channels through the Redis broker, its messages go to the home, and the home answers
through a `RemoteSeat`, whose `send`, `show` and `farewell` come back here for the outlet. Every
process listens on `proc:<its id>` for three kinds of message, as JSON: `call` (a room
operation of ops.py, or a seat's attach, message or detach, run at the home), `answer` (to a
call of ours) and `seat` (a home's word for one of our connections). Where rooms live, and how
each is rebuilt when its home dies, is server/classroom/homes.py.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import logging
import secrets
from typing import Any

from server.classroom.census import Census
from server.classroom.homes import Homes
from server.classroom.model import to_json
from server.classroom.ops import OPS
from server.classroom.redis_broker import RedisBroker, connect
from server.classroom.rules import RoomError, not_open
from server.settings import Settings

log = logging.getLogger(__name__)
CALL_TIMEOUT_S = 5.0
MAX_QUEUED_MESSAGES = 64  # a connection's messages waiting at the home, as a socket's would


class RemoteSeat:
    """At the home: a connection held by another process, spoken to through that process."""

    def __init__(self, cluster: Cluster, proc: str, conn: str, room: Any, member: Any) -> None:
        self.cluster, self.proc, self.conn = cluster, proc, conn
        self.room, self.member = room, member
        self.context: Any = None
        self.fps = cluster.settings.default_fps
        self.focus: int | None = None
        self.queue: asyncio.Queue[str] = asyncio.Queue(MAX_QUEUED_MESSAGES)
        self.task: asyncio.Task | None = None

    def _tell(self, do: str, **fields: object) -> None:
        self.cluster.tell(self.proc, {"kind": "seat", "conn": self.conn, "do": do, **fields})

    def send(self, message: dict, replaces: str = "") -> None:
        self._tell("send", message=message, replaces=replaces)

    def show(self, channel: str) -> None:
        self._tell("show", channel=channel)

    def farewell(self, reason: str) -> None:
        self._tell("farewell", reason=reason)

    def want_frame(self) -> None:
        pass

    def sync(self, force_state: bool = False) -> None:
        pass


class Cluster:
    """Requests to rooms' homes and their answers, and the seats of connections held elsewhere."""

    def __init__(self, settings: Settings, broker: RedisBroker) -> None:
        self.settings = settings
        self.broker = broker
        self.redis = broker.redis
        self.id = secrets.token_hex(6)
        self.channel = f"proc:{self.id}"
        self.homes = Homes(self)
        self.census = Census(self.id)
        self.classroom: Any = None
        self._calls: dict[str, asyncio.Future] = {}
        self._ids = itertools.count(1)
        self.seats: dict[str, RemoteSeat] = {}  # at a home: connections held elsewhere
        self.links: dict[str, Any] = {}  # here: our connections to rooms homed elsewhere
        self._tasks: set[asyncio.Task] = set()

    @classmethod
    async def connect(cls, settings: Settings) -> Cluster:
        broker = RedisBroker(
            await connect(settings.redis_url),
            retain_ttl_s=settings.room_idle_timeout_s,
            max_pending_bytes=int(settings.redis_pending_mb * 2**20),
        )
        await broker.start()
        return cls(settings, broker)

    def serve(self, classroom: Any) -> None:
        """Start listening for calls and keeping rooms alive, for this process's classroom."""
        self.classroom = classroom
        self.broker.subscribe((self.channel,), self._event, lambda channel, frame: None)
        self.homes.start()

    async def stop(self) -> None:
        await self.homes.stop()
        for task in list(self._tasks):
            task.cancel()
        await self.broker.stop()
        await self.redis.aclose()

    def spawn(self, job) -> None:
        task = asyncio.get_running_loop().create_task(job)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    # Calls to a room's home.

    def tell(self, proc: str, message: dict) -> None:
        self.broker.publish_event(f"proc:{proc}", to_json(message))

    async def call(self, code: str, op: str, args: dict) -> dict:
        """Run `op` for room `code` in its home and return its answer (or raise its refusal)."""
        home = await self.homes.home_of(code)
        if home is None:
            raise not_open(code)
        if home == self.id:  # adopted just now: it is ours
            return await OPS[op](self.classroom, code, **args)
        return await self.ask(home, code, op, args)

    async def ask(self, proc: str, code: str, op: str, args: dict) -> dict:
        call_id = f"{self.id}:{next(self._ids)}"
        answer = asyncio.get_running_loop().create_future()
        self._calls[call_id] = answer
        message = {"kind": "call", "id": call_id, "from": self.id, "op": op, "code": code}
        self.tell(proc, {**message, "args": args})
        try:
            reply = await asyncio.wait_for(answer, CALL_TIMEOUT_S)
        except TimeoutError:
            allowed = "a room whose server answers (try again in a moment)"
            message = f"Room {code}'s server does not answer: try again in a moment."
            raise RoomError("code", code, allowed, 503, message) from None
        finally:
            self._calls.pop(call_id, None)
        if "error" in reply:
            error = reply["error"]
            refusal = RoomError(error["field"], error["value"], error["allowed"], reply["status"])
            refusal.message = error.get("message", refusal.message)
            raise refusal
        return reply["answer"]

    def _event(self, channel: str, text: str, retain: str) -> None:
        try:
            message = json.loads(text)
            kind = message["kind"]
        except (ValueError, KeyError, TypeError):
            log.warning("an unreadable message on %s was dropped", channel)
            return
        if kind == "call":
            self.spawn(self._answer(message))
        elif kind == "answer":
            answer = self._calls.get(message.get("id"))
            if answer is not None and not answer.done():
                answer.set_result(message)
        elif kind == "seat":
            link = self.links.get(message.get("conn"))
            if link is not None:
                link.told(message)

    async def _answer(self, call: dict) -> None:
        op, code, args = call["op"], call["code"], call.get("args", {})
        reply: dict = {"kind": "answer", "id": call["id"]}
        try:
            if op in OPS:
                reply["answer"] = await OPS[op](self.classroom, code, **args)
            else:
                reply["answer"] = await SEAT_OPS[op](self, call["from"], code, **args)
        except RoomError as exc:
            reply.update(error=exc.as_dict(op), status=exc.status)
        except Exception:  # a bug costs this answer, not the home
            log.exception("a %r call for room %s failed", op, code)
            error = RoomError("op", op, "a request the room's server can answer", 500)
            reply.update(error=error.as_dict(op), status=500)
        if call.get("id"):
            self.tell(call["from"], reply)

    # Seats at the home for connections of other processes.

    async def attach(self, proc: str, code: str, conn: str, member: str | None) -> dict:
        room = self.classroom.registry.rooms.get(code)
        found = None if room is None or member is None else room.members.get(member)
        if room is None or room.closed or (member is not None and found is None):
            raise not_open(code)
        old = self.seats.pop(conn, None)
        if old is not None:
            await self._detach(old)
        seat = RemoteSeat(self, proc, conn, room, found)
        self.seats[conn] = seat
        self.classroom.attach(room, found, seat)
        seat.task = asyncio.get_running_loop().create_task(self._drain(seat))
        return {}

    async def _drain(self, seat: RemoteSeat) -> None:
        """A remote connection's messages, one at a time, as its socket would hand them over."""
        while True:
            text = await seat.queue.get()
            await self.classroom.handle(seat.context, text)

    async def message(self, proc: str, code: str, conn: str, text: str) -> dict:
        seat = self.seats.get(conn)
        if seat is not None:
            try:
                seat.queue.put_nowait(text)
            except asyncio.QueueFull:
                reason = f"more than {MAX_QUEUED_MESSAGES} messages waiting"
                seat.send({"type": "closed", "reason": reason})
                seat.farewell(reason)
        return {}

    async def detach(self, proc: str, code: str, conn: str) -> dict:
        seat = self.seats.pop(conn, None)
        if seat is not None:
            await self._detach(seat)
        return {}

    async def _detach(self, seat: RemoteSeat) -> None:
        if seat.task is not None:
            seat.task.cancel()
        await self.classroom.detach(seat.room, seat.member, seat)

    async def forget_process(self, proc: str) -> None:
        """A process is gone: its connections leave the rooms homed here."""
        for conn, seat in list(self.seats.items()):
            if seat.proc == proc:
                del self.seats[conn]
                await self._detach(seat)

    # What every process reads and writes about rooms.

    def room_changed(self, room: Any) -> None:
        self.homes.changed(room)


SEAT_OPS = {"attach": Cluster.attach, "message": Cluster.message, "detach": Cluster.detach}
