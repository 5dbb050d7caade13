"""A shared instance under load: stalled clients, many clients, /metrics."""

from __future__ import annotations

import asyncio
import json
import urllib.request
from pathlib import Path

import websockets
from frames import Client


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmRSS")


def test_a_client_that_never_reads_leaves_memory_bounded(server):
    async def go():
        # max_queue=1: the client library stops reading the socket once one message waits.
        async with websockets.connect(server.ws_url, max_queue=1, close_timeout=1) as stuck:
            await stuck.send(json.dumps({"type": "speed", "eps": "max"}))
            await stuck.send(json.dumps({"type": "fps", "fps": 60}))
            await stuck.send(json.dumps({"type": "play"}))
            before = rss_mb(server.proc.pid)
            loop = asyncio.get_running_loop()
            end = loop.time() + 10
            seq = 1
            while loop.time() < end:
                # A page that acks blindly without reading is the worst case: it invites frames.
                await stuck.send(json.dumps({"type": "ack", "seq": seq}))
                seq += 1
                await asyncio.sleep(0.05)  # the stuck client's own pace, not a wait for the server
            after = rss_mb(server.proc.pid)
            # Meanwhile another client is served promptly.
            async with websockets.connect(server.ws_url) as ws:
                client = Client(ws)
                await client.ready()
                frame = await client.step(3)
                assert frame.epoch == 3
            assert after - before < 40, (before, after)

    asyncio.run(go())


def test_fifty_clients_all_get_frames(make_server):
    server = make_server(max_connections_per_ip=60)

    async def one(results: list[int]) -> None:
        async with websockets.connect(server.ws_url, max_size=2**22) as ws:
            client = Client(ws)
            await client.ready()
            await client.send(type="play")
            seen = 0
            while seen < 3:
                frame = await client.frame(timeout=30)
                assert frame.playing or seen == 0
                await client.ack(frame)
                seen += 1
            results.append(frame.epoch)

    async def go():
        results: list[int] = []
        await asyncio.gather(*(one(results) for _ in range(50)))
        assert len(results) == 50 and min(results) > 0

    asyncio.run(go())


def test_metrics_and_healthz(server):
    async def go():
        async with websockets.connect(server.ws_url) as ws:
            client = Client(ws)
            await client.ready()
            await client.step(2)
            with urllib.request.urlopen(server.url + "/metrics", timeout=10) as response:
                assert response.headers["content-type"].startswith("text/plain")
                text = response.read().decode()
        values = {
            line.split()[0]: float(line.split()[1])
            for line in text.splitlines()
            if line and not line.startswith("#")
        }
        assert values["playground_sessions"] >= 1
        assert values["playground_frames_sent_total"] >= 2
        assert values["playground_epochs_total"] >= 2
        for name in ("playground_sessions_playing", "playground_errors_total"):
            assert name in values and f"# TYPE {name}" in text
        assert "playground_epochs_per_second" in values
        with urllib.request.urlopen(server.url + "/healthz", timeout=10) as response:
            assert response.read() == b"ok"

    asyncio.run(go())
