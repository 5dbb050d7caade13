"""A test's client of the classroom over a real server: REST calls, a room connection that keeps
JSON messages and frames apart, and the steps every room test takes (create, join, greet)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import struct
import urllib.error
import urllib.request

import websockets

HEADER = struct.Struct("<4sBBHIIddHHiI")
TIMEOUT = 10.0


def post(server, path: str, body: object = None, headers: dict | None = None) -> tuple[int, dict]:
    data = json.dumps(body if body is not None else {}).encode()
    headers = {"content-type": "application/json", **(headers or {})}
    request = urllib.request.Request(server.url + path, data=data, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


def get(server, path: str, headers: dict | None = None) -> tuple[int, dict]:
    request = urllib.request.Request(server.url + path, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


def header(frame: bytes) -> dict:
    magic, _, flags, n_layers, seq, epoch, train, test, g, t, focus, h = HEADER.unpack_from(frame)
    assert magic == b"NNPF"
    return {"seq": seq, "epoch": epoch, "test": test, "layers": n_layers, "grid": g, "thumb": t}


class Client:
    """A real WebSocket client of /classroom/ws that acknowledges every frame it reads."""

    def __init__(self, ws) -> None:
        self.ws = ws
        self.frames: list[bytes] = []

    @classmethod
    async def open(cls, server, hello: dict) -> Client:
        ws = await websockets.connect(server.url.replace("http", "ws") + "/classroom/ws")
        await ws.send(json.dumps({"type": "hello", **hello}))
        return cls(ws)

    async def send(self, **message: object) -> None:
        await self.ws.send(json.dumps(message))

    async def next(self, match, what: str = "a matching message") -> dict | bytes:
        """The first message (dict) or frame (bytes) for which `match` is true."""

        async def read():
            while True:
                raw = await self.ws.recv()
                if isinstance(raw, bytes):
                    self.frames.append(raw)
                    # The server may be closing (a room that ends): what it sent is still read.
                    with contextlib.suppress(websockets.ConnectionClosed):
                        await self.send(type="ack", seq=header(raw)["seq"])
                    item = raw
                else:
                    item = json.loads(raw)
                if match(item):
                    return item

        try:
            return await asyncio.wait_for(read(), TIMEOUT)
        except TimeoutError:
            raise AssertionError(f"no {what} within {TIMEOUT:g} s") from None

    async def message(self, kind: str, /, **fields: object) -> dict:
        def match(m):
            return isinstance(m, dict) and m["type"] == kind and fields.items() <= m.items()

        return await self.next(match, f"{kind!r} message with {fields}")

    async def frame(self, epoch: int) -> bytes:
        def match(m):
            return isinstance(m, bytes) and header(m)["epoch"] == epoch

        return await self.next(match, f"frame of epoch {epoch}")

    async def close(self) -> None:
        await self.ws.close()


def new_room(server) -> dict:
    status, room = post(server, "/classroom/api/rooms")
    assert status == 201, room
    return room


def join(server, room: dict, name: str) -> dict:
    status, member = post(server, "/classroom/api/join", {"code": room["code"], "name": name})
    assert status == 201, member
    return member


async def teacher(server, room: dict) -> Client:
    client = await Client.open(
        server, {"role": "instructor", "code": room["code"], "token": room["token"]}
    )
    await client.message("room", role="instructor")
    return client


async def student(server, room: dict, name: str) -> Client:
    return await seated(server, room, join(server, room, name))


async def seated(server, room: dict, member: dict) -> Client:
    """A joined student's connection, wherever the room lives."""
    hello = {"role": "student", "code": room["code"], "member": member["memberToken"]}
    client = await Client.open(server, hello)
    await client.message("room", role="student")
    return client


def status_of(server, room: dict) -> dict:
    path = f"/classroom/api/rooms/{room['code']}"
    code, body = get(server, path, {"x-room-token": room["token"]})
    assert code == 200, body
    return body
