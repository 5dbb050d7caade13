"""Classroom REST endpoints: create and join rooms, and the instructor's status and close."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from server.classroom import actions as room_actions
from server.classroom.model import Room
from server.classroom.rules import RoomError, clean_name, tokens_match
from server.classroom.service import Classroom, classroom_of
from server.core.errors import RequestError, read_json

router = APIRouter()


def _error(exc: RoomError, request: str) -> JSONResponse:
    return JSONResponse(exc.as_dict(request), status_code=exc.status)


async def _json_body(request: Request) -> dict:
    try:
        body = await read_json(request, request.app.state.settings.max_body_bytes)
    except RequestError as exc:
        raise RoomError(exc.field, exc.value, exc.allowed, exc.status) from None
    if not isinstance(body, dict):
        raise RoomError("body", type(body).__name__, "a JSON object")
    return body


@router.post("/api/rooms")
async def create_room(request: Request) -> JSONResponse:
    """A new room. With an instructor passphrase set (`instructor_key`), the body must be
    `{"instructorKey": "..."}`; without one, any body (or none) will do."""
    address = request.client.host if request.client else "unknown"
    classroom = classroom_of(request.app)
    try:
        if classroom.settings.instructor_key:
            body = await _json_body(request)
            classroom.registry.check_key(address, body.get("instructorKey"))
        room = await classroom.create_room(address)
    except RoomError as exc:
        return _error(exc, "create")
    # The token rides in the fragment: browsers send it to no server and in no Referer.
    body = {"code": room.code, "token": room.token}
    body["instructorUrl"] = f"/classroom/new#code={room.code}&token={room.token}"
    body["joinUrl"] = f"/classroom/join?code={room.code}"
    return JSONResponse(body, status_code=201)


@router.post("/api/join")
async def join_room(request: Request) -> JSONResponse:
    classroom = classroom_of(request.app)
    address = request.client.host if request.client else "unknown"
    try:
        body = await _json_body(request)
        room = classroom.registry.find(body.get("code"), address)
        name = clean_name(body.get("name"), classroom.settings.max_name_length)
        classroom.registry.admit_join(room, address)
        member = room.add_member(name, classroom.settings.max_room_members)
    except RoomError as exc:
        return _error(exc, "join")
    # The name may have a suffix: "Ana (2)" when an Ana is already in the room.
    body = {"code": room.code, "member": member.id, "memberToken": member.token}
    body["name"] = member.name
    return JSONResponse(body, status_code=201)


def _instructor_room(request: Request, code: str) -> tuple[Classroom, Room]:
    classroom = classroom_of(request.app)
    room = classroom.registry.rooms.get(code.upper())
    if room is None or not tokens_match(room.token, request.headers.get("x-room-token")):
        # One answer for a wrong code and a wrong token: nothing to probe codes with.
        raise RoomError("x-room-token", None, "the instructor token of an open room", 403)
    return classroom, room


@router.get("/api/rooms/{code}")
async def room_status(request: Request, code: str) -> JSONResponse:
    try:
        classroom, room = _instructor_room(request, code)
    except RoomError as exc:
        return _error(exc, "status")
    return JSONResponse(classroom.status(room))


@router.post("/api/rooms/{code}/close")
async def close_room(request: Request, code: str) -> JSONResponse:
    try:
        classroom, room = _instructor_room(request, code)
    except RoomError as exc:
        return _error(exc, "close")
    classroom.close_room(room, "closed by the instructor")
    return JSONResponse({"code": room.code, "closed": True})


@router.delete("/api/rooms/{code}/members/{member_id}")
async def remove_member(request: Request, code: str, member_id: str) -> JSONResponse:
    """The instructor removes a student (as the `remove` message does)."""
    try:
        classroom, room = _instructor_room(request, code)
        member = room.members.get(member_id)
        if member is None:
            raise RoomError("member", member_id, "the id of a student in this room (gallery)", 404)
    except RoomError as exc:
        return _error(exc, "remove")
    room_actions.remove_member(classroom, room, member)
    return JSONResponse({"code": room.code, "member": member_id, "removed": True})
