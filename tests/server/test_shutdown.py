"""Readiness, and SIGTERM: every connected client is told before the server stops, within 5 s."""

from __future__ import annotations

import asyncio
import http.client
import json
import time
from types import SimpleNamespace

import websockets
from frames import Client
from served import get, serve

from server.monitoring import readiness
from server.settings import Settings

EXIT_WITHIN_S = 5.0


def post(port: int, path: str, body: dict) -> dict:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request("POST", path, body=json.dumps(body).encode())
        return json.loads(conn.getresponse().read())
    finally:
        conn.close()


def test_readiness_follows_the_engine_workers():
    workers = Settings(engine_workers=2)
    assert readiness(Settings(engine_workers=0), None, False)[0] == 200
    assert readiness(workers, None, False) == (
        503,
        {"ready": False, "workers": 2, "reason": "engine workers are not running"},
    )
    starting = SimpleNamespace(ready=False, broken=False)
    assert readiness(workers, starting, False)[1]["reason"] == "engine workers starting"
    stopped = SimpleNamespace(ready=False, broken=True)
    assert readiness(workers, stopped, False)[1]["reason"] == "engine workers stopped"
    assert readiness(workers, SimpleNamespace(ready=True), False)[0] == 200
    # A pool that restarts its workers says whether they are alive, and how often it restarted.
    restarted = SimpleNamespace(ready=True, alive=True, restarts=3)
    assert readiness(workers, restarted, False) == (
        200,
        {"ready": True, "workers": 2, "restarts": 3},
    )
    assert readiness(workers, SimpleNamespace(ready=True, alive=False), False)[0] == 503
    assert readiness(workers, restarted, True)[1]["reason"] == "shutting down"


def test_readyz_on_a_real_server_with_a_worker(tmp_path):
    with serve(tmp_path, engine_workers=1) as server:
        assert get(server.port, "/healthz", 10) == (200, b"ok")
        deadline = time.monotonic() + 60
        while True:  # the worker starts in the background; /readyz is how one waits for it
            status, body = get(server.port, "/readyz", 10)
            if status == 200 or time.monotonic() > deadline:
                break
            assert json.loads(body)["reason"] == "engine workers starting"
            time.sleep(0.05)
        assert status == 200 and json.loads(body)["ready"] is True


async def _connected_clients(server) -> tuple:
    player = await websockets.connect(server.ws_url)
    await Client(player).ready()
    room = post(server.port, "/classroom/api/rooms", {})
    member = post(server.port, "/classroom/api/join", {"code": room["code"], "name": "Ada"})
    follower = await websockets.connect(server.room_url)
    hello = {"type": "hello", "role": "student", "code": room["code"]}
    await follower.send(json.dumps({**hello, "member": member["memberToken"]}))
    while True:  # followed: the room's frames come
        raw = await asyncio.wait_for(follower.recv(), 10)
        if isinstance(raw, bytes):
            break
    return player, follower


async def _last_words(ws) -> tuple[list[dict], int | None]:
    """Every JSON message until the server closes, and its close code."""
    said = []
    try:
        while True:
            raw = await asyncio.wait_for(ws.recv(), 10)
            if isinstance(raw, str):
                said.append(json.loads(raw))
    except websockets.ConnectionClosed:
        pass
    return said, ws.close_code


def test_sigterm_tells_every_client_and_exits_within_5_s(tmp_path):
    with serve(tmp_path, engine_workers=1) as server:

        async def go():
            player, follower = await _connected_clients(server)
            server.terminate()
            sent = time.monotonic()
            heard = await asyncio.gather(_last_words(player), _last_words(follower))
            return heard, sent

        heard, sent = asyncio.run(asyncio.wait_for(go(), 30))
        server.proc.wait(timeout=EXIT_WITHIN_S + 5)
        exited_after = time.monotonic() - sent
        for said, code in heard:
            assert code == 1012
            assert said[-1] == {"type": "closing", "reason": "server restarting"}
        assert exited_after < EXIT_WITHIN_S, f"exited {exited_after:.1f} s after SIGTERM"
        assert server.tracebacks() == []
