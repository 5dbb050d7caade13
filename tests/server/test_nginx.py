"""deploy/nginx.conf in front of two server processes: pages, REST and WebSockets all pass."""

from __future__ import annotations

import asyncio
import re
import urllib.request

import pytest
import websockets
from frames import Client
from nginx_server import NginxServer

pytestmark = pytest.mark.timeout(60)
CLIENTS = 12


def fetch(url: str) -> tuple[int, str]:
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.status, response.read().decode()


def sessions_of(server) -> int:
    _, text = fetch(server.url + "/metrics")
    return int(re.search(r"^playground_sessions (\d+)$", text, re.M).group(1))


def test_nginx_spreads_pages_and_websockets_over_two_processes(make_server):
    first, second = make_server(), make_server()
    nginx = NginxServer([first.port, second.port])
    try:
        assert fetch(nginx.url + "/healthz") == (200, "ok")
        status, page = fetch(nginx.url + "/")
        assert status == 200 and 'data-testid="network"' in page

        async def go() -> list[int]:
            # The page's origin is nginx's: the server checks it against the Host nginx passes.
            url = nginx.url.replace("http", "ws") + "/ws?first=config"
            sockets = [await websockets.connect(url, origin=nginx.url) for _ in range(CLIENTS)]
            try:
                epochs = []
                for ws in sockets:
                    client = Client(ws)
                    await client.send(type="config", config={"seed": "0.12345"})
                    await client.until("state")
                    await client.ack(await client.frame())
                    epochs.append((await client.step(2)).epoch)
                # Every client is connected through nginx now: both processes hold some.
                spread = [sessions_of(first), sessions_of(second)]
                return epochs, spread
            finally:
                for ws in sockets:
                    await ws.close()

        epochs, spread = asyncio.run(go())
        assert epochs == [2] * CLIENTS
        assert sum(spread) == CLIENTS and min(spread) >= 1, spread
    finally:
        nginx.stop()


def test_a_process_that_is_down_is_skipped(make_server):
    up, down = make_server(), make_server()
    nginx = NginxServer([down.port, up.port])
    try:
        down.stop()
        for _ in range(4):  # round robin would send every other request to the dead one
            assert fetch(nginx.url + "/healthz") == (200, "ok")

        async def go() -> int:
            url = nginx.url.replace("http", "ws") + "/ws?first=config"
            async with websockets.connect(url, origin=nginx.url) as ws:
                client = Client(ws)
                await client.send(type="config", config={"seed": "0.12345"})
                await client.until("state")
                await client.ack(await client.frame())
                return (await client.step(1)).epoch

        assert asyncio.run(go()) == 1
    finally:
        nginx.stop()
