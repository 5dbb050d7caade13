"""What students (fork, follow) and instructors (push, lock, spotlight, close) do in a room."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from server.classroom.fanout import FanOutlet
from server.classroom.gallery import publish_leaderboard
from server.classroom.model import Member, Room, parameters, session_from, snapshot, to_json
from server.classroom.rules import RoomError, clean_constraints, clean_locks
from server.core.protocol import ProtocolError, error_message
from server.core.session import Session
from server.playground.handlers import Context

if TYPE_CHECKING:
    from server.classroom.service import Classroom


# Student actions.


def fork(hub: Classroom, room: Room, member: Member, ctx: Context) -> None:
    if member.session is None:
        hub.check_capacity(1)
    parts = parameters(room.session)
    hub.spawn(_fork(hub, room, member, ctx, parts))


async def _fork(hub: Classroom, room: Room, member: Member, ctx: Context, parts: dict) -> None:
    session = await asyncio.to_thread(session_from, parts, hub.settings)
    if not room.closed:
        give_session(hub, room, member, session)
        ctx.reply({"type": "forked", **snapshot(session)})


def follow(hub: Classroom, room: Room, member: Member, ctx: Context) -> None:
    member.following = True
    ctx.outlet.follow(room.channel, hub.broker)
    ctx.session = None


def give_session(hub: Classroom, room: Room, member: Member, session: Session) -> None:
    if member.session is not None:
        hub.scheduler.remove_session(member.session)
    member.session = session
    member.following = False
    member.tile = None
    hub.scheduler.add_session(session)
    if room.spotlight == member.id and room.spot_fan is not None:
        start_spotlight(hub, room, member)
    outlet = member.outlet
    if outlet is not None:
        outlet.context.session = session
        outlet.own(session)
        outlet.sync(force_state=True)
        hub.scheduler.wake()


# Instructor actions (the token was checked).


def push(hub: Classroom, room: Room, message: dict, ctx: Context) -> None:
    """Everyone gets the instructor's setup (config and weights), or a challenge."""
    raw = message.get("challenge")
    settings = hub.settings
    hub.check_capacity(sum(m.session is None for m in room.members.values()))
    if raw is None:
        parts = parameters(room.session)
        make = lambda: session_from(parts, settings)  # noqa: E731
        challenge = None
    else:
        if not isinstance(raw, dict):
            raise RoomError("challenge", raw, "an object with config, constraints")
        changes = raw.get("config") or {}
        if not isinstance(changes, dict):
            raise RoomError("challenge.config", changes, "a partial playground config")
        constraints = clean_constraints(raw.get("constraints"), settings)
        config = {**room.session.run.config, **changes}
        make = lambda: Session(settings, config)  # noqa: E731
        challenge = {"config": config, "constraints": constraints}
        challenge["leaderboard"] = raw.get("leaderboard", True) is not False
    room.pushes += 1
    hub.spawn(_push(hub, room, ctx, make, challenge, room.pushes))


async def _push(hub: Classroom, room: Room, ctx: Context, make, challenge, push: int) -> None:
    try:
        first = await asyncio.to_thread(make)  # the engine checks the config here
    except ProtocolError as exc:
        exc.request = "push"
        ctx.reply(error_message(exc))
        return
    if room.closed or push != room.pushes:
        return
    room.challenge = challenge
    if challenge is not None:
        room.share_leaderboard = challenge["leaderboard"]
        for member in room.members.values():
            member.best_loss = None
    kind = "setup" if challenge is None else "challenge"
    # Pages learn what is coming first, then get their new session's state.
    pushed = {"type": "pushed", "kind": kind, "challenge": challenge}
    hub.broker.publish_event(room.channel, to_json(pushed))
    publish_leaderboard(hub, room)
    hub.send_room_info(room)
    for i, member in enumerate(list(room.members.values())):
        session = first if i == 0 else await asyncio.to_thread(make)
        if room.closed or push != room.pushes:
            return
        give_session(hub, room, member, session)


def lock(hub: Classroom, room: Room, message: dict, ctx: Context) -> None:
    room.locks = clean_locks(message.get("controls"))
    hub.publish_locks(room)
    hub.send_room_info(room)


def spotlight(hub: Classroom, room: Room, message: dict, ctx: Context) -> None:
    target = message.get("member")
    if target is None:
        end_spotlight(hub, room)
    else:
        member = room.members.get(target) if isinstance(target, str) else None
        if member is None:
            raise RoomError("member", target, "the id of a student in this room (gallery)")
        if member.session is None:
            raise RoomError("member", target, "a student with their own session (forked)")
        start_spotlight(hub, room, member)
    hub.send_room_info(room)


def start_spotlight(hub: Classroom, room: Room, member: Member) -> None:
    end_spotlight(hub, room)
    room.spotlight = member.id
    channel = f"{room.channel}:spot"
    room.spot_fan = FanOutlet(member.session, hub.settings, hub.broker, channel)
    hub.scheduler.add_outlet(room.spot_fan)
    for outlet in room.instructors:
        outlet.follow(room.spot_fan.channel, hub.broker)
    hub.tell_member(room, member, {"type": "spotlight", "on": True})


def end_spotlight(hub: Classroom, room: Room) -> None:
    if room.spot_fan is None:
        return
    hub.scheduler.remove_outlet(room.spot_fan)
    hub.broker.forget(room.spot_fan.channel)
    room.spot_fan = None
    member = room.members.get(room.spotlight)
    room.spotlight = None
    for outlet in room.instructors:
        outlet.follow(room.channel, hub.broker)
    if member is not None:
        hub.tell_member(room, member, {"type": "spotlight", "on": False})


def close(hub: Classroom, room: Room, message: dict, ctx: Context) -> None:
    hub.close_room(room, "closed by the instructor")


STUDENT_ACTIONS = {"fork": fork, "follow": follow}
INSTRUCTOR_ACTIONS = {"push": push, "lock": lock, "spotlight": spotlight, "close": close}
