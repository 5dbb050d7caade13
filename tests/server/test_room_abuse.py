"""Rooms that cannot be squatted: joins rate-limited per address and per room, students removed,
rooms locked to new joins, an instructor passphrase, and member tokens that always reconnect.

Other client addresses are other loopback addresses (127.0.0.2, ...), as Linux routes all of
127.0.0.0/8 to this machine."""

from __future__ import annotations

import asyncio
import http.client
import json

import websockets
from served import serve

TIMEOUT = 10.0


def call(server, method: str, path: str, body=None, headers=None, source="127.0.0.1"):
    conn = http.client.HTTPConnection(
        "127.0.0.1", server.port, timeout=TIMEOUT, source_address=(source, 0)
    )
    try:
        data = None if body is None else json.dumps(body).encode()
        conn.request(method, path, body=data, headers=headers or {})
        response = conn.getresponse()
        return response.status, json.loads(response.read())
    finally:
        conn.close()


def new_room(server, body=None) -> dict:
    status, room = call(server, "POST", "/classroom/api/rooms", body or {})
    assert status == 201, room
    return room


def join(server, room: dict, name: str, source: str = "127.0.0.1") -> tuple[int, dict]:
    body = {"code": room["code"], "name": name}
    return call(server, "POST", "/classroom/api/join", body, source=source)


async def hello(server, message: dict) -> tuple[dict, websockets.ClientConnection]:
    """Open /classroom/ws with a hello; the answer to it (`room`, or an `error`)."""
    ws = await websockets.connect(server.room_url)
    await ws.send(json.dumps({"type": "hello", **message}))
    while True:
        raw = await asyncio.wait_for(ws.recv(), TIMEOUT)
        if isinstance(raw, str) and json.loads(raw)["type"] in ("room", "error"):
            return json.loads(raw), ws


async def until(ws, kind: str, **fields) -> dict:
    while True:
        raw = await asyncio.wait_for(ws.recv(), TIMEOUT)
        if isinstance(raw, bytes):
            await ws.send(json.dumps({"type": "ack", "seq": int.from_bytes(raw[8:12], "little")}))
            continue
        message = json.loads(raw)
        if message["type"] == kind and fields.items() <= message.items():
            return message


def test_joins_are_rate_limited_per_address_and_per_room(tmp_path):
    settings = {"engine_workers": 0, "joins_per_minute_per_ip": 4, "joins_per_minute_per_room": 6}
    with serve(tmp_path, **settings) as server:
        room, other = new_room(server), new_room(server)
        for i in range(4):
            assert join(server, room, f"s{i}")[0] == 201
        status, error = join(server, room, "squatter")
        assert (
            status == 429
            and error["field"] == "join"
            and "4 joins a minute per address" in (error["allowed"])
        )
        assert join(server, other, "elsewhere")[0] == 429  # the address's share is spent
        # Other addresses fill the room's own share, then it is refused whoever asks.
        assert join(server, room, "b", "127.0.0.2")[0] == 201
        assert join(server, room, "c", "127.0.0.3")[0] == 201
        status, error = join(server, room, "d", "127.0.0.4")
        assert status == 429 and "6 joins a minute per room" in error["allowed"]
        assert join(server, other, "e", "127.0.0.4")[0] == 201
        assert server.tracebacks() == []


def test_the_instructor_removes_a_student_and_locks_the_room(tmp_path):
    with serve(tmp_path, engine_workers=0) as server:
        room = new_room(server)
        _, ada = join(server, room, "Ada")
        _, bob = join(server, room, "Bob")

        async def go():
            info, teacher = await hello(
                server, {"role": "instructor", "code": room["code"], "token": room["token"]}
            )
            assert info["members"] == 2 and info["joinsLocked"] is False
            student = {"role": "student", "code": room["code"], "member": ada["memberToken"]}
            info, ada_ws = await hello(server, student)
            assert info["type"] == "room"
            await teacher.send(
                json.dumps({"type": "remove", "member": ada["member"], "token": room["token"]})
            )
            closed = await until(ada_ws, "closed")
            await ada_ws.wait_closed()
            assert "removed" in closed["reason"]
            assert (await until(teacher, "room", members=1))["members"] == 1
            refused, ws = await hello(server, student)  # the token no longer opens the room
            assert refused["type"] == "error" and refused["field"] == "member"
            await ws.close()
            # Locked: nobody new joins, those in the room still reconnect.
            lock = {"type": "lock_joins", "locked": True, "token": room["token"]}
            await teacher.send(json.dumps(lock))
            assert (await until(teacher, "room", joinsLocked=True))["joinsLocked"] is True
            status, error = join(server, room, "Mallory")
            assert status == 403 and error["field"] == "code"
            bob_hello = {"role": "student", "code": room["code"], "member": bob["memberToken"]}
            info, bob_ws = await hello(server, bob_hello)
            assert info["type"] == "room"
            await teacher.send(json.dumps({**lock, "locked": "yes"}))
            assert (await until(teacher, "error"))["field"] == "locked"
            await teacher.send(json.dumps({**lock, "locked": False}))
            assert (await until(teacher, "room", joinsLocked=False))["joinsLocked"] is False
            await bob_ws.close()
            await teacher.close()

        asyncio.run(asyncio.wait_for(go(), 30))
        assert join(server, room, "Cy")[0] == 201
        # The same over REST, with the instructor token.
        headers = {"x-room-token": room["token"]}
        path = f"/classroom/api/rooms/{room['code']}/members/{bob['member']}"
        assert call(server, "DELETE", path)[0] == 403
        assert call(server, "DELETE", path, headers=headers) == (
            200,
            {"code": room["code"], "member": bob["member"], "removed": True},
        )
        status, error = call(server, "DELETE", path, headers=headers)
        assert status == 404 and error["field"] == "member"
        assert server.tracebacks() == []


def test_an_instructor_passphrase_guards_room_creation(tmp_path):
    settings = {
        "engine_workers": 0,
        "instructor_key": "correct horse",
        "room_creations_per_minute": 3,
    }
    with serve(tmp_path, **settings) as server:
        status, error = call(server, "POST", "/classroom/api/rooms")
        assert status == 403 and error["field"] == "instructorKey" and error["value"] is None
        status, error = call(server, "POST", "/classroom/api/rooms", {"instructorKey": "guess"})
        assert status == 403 and "passphrase" in error["allowed"]
        assert "guess" not in json.dumps(error)  # a guess is never echoed
        room = new_room(server, {"instructorKey": "correct horse"})
        assert room["token"]
        # Every attempt counted: the fourth of the minute is refused, even with the right key.
        status, error = call(
            server, "POST", "/classroom/api/rooms", {"instructorKey": "correct horse"}
        )
        assert status == 429
        assert "correct horse" not in server.log()
        assert server.tracebacks() == []


def test_a_member_token_reconnects_whatever_the_addresss_failed_guesses(tmp_path):
    with serve(tmp_path, engine_workers=0, join_attempts_per_minute=2) as server:
        room = new_room(server)
        _, ada = join(server, room, "Ada")
        for guess in ("AAAAAA", "BBBBBB"):  # a classmate behind the same NAT mistypes
            assert (
                call(server, "POST", "/classroom/api/join", {"code": guess, "name": "x"})[0] == 404
            )
        assert join(server, room, "Late")[0] == 429  # the address is blocked for new joins

        async def go():
            student = {"role": "student", "code": room["code"], "member": ada["memberToken"]}
            info, ws = await hello(server, student)
            assert info["type"] == "room" and info["name"] == "Ada"
            await ws.close()
            teacher = {"role": "instructor", "code": room["code"], "token": room["token"]}
            info, ws = await hello(server, teacher)
            assert info["type"] == "room" and info["role"] == "instructor"
            await ws.close()
            # A guessed token from the blocked address is still refused.
            info, ws = await hello(server, {**student, "member": "guess"})
            assert info["type"] == "error" and info["field"] == "code"
            await ws.close()

        asyncio.run(asyncio.wait_for(go(), 30))
        assert server.tracebacks() == []


def test_each_wrong_code_counts_once_whichever_way_it_came(tmp_path):
    """`join_attempts_per_minute` wrong codes are allowed, by hello or by join, not half of them;
    and an instructor's request for an unknown room is told no more than for a wrong token."""
    with serve(tmp_path, engine_workers=0, join_attempts_per_minute=3) as server:

        async def guesses() -> list[int | str]:
            seen = []
            for guess in ("AAAAAA", "BBBBBB"):
                info, ws = await hello(server, {"role": "student", "code": guess, "member": "x"})
                seen.append(info["field"])
                await ws.close()
            return seen

        assert asyncio.run(asyncio.wait_for(guesses(), 30)) == ["code", "code"]
        body = {"code": "CCCCCC", "name": "x"}
        assert call(server, "POST", "/classroom/api/join", body)[0] == 404  # the third
        assert call(server, "POST", "/classroom/api/join", {**body, "code": "DDDDDD"})[0] == 429
        status, error = call(server, "GET", "/classroom/api/rooms/EEEEEE")
        assert status == 403 and error["field"] == "x-room-token"
        assert server.tracebacks() == []


def test_a_few_addresses_cannot_hold_every_room(tmp_path):
    """Each address holds at most max_rooms_per_ip open rooms: squatters do not lock a real
    instructor out, and closing a room frees its place."""
    settings = {"engine_workers": 0, "max_rooms": 5, "max_rooms_per_ip": 2}
    with serve(tmp_path, **settings) as server:
        rooms = []
        for source in ("127.0.0.2", "127.0.0.3"):
            for _ in range(2):
                status, room = call(server, "POST", "/classroom/api/rooms", source=source)
                assert status == 201
                rooms.append(room)
            status, error = call(server, "POST", "/classroom/api/rooms", source=source)
            assert status == 429 and "open rooms from one address" in error["message"]
        status, _ = call(server, "POST", "/classroom/api/rooms", source="127.0.0.4")
        assert status == 201  # the real instructor
        path = f"/classroom/api/rooms/{rooms[0]['code']}/close"
        headers = {"x-room-token": rooms[0]["token"]}
        assert call(server, "POST", path, headers=headers, source="127.0.0.2")[0] == 200
        assert call(server, "POST", "/classroom/api/rooms", source="127.0.0.2")[0] == 201
        assert server.tracebacks() == []
