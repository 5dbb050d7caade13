"""A seeded fuzz of more than 10,000 control messages over real WebSockets (/ws and
/classroom/ws) and of every JSON endpoint: every answer is structured, the log has no traceback."""

from __future__ import annotations

import asyncio
import json
import random
from concurrent.futures import ThreadPoolExecutor

from fuzzing import (
    PLAYGROUND_TYPES,
    ROOM_TYPES,
    Tally,
    check_http,
    fuzz_request,
    fuzz_socket,
    http_call,
    mutate,
)
from served import serve

SEED = 16
PLAYGROUND_SOCKETS, ROOM_SOCKETS, PER_SOCKET = 6, 4, 1050
HTTP_REQUESTS = 1200
# The limits are the defaults except those a fuzz from one address would trip over at once:
# their own tests show them working.
SETTINGS = {
    "engine_workers": 0,
    "max_messages_per_second": 100000,
    "message_burst": 100000,
    "max_connections_per_ip": 100,
    "join_attempts_per_minute": 100000,
    "joins_per_minute_per_ip": 100000,
    "joins_per_minute_per_room": 100000,
    "room_creations_per_minute": 100000,
    "max_rooms_per_ip": 1000,
    "max_rooms": 1000,
    "max_compute_per_ip": 4,
}


class RoomOpener:
    """Opens each room connection with a `hello` (sometimes mutated): a new room when the fuzz
    closed the last one, a new student when it removed the last one or locked the room."""

    def __init__(self, server, rng: random.Random, role: str) -> None:
        self.server, self.rng, self.role = server, rng, role
        self.room: dict | None = None

    def _post(self, path: str, body: dict) -> tuple[int, dict]:
        status, raw = http_call(self.server.port, "POST", path, json.dumps(body).encode(), {})
        return status, json.loads(raw)

    def _fresh_room(self) -> None:
        status, self.room = self._post("/classroom/api/rooms", {})
        assert status == 201, self.room

    def _closed(self) -> bool:
        headers = {"x-room-token": self.room["token"]}
        path = f"/classroom/api/rooms/{self.room['code']}"
        return http_call(self.server.port, "GET", path, None, headers)[0] != 200

    def _student(self) -> dict:
        status, member = self._post("/classroom/api/join", {"code": self.room["code"], "name": "f"})
        if status != 201:  # locked to new joins by the fuzz: another room
            self._fresh_room()
            status, member = self._post(
                "/classroom/api/join", {"code": self.room["code"], "name": "f"}
            )
        assert status == 201, member
        return member

    def _hello(self) -> dict:
        if self.room is None or self._closed():
            self._fresh_room()
        hello = {"type": "hello", "role": self.role, "code": self.room["code"]}
        if self.role == "instructor":
            hello["token"] = self.room["token"]
        else:
            hello["member"] = self._student()["memberToken"]
        return hello

    async def __call__(self) -> tuple[dict | str | bytes, str]:
        hello = await asyncio.to_thread(self._hello)
        if self.rng.random() < 0.1:
            return mutate(self.rng, hello, 65536), self.room["token"]
        return hello, self.room["token"]


def test_ten_thousand_fuzzed_messages_and_requests_leave_no_traceback(tmp_path):
    with serve(tmp_path, **SETTINGS) as server:
        sockets, requests = Tally(), Tally()

        async def play() -> None:
            jobs = []
            for i in range(PLAYGROUND_SOCKETS):
                rng = random.Random(SEED * 1000 + i)
                jobs.append(_one_socket(server.ws_url, rng, sockets, PLAYGROUND_TYPES))
            for i in range(ROOM_SOCKETS):
                rng = random.Random(SEED * 2000 + i)
                opener = RoomOpener(server, rng, "instructor" if i == 0 else "student")
                kinds = PLAYGROUND_TYPES + ROOM_TYPES
                jobs.append(_one_socket(server.room_url, rng, sockets, kinds, opener))
            await asyncio.gather(*jobs)

        def call(i: int) -> None:
            rng = random.Random(SEED * 3000 + i)
            method, path, body, headers = fuzz_request(rng, None)
            status, raw = http_call(server.port, method, path, body, headers)
            check_http(requests, status, raw, f"{method} {path[:60]}")

        asyncio.run(asyncio.wait_for(play(), 240))
        with ThreadPoolExecutor(4) as pool:
            list(pool.map(call, range(HTTP_REQUESTS)))
        tracebacks = server.tracebacks()

    assert sockets.sent >= 10_000 and requests.answers == HTTP_REQUESTS, (sockets, requests)
    assert sockets.problems == [] and requests.problems == []
    assert sockets.errors > 300 and sockets.frames > 5, sockets  # refused and served, both
    assert tracebacks == [], f"{len(tracebacks)} tracebacks, the first:\n{tracebacks[0]}"


async def _one_socket(url, rng, tally, kinds, opener=None) -> None:
    own = Tally()
    await fuzz_socket(url, rng, PER_SOCKET, own, kinds, opener, deadline=200)
    for name in ("sent", "answers", "errors", "frames", "reconnects"):
        setattr(tally, name, getattr(tally, name) + getattr(own, name))
    for code, n in own.closes.items():
        tally.closes[code] = tally.closes.get(code, 0) + n
    tally.problems += own.problems
