"""Classroom REST endpoints: create and join rooms; the instructor's status, results, close and
removal of a student. Each runs where its room lives (ops.py), whichever process was asked."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from server.classroom.rules import RoomError, normalise_code
from server.classroom.service import classroom_of
from server.core.errors import RequestError, read_json

router = APIRouter()
TOKEN_HEADER = "x-room-token"


def _error(exc: RoomError, request: str) -> JSONResponse:
    return JSONResponse(exc.as_dict(request), status_code=exc.status)


def _address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


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
    """A new room, homed in this process. With an instructor passphrase set (`instructor_key`),
    the body must be `{"instructorKey": "..."}`; without one, any body (or none) will do."""
    address = _address(request)
    classroom = classroom_of(request.app)
    try:
        if classroom.settings.instructor_key:
            body = await _json_body(request)
            classroom.registry.check_key(address, body.get("instructorKey"))
        room, token = await classroom.create_room(address)
    except RoomError as exc:
        return _error(exc, "create")
    # The token rides in the fragment: browsers send it to no server and in no Referer.
    body = {"code": room.code, "token": token}
    body["instructorUrl"] = f"/classroom/new#code={room.code}&token={token}"
    body["joinUrl"] = f"/classroom/join?code={room.code}"
    return JSONResponse(body, status_code=201)


@router.post("/api/join")
async def join_room(request: Request) -> JSONResponse:
    classroom = classroom_of(request.app)
    address = _address(request)
    try:
        body = await _json_body(request)
        code = classroom.registry.checked_code(body.get("code"), address)
        answer = await classroom.at_home(code, "join", name=body.get("name"), address=address)
    except RoomError as exc:
        classroom.registry.refused(exc, address)
        return _error(exc, "join")
    return JSONResponse(answer, status_code=201)


async def _instructor(request: Request, code: str, op: str, **args) -> dict:
    """An instructor's request for room `code`, answered where the room lives."""
    # One answer for a bad code, a closed or unknown room and a wrong token, in one process or
    # many (a room no process knows is not even asked): nothing to probe codes with.
    refusal = RoomError(TOKEN_HEADER, None, "the instructor token of an open room", 403)
    try:
        code = normalise_code(code)
    except RoomError:
        raise refusal from None
    token = request.headers.get(TOKEN_HEADER)
    try:
        return await classroom_of(request.app).at_home(code, op, token=token, **args)
    except RoomError as exc:
        if exc.field == "code" and exc.status == 404:
            raise refusal from None
        raise


@router.get("/api/rooms/{code}")
async def room_status(request: Request, code: str) -> JSONResponse:
    try:
        return JSONResponse(await _instructor(request, code, "status"))
    except RoomError as exc:
        return _error(exc, "status")


@router.post("/api/rooms/{code}/close")
async def close_room(request: Request, code: str) -> JSONResponse:
    try:
        return JSONResponse(await _instructor(request, code, "close"))
    except RoomError as exc:
        return _error(exc, "close")


@router.delete("/api/rooms/{code}/members/{member_id}")
async def remove_member(request: Request, code: str, member_id: str) -> JSONResponse:
    """The instructor removes a student (as the `remove` message does)."""
    try:
        return JSONResponse(await _instructor(request, code, "remove", member=member_id))
    except RoomError as exc:
        return _error(exc, "remove")


@router.get("/api/rooms/{code}/results.csv")
async def results_csv(request: Request, code: str) -> Response:
    try:
        answer = await _instructor(request, code, "results", form="csv")
    except RoomError as exc:
        return _error(exc, "results")
    headers = {"content-disposition": f'attachment; filename="room-{answer["code"]}-results.csv"'}
    return Response(answer["csv"], media_type="text/csv; charset=utf-8", headers=headers)


@router.get("/api/rooms/{code}/results.json")
async def results_json(request: Request, code: str) -> JSONResponse:
    try:
        return JSONResponse(await _instructor(request, code, "results", form="json"))
    except RoomError as exc:
        return _error(exc, "results")
