"""Classroom limits on a real server: join-code guessing, room and member counts, idle expiry."""

from __future__ import annotations

import asyncio

import websockets
from room_client import Client, get, join, new_room, post


def test_join_code_guessing_is_rate_limited(make_server):
    server = make_server(join_attempts_per_minute=3)
    room = new_room(server)
    # A wrong guess that is not even a code shape counts too.
    for guess in ("AAAAAA", "BBBBBB", "0"):
        code, body = post(server, "/classroom/api/join", {"code": guess, "name": "Mallory"})
        assert code in (400, 404) and body["field"] == "code"
    # Past the limit even the right code is refused for this address, for the rest of the minute.
    code, body = post(server, "/classroom/api/join", {"code": room["code"], "name": "Mallory"})
    assert code == 429 and body["field"] == "code" and "3 failed attempts" in body["allowed"]

    async def guess_by_socket():
        hello = {"role": "student", "code": room["code"], "member": "guess"}
        client = await Client.open(server, hello)
        refused = await client.message("error")
        await client.ws.wait_closed()
        return refused, client.ws.close_code

    refused, close_code = asyncio.run(guess_by_socket())
    assert refused["field"] == "code" and close_code == 4404


def test_rooms_and_members_are_bounded(make_server):
    server = make_server(max_rooms=1, max_room_members=2)
    room = new_room(server)
    code, body = post(server, "/classroom/api/rooms")
    assert code == 503 and body["field"] == "rooms"
    code, body = post(server, f"/classroom/api/rooms/{room['code']}/close", {})
    assert code == 403  # closing takes the instructor token
    join(server, room, "one")
    join(server, room, "two")
    code, body = post(server, "/classroom/api/join", {"code": room["code"], "name": "three"})
    assert code == 409 and "2 students" in body["allowed"]


def test_students_sessions_count_against_max_sessions(make_server):
    server = make_server(max_sessions=3)
    room = new_room(server)
    for name in ("a", "b", "c", "d"):
        join(server, room, name)

    async def push():
        hello = {"role": "instructor", "code": room["code"], "token": room["token"]}
        client = await Client.open(server, hello)
        await client.send(type="push", token=room["token"])
        error = await client.message("error", request="push")
        await client.close()
        return error

    error = asyncio.run(push())
    assert error["field"] == "sessions" and "at most 3" in error["allowed"]


def test_idle_room_expires(make_server):
    server = make_server(room_idle_timeout_s=0.5)
    room = new_room(server)

    async def wait_for_expiry():
        hello = {"role": "instructor", "code": room["code"], "token": room["token"]}
        client = await Client.open(server, hello)
        closed = await client.message("closed")
        await client.ws.wait_closed()
        return closed

    assert "idle" in asyncio.run(wait_for_expiry())["reason"]
    status, _ = get(server, f"/classroom/api/rooms/{room['code']}", {"x-room-token": room["token"]})
    assert status == 403


def test_room_socket_checks_origin(server):
    async def connect():
        url = server.url.replace("http", "ws") + "/classroom/ws"
        ws = await websockets.connect(url, origin="http://evil.example")
        await ws.wait_closed()  # refused before any message
        return ws.close_code, ws.close_reason

    code, reason = asyncio.run(asyncio.wait_for(connect(), 10))
    assert code == 1008 and "origin" in reason


def test_room_creation_is_rate_limited(make_server):
    server = make_server(room_creations_per_minute=2)
    new_room(server)
    room = new_room(server)
    code, body = post(server, "/classroom/api/rooms")
    assert code == 429 and "2 new rooms a minute" in body["allowed"]
    # The instructor can still close a room with the token.
    headers = {"x-room-token": room["token"]}
    code, body = post(server, f"/classroom/api/rooms/{room['code']}/close", {}, headers)
    assert code == 200 and body["closed"] is True
