"""What can be asked of a room by code, wherever it lives: join it, greet a connection, its status,
results, close it, remove a student. (A connection's seat there, its attach, messages and detach,
are the cluster's own calls: server/classroom/cluster.py, SEAT_OPS.)

Each operation runs in the room's home process. A request that arrives at another process is
carried there through Redis (server/classroom/cluster.py) and its answer, or refusal, carried
back; in a single process it is a plain call. Arguments and answers are plain JSON values.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from server.classroom import actions
from server.classroom.hub import Hub
from server.classroom.model import Room
from server.classroom.results import as_csv, as_json
from server.classroom.rules import RoomError, clean_name, not_open

Op = Callable[..., Awaitable[dict]]
NO_ROOM = "the instructor token of an open room"


def _room(hub: Hub, code: str) -> Room:
    room = hub.registry.rooms.get(code)
    if room is None or room.closed:
        raise not_open(code)
    return room


def _instructor_room(hub: Hub, code: str, token: object) -> Room:
    room = hub.registry.rooms.get(code)
    if room is None or room.closed or not room.is_instructor(token):
        # One answer for a wrong code and a wrong token: nothing to probe codes with.
        raise RoomError("x-room-token", None, NO_ROOM, 403)
    return room


async def join(hub: Hub, code: str, name: object, address: str) -> dict:
    room = _room(hub, code)
    name = clean_name(name, hub.settings.max_name_length)
    hub.registry.admit_join(room, address)
    member, token = room.add_member(name, hub.settings.max_room_members)
    hub.room_changed(room)
    # The name may have a suffix: "Ana (2)" when an Ana is already in the room.
    return {"code": room.code, "member": member.id, "memberToken": token, "name": member.name}


async def greet(hub: Hub, code: str, hello: dict, address: str) -> dict:
    """Check a `hello` for this room: who the connection is (the member's id, or none for the
    instructor)."""
    room, member = hub.greet({**hello, "code": code}, address)
    return {"code": room.code, "member": None if member is None else member.id}


async def status(hub: Hub, code: str, token: object) -> dict:
    return hub.status(_instructor_room(hub, code, token))


async def close(hub: Hub, code: str, token: object) -> dict:
    room = _instructor_room(hub, code, token)
    hub.close_room(room, "closed by the instructor")
    return {"code": room.code, "closed": True}


async def remove(hub: Hub, code: str, token: object, member: str) -> dict:
    room = _instructor_room(hub, code, token)
    found = room.members.get(member)
    if found is None:
        raise RoomError("member", member, "the id of a student in this room (gallery)", 404)
    actions.remove_member(hub, room, found)
    return {"code": room.code, "member": member, "removed": True}


async def results(hub: Hub, code: str, token: object, form: str) -> dict:
    room = _instructor_room(hub, code, token)
    if form == "csv":
        return {"csv": as_csv(room), "code": room.code}
    return as_json(room)


OPS: dict[str, Op] = {
    "join": join,
    "greet": greet,
    "status": status,
    "close": close,
    "remove": remove,
    "results": results,
}
