"""The rooms of one server process: their sessions, fan-out and connections; each connection's
messages are handled by server.classroom.messages."""

from __future__ import annotations

import asyncio
import logging

from fastapi import FastAPI

from server.classroom import actions as room_actions
from server.classroom import gallery as room_gallery
from server.classroom import messages as room_messages
from server.classroom.broker import MemoryBroker
from server.classroom.fanout import FanOutlet
from server.classroom.messages import check_hello
from server.classroom.model import Member, Room, to_json
from server.classroom.ops import OPS
from server.classroom.registry import RoomRegistry
from server.classroom.rules import RoomError
from server.classroom.seats import Seat
from server.core.context import Context
from server.core.scheduler import Scheduler
from server.core.session import Session
from server.settings import Settings

log = logging.getLogger(__name__)


def classroom_of(app: FastAPI) -> Classroom:
    """The app's one Classroom, made on first use (it needs the app's scheduler)."""
    state = app.state
    if getattr(state, "classroom", None) is None:
        cluster = getattr(state, "cluster", None)
        state.classroom = Classroom(state.settings, state.scheduler, cluster)
        if cluster is not None:
            cluster.serve(state.classroom)
    return state.classroom


class Classroom:
    """Every room of one server process, wired to the shared scheduler and a broker."""

    def __init__(self, settings: Settings, scheduler: Scheduler, cluster=None) -> None:
        self.settings = settings
        self.scheduler = scheduler
        self.cluster = cluster  # rooms of other processes, through Redis (None: one process)
        self.broker = MemoryBroker() if cluster is None else cluster.broker
        self.registry = RoomRegistry(settings)
        self._task: asyncio.Task | None = None
        self._jobs: set[asyncio.Task] = set()  # forks and pushes building sessions

    # Rooms.

    async def create_room(self, address: str) -> tuple[Room, str]:
        """A room homed in this process, and its instructor's token."""
        self.registry.admit(address)
        # Building the data set takes milliseconds of pure Python: off the event loop.
        session = await Session.create(self.settings, self.scheduler.offload)
        room, token = self.registry.create(session, address)
        self.install(room)
        if self.cluster is not None:  # every process can find it once this is answered
            await self.cluster.homes.written(room)
        return room, token

    def install(self, room: Room) -> None:
        """Make a room of the registry live here: its session trains and is published."""
        room.fan = FanOutlet(room.session, self.settings, self.broker, room.channel, "room")
        self.scheduler.add_session(room.session)
        self.scheduler.add_outlet(room.fan)
        self.publish_locks(room)
        if self._task is None or self._task.done():
            loop = asyncio.get_running_loop()
            self._task = loop.create_task(room_gallery.housekeeping(self))
        self.room_changed(room)

    async def at_home(self, code: str, op: str, **args: object) -> dict:
        """Run a room operation (ops.py) where the room lives: here, or in its home process."""
        if code in self.registry.rooms or self.cluster is None:
            return await OPS[op](self, code, **args)
        return await self.cluster.call(code, op, args)

    def room_changed(self, room: Room) -> None:
        """Something every process must be able to rebuild the room from has changed."""
        if self.cluster is not None:
            self.cluster.room_changed(room)

    def close_room(self, room: Room, reason: str) -> None:
        if self.cluster is not None:  # nobody may adopt it now
            self.spawn(self.cluster.homes.closed(room.code))
        closed = to_json({"type": "closed", "reason": reason})
        for channel in (room.channel, f"{room.channel}:teach"):
            self.broker.publish_event(channel, closed)
        self.stop_here(room, reason)
        for suffix in ("", ":teach", ":spot"):
            self.broker.forget(room.channel + suffix)

    def stop_here(self, room: Room, reason: str) -> None:
        """The room no longer lives in this process: closed, or adopted by another process while
        this one could not reach Redis. Its connections here are told why and close (a page
        reconnects and finds the room's new home)."""
        self.registry.remove(room.code)
        for seat in room.seats():
            seat.farewell(reason)
        self.scheduler.remove_outlet(room.fan)
        room_actions.end_spotlight(self, room)
        self.scheduler.remove_session(room.session)
        for member in room.members.values():
            room_actions.hide_own(self, member)
            if member.session is not None:
                self.scheduler.remove_session(member.session)

    def status(self, room: Room) -> dict:
        return {
            "code": room.code,
            "members": len(room.members),
            "connected": sum(m.seat is not None for m in room.members.values()),
            "followers": self.broker.subscriber_count(room.channel),
            "epoch": room.session.snapshot.epoch,
            "epochsTrained": room.session.epochs_trained,
            "framesEncoded": room.fan.frames_encoded,
            "locks": sorted(room.locks),
            "challenge": room.challenge,
            "spotlight": room.spotlight,
        }

    # Connections.

    def greet(self, message: dict, address: str) -> tuple[Room, Member | None]:
        """Check a `hello`: the instructor's token, or a student's member token."""
        role = check_hello(message)
        room = self.registry.find(message.get("code"), address, message)
        if role == "instructor":
            if not room.is_instructor(message.get("token")):
                self.registry.limiter.fail(address)
                raise RoomError("token", None, "the room's instructor token", 403)
            return room, None
        member = room.member_by_token(message.get("member"))
        if member is None:
            self.registry.limiter.fail(address)
            raise RoomError("member", None, "the token /classroom/api/join gave", 403)
        return room, member

    def attach(self, room: Room, member: Member | None, seat: Seat) -> Context:
        """Seat a greeted connection in its room; returns the context its messages run in."""
        room.touch()
        ctx = Context(room.session if member is None else None, seat, self.scheduler, self.settings)
        ctx.extras.update(room=room, member=member)
        seat.context = ctx
        if member is None:
            room.instructors.add(seat)
            seat.show(f"{room.channel}:spot" if room.spot_fan is not None else room.channel)
            seat.send(self.room_info(room, None))
            return ctx
        if member.seat is not None:
            # The older tab stops, and says why, rather than reconnecting to take over again.
            reason = "this student joined again from another tab"
            member.seat.send({"type": "closed", "reason": reason})
            member.seat.farewell(reason)
        member.seat = seat
        self.send_roster(room)
        if member.session is None or member.following:
            seat.show(room.channel)
        else:
            room_actions.show_own(self, room, member)
        seat.send(self.room_info(room, member))
        return ctx

    async def detach(self, room: Room, member: Member | None, seat: Seat) -> None:
        if member is None:
            room.instructors.discard(seat)
        elif member.seat is seat:
            member.seat = None
            room_actions.hide_own(self, member)
            self.send_roster(room)
            if member.session is not None and member.session.snapshot.busy:
                # Nobody watches it: it stops training, and stays in the gallery as it was.
                await member.session.set_playing(False)

    def room_info(self, room: Room, member: Member | None) -> dict:
        info = {"type": "room", "code": room.code, "locks": sorted(room.locks)}
        info["challenge"] = room.challenge
        if member is None:
            connected = sum(m.seat is not None for m in room.members.values())
            info.update(role="instructor", members=len(room.members), connected=connected)
            info["joinsLocked"] = room.joins_locked
            spot = room.members.get(room.spotlight) if room.spotlight else None
            info["spotlight"] = {"id": spot.id, "name": spot.name} if spot else None
        else:
            info.update(role="student", member=member.id, name=member.name)
            info["mode"] = "follow" if member.session is None or member.following else "own"
            # A session of one's own, kept while following: the page offers to go back to it.
            own = member.session
            info["own"] = {"epoch": own.snapshot.epoch} if own is not None else None
        return info

    def send_roster(self, room: Room) -> None:
        """Instructors hear how many students are in the room and how many are connected now."""
        for seat in room.instructors:
            seat.send(self.room_info(room, None), replaces="room")

    def send_room_info(self, room: Room) -> None:
        self.send_roster(room)
        for member in room.members.values():
            if member.seat is not None:
                member.seat.send(self.room_info(room, member), replaces="room")

    def publish_locks(self, room: Room) -> None:
        locks = to_json({"type": "locks", "controls": sorted(room.locks)})
        self.broker.publish_event(room.channel, locks, retain="locks")

    def tell_member(self, room: Room, member: Member, message: dict) -> None:
        self.broker.publish_event(f"{room.channel}:member:{member.id}", to_json(message))

    # Messages.

    async def handle(self, ctx: Context, text: str) -> None:
        """One message from a room connection (server.classroom.messages); a refusal becomes an
        `error` reply."""
        await room_messages.handle(self, ctx, text)

    # Background jobs: forks and pushes build sessions off the event loop.

    def check_capacity(self, wanted: int) -> None:
        """Students' own sessions count against `max_sessions`, like the playground's."""
        most = self.settings.max_sessions
        held = sum(
            m.session is not None for r in self.registry.rooms.values() for m in r.members.values()
        )
        if held + wanted > most:
            message = "The server is full: try again in a minute."
            allowed = f"at most {most} on this server"
            raise RoomError("sessions", held + wanted, allowed, 503, message)

    def spawn(self, job) -> None:
        task = asyncio.get_running_loop().create_task(job)
        self._jobs.add(task)
        task.add_done_callback(self._job_done)

    def _job_done(self, task: asyncio.Task) -> None:
        self._jobs.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("a classroom job failed", exc_info=task.exception())
