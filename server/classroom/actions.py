"""What students (fork, follow) and instructors (push, lock, spotlight, close, remove,
lock_joins) do in a room."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable

from server.classroom.fanout import FanOutlet
from server.classroom.gallery import publish_leaderboard
from server.classroom.goals import clean_goal
from server.classroom.hub import Hub
from server.classroom.model import Member, Room, to_json
from server.classroom.rules import RoomError, clean_constraints, clean_locks
from server.core.context import Context, refusal
from server.core.session import Session

MakeSession = Callable[[], Awaitable[Session]]

# Student actions.


async def fork(hub: Hub, room: Room, member: Member, ctx: Context) -> None:
    # A fork builds a whole session: one at a time, and a few a minute, per student.
    if member.forking:
        allowed = "one fork at a time: the last one is still being built"
        message = "Your copy is still being made: one moment."
        raise RoomError("fork", "fork", allowed, 429, message)
    now = time.monotonic()
    bucket = hub.registry.forks.bucket(f"{room.code}/{member.id}", now)
    if not bucket.ready(now):
        most = hub.settings.forks_per_minute
        wait = f"try again in {bucket.wait_s():.0f} s"
        allowed = f"at most {most} forks a minute; {wait}"
        message = f"At most {most} new copies a minute: {wait}."
        raise RoomError("fork", "fork", allowed, 429, message)
    if member.session is None:
        hub.check_capacity(1)
    parts = room.session.snapshot.parts()
    bucket.take(now)
    member.forking = True
    hub.spawn(_fork(hub, room, member, ctx, parts))


async def _fork(hub: Hub, room: Room, member: Member, ctx: Context, parts: dict) -> None:
    try:
        session = await Session.from_parts(hub.settings, hub.scheduler.offload, parts)
    finally:
        member.forking = False
    if not room.closed:
        give_session(hub, room, member, session)
        ctx.reply({"type": "forked", **session.snapshot.restore_fields()})


async def follow(hub: Hub, room: Room, member: Member, ctx: Context) -> None:
    member.following = True
    hide_own(hub, member)
    ctx.outlet.show(room.channel)
    ctx.session = None


async def resume(hub: Hub, room: Room, member: Member, ctx: Context) -> None:
    """Back to one's own session after following: the work as it was, not a new copy."""
    if member.session is None:
        message = "You have no network of your own yet: work on your own copy first."
        allowed = "a network of your own: work on your own copy first"
        raise RoomError("resume", "resume", allowed, message=message)
    member.following = False
    show_own(hub, room, member)


def show_own(hub: Hub, room: Room, member: Member) -> None:
    """The student's page shows (and drives) their own session, published on its own channel."""
    seat = member.seat
    if seat is None or member.session is None:
        return
    if member.fan is None or member.fan.session is not member.session:
        hide_own(hub, member)
        channel = room.own_channel(member)
        member.fan = FanOutlet(member.session, hub.settings, hub.broker, channel, "own")
        hub.scheduler.add_outlet(member.fan)
    seat.context.session = member.session
    seat.show(member.fan.channel)
    hub.scheduler.wake()


def hide_own(hub: Hub, member: Member) -> None:
    """Nobody shows the student's own session: its fan-out stops (it restarts on `show_own`)."""
    if member.fan is not None:
        hub.scheduler.remove_outlet(member.fan)
        hub.broker.forget(member.fan.channel)
        member.fan = None


async def take_challenge(hub: Hub, room: Room, member: Member, ctx: Context) -> None:
    """A fresh session of the challenge that runs, for a student who joined after its push."""
    if room.challenge is None:
        message = "There is no challenge to take: the instructor has not set one."
        allowed = "a challenge the instructor pushed"
        raise RoomError("take_challenge", "take_challenge", allowed, message=message)
    if member.session is None:
        hub.check_capacity(1)
    config, push = room.challenge["config"], room.pushes
    hub.spawn(_take_challenge(hub, room, member, ctx, config, push))


async def _take_challenge(hub: Hub, room: Room, member: Member, ctx, config, push: int) -> None:
    try:
        session = await Session.create(hub.settings, hub.scheduler.offload, config)
    except Exception as exc:
        ctx.reply(refusal(exc, "take_challenge"))
        return
    if not room.closed and push == room.pushes:  # not a challenge pushed since
        give_session(hub, room, member, session)


def give_session(hub: Hub, room: Room, member: Member, session: Session) -> None:
    if member.session is not None:
        hub.scheduler.remove_session(member.session)
    member.session = session
    member.following = False
    member.tile = None
    hub.scheduler.add_session(session)
    if room.spotlight == member.id and room.spot_fan is not None:
        start_spotlight(hub, room, member)
    show_own(hub, room, member)


# Instructor actions (the token was checked).


async def push(hub: Hub, room: Room, message: dict, ctx: Context) -> None:
    """Everyone gets the instructor's setup (config and weights), or a challenge."""
    raw = message.get("challenge")
    settings, offload = hub.settings, hub.scheduler.offload
    hub.check_capacity(sum(m.session is None for m in room.members.values()))
    if raw is None:
        parts = room.session.snapshot.parts()
        make: MakeSession = lambda: Session.from_parts(settings, offload, parts)  # noqa: E731
        challenge = None
    else:
        if not isinstance(raw, dict):
            raise RoomError("challenge", raw, "an object with config, constraints")
        changes = raw.get("config") or {}
        if not isinstance(changes, dict):
            raise RoomError("challenge.config", changes, "a partial playground config")
        constraints = clean_constraints(raw.get("constraints"), settings)
        config = {**room.session.snapshot.config, **changes}
        make = lambda: Session.create(settings, offload, config)  # noqa: E731
        challenge = {
            "config": config,
            "constraints": constraints,
            "goal": clean_goal(raw.get("goal")),
        }
        challenge["leaderboard"] = raw.get("leaderboard", True) is not False
    room.pushes += 1
    hub.spawn(_push(hub, room, ctx, make, challenge, room.pushes))


async def _push(hub: Hub, room: Room, ctx: Context, make: MakeSession, challenge, push: int):
    try:
        first = await make()  # the engine checks the config here
    except Exception as exc:
        ctx.reply(refusal(exc, "push"))
        return
    if room.closed or push != room.pushes:
        return
    room.challenge = challenge
    hub.room_changed(room)
    if challenge is not None:
        room.share_leaderboard = challenge["leaderboard"]
        room.challenge_started = time.monotonic()
        for member in room.members.values():
            member.best = None
    kind = "setup" if challenge is None else "challenge"
    # Pages learn what is coming first, then get their new session's state.
    pushed = {"type": "pushed", "kind": kind, "challenge": challenge}
    hub.broker.publish_event(room.channel, to_json(pushed))
    publish_leaderboard(hub, room)
    hub.send_room_info(room)
    for i, member in enumerate(list(room.members.values())):
        session = first if i == 0 else await make()
        if room.closed or push != room.pushes:
            return
        give_session(hub, room, member, session)
    hub.send_room_info(room)  # each student's mode is now their own session


async def lock(hub: Hub, room: Room, message: dict, ctx: Context) -> None:
    room.locks = clean_locks(message.get("controls"))
    hub.publish_locks(room)
    hub.send_room_info(room)
    hub.room_changed(room)


async def spotlight(hub: Hub, room: Room, message: dict, ctx: Context) -> None:
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


def start_spotlight(hub: Hub, room: Room, member: Member) -> None:
    end_spotlight(hub, room)
    room.spotlight = member.id
    channel = f"{room.channel}:spot"
    room.spot_fan = FanOutlet(member.session, hub.settings, hub.broker, channel, "spotlight")
    hub.scheduler.add_outlet(room.spot_fan)
    for seat in room.instructors:
        seat.show(room.spot_fan.channel)
    hub.tell_member(room, member, {"type": "spotlight", "on": True})


def end_spotlight(hub: Hub, room: Room) -> None:
    if room.spot_fan is None:
        return
    hub.scheduler.remove_outlet(room.spot_fan)
    hub.broker.forget(room.spot_fan.channel)
    room.spot_fan = None
    member = room.members.get(room.spotlight)
    room.spotlight = None
    for seat in room.instructors:
        seat.show(room.channel)
    if member is not None:
        hub.tell_member(room, member, {"type": "spotlight", "on": False})


async def close(hub: Hub, room: Room, message: dict, ctx: Context) -> None:
    hub.close_room(room, "closed by the instructor")


async def remove(hub: Hub, room: Room, message: dict, ctx: Context) -> None:
    """A student leaves the room for good: their page is told and their token stops working."""
    target = message.get("member")
    member = room.members.get(target) if isinstance(target, str) else None
    if member is None:
        raise RoomError("member", target, "the id of a student in this room (gallery)")
    remove_member(hub, room, member)


def remove_member(hub: Hub, room: Room, member: Member) -> None:
    del room.members[member.id]
    if room.spotlight == member.id:
        end_spotlight(hub, room)
    hide_own(hub, member)
    if member.session is not None:
        hub.scheduler.remove_session(member.session)
    if member.seat is not None:
        reason = "removed from the room by the instructor"
        member.seat.send({"type": "closed", "reason": reason})
        member.seat.farewell(reason)
    hub.send_room_info(room)
    hub.room_changed(room)


async def lock_joins(hub: Hub, room: Room, message: dict, ctx: Context) -> None:
    """Close the room to new students (or open it again); those in it stay."""
    locked = message.get("locked")
    if not isinstance(locked, bool):
        raise RoomError("locked", locked, "true (no new students) or false")
    room.joins_locked = locked
    hub.send_room_info(room)
    hub.room_changed(room)


STUDENT_ACTIONS = {
    "fork": fork,
    "follow": follow,
    "resume": resume,
    "take_challenge": take_challenge,
}
INSTRUCTOR_ACTIONS = {
    "push": push,
    "lock": lock,
    "spotlight": spotlight,
    "close": close,
    "remove": remove,
    "lock_joins": lock_joins,
}
