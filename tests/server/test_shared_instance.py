"""A shared instance under load: clients that stop reading, many clients, /metrics.

The memory tests hold clients to the outlet's bounds (server/core/outlet.py): one frame waits per
client, the newest; a newer answer replaces an unsent one; errors beyond a few are dropped. Each
test also checks that it asked for enough to break its limit, had the server kept everything.
"""

from __future__ import annotations

import asyncio
import json
import socket
import urllib.request
from pathlib import Path

import websockets
from frames import Client, decode

# A stalled client may cost the server this much memory, and no more however long it stalls.
LIMIT_MB = 10
# What a client that stopped reading may make the server build for it: had the server queued all
# of it instead of keeping the newest, it would have grown by at least this many times LIMIT_MB.
STRESS = 3
BUFFER = 4096  # kernel buffers of both ends: a stalled reader stalls the server's writes at once
# The largest network a student may build: 7 inputs, 6 x 8 hidden, 1 output.
LARGEST = {"networkShape": [8] * 6, "xSquared": True, "ySquared": True, "xTimesY": True}
LARGEST |= {"sinX": True, "sinY": True}
NODES = 56
# Large thumbnails and a small main grid: large frames (56 x 120 x 120 bytes) for little computing.
GRID, THUMB = 20, 120
# The message rate limit is a bound of its own (test_bad_input.py): lifted here, so that what holds
# the memory down is the outlet alone.
FAST = {"max_messages_per_second": 100_000, "message_burst": 100_000}


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmRSS")


def metrics(server) -> dict[str, float]:
    with urllib.request.urlopen(server.url + "/metrics", timeout=10) as response:
        text = response.read().decode()
    return {
        line.split()[0]: float(line.split()[1])
        for line in text.splitlines()
        if line and not line.startswith("#")
    }


async def stalled(server) -> websockets.ClientConnection:
    """A connection that never reads: the client library stops reading the socket once one
    message waits (max_queue=1), and its small kernel buffers fill with the first few KB."""
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, BUFFER)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, BUFFER)
    sock.connect(("127.0.0.1", server.port))
    return await websockets.connect(
        server.ws_url, sock=sock, max_queue=1, max_size=2**24, close_timeout=1
    )


class Peak:
    """The server's memory after a warm-up, and the most it reached since."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.before = self.most = rss_mb(pid)

    def sample(self) -> None:
        self.most = max(self.most, rss_mb(self.pid))

    @property
    def growth(self) -> float:
        return self.most - self.before


def test_a_client_that_never_reads_leaves_memory_bounded(make_server):
    server = make_server(buffer_bytes=BUFFER, grid_size=GRID, thumb_size=THUMB, **FAST)
    frame_bytes = GRID * GRID + NODES * THUMB * THUMB  # at least: the grid and the thumbnails

    async def go():
        async with await stalled(server) as stuck:

            async def send(**message) -> None:
                await stuck.send(json.dumps(message))

            await send(type="config", config=LARGEST)
            await send(type="speed", eps="max")
            await send(type="fps", fps=60)
            await send(type="play")
            loop = asyncio.get_running_loop()

            async def invite_frames(seconds: float, peak: Peak | None = None) -> None:
                """A page that has stopped reading but not sending. It acknowledges the first
                frames' numbers blindly, so the server builds another while the send of an
                earlier one is stalled, and keeps changing the focus: each change asks for a new
                frame of the session, which plays at full speed."""
                end = loop.time() + seconds
                node = 0
                while loop.time() < end:
                    for seq in range(1, 5):
                        await send(type="ack", seq=seq)
                    await send(type="focus", node=node % NODES if node % 4 else None)
                    node += 1
                    if peak is not None:
                        peak.sample()
                    await asyncio.sleep(0.01)  # the stuck page's own pace

            await invite_frames(1.0)  # the session, its first frames and buffers are made
            built = metrics(server)["playground_frames_built_total"]
            peak = Peak(server.proc.pid)
            await invite_frames(5.0, peak)
            built = metrics(server)["playground_frames_built_total"] - built
            invited_mb = built * frame_bytes / 2**20
            # Meanwhile another client is served.
            async with websockets.connect(server.ws_url, max_size=2**24) as ws:
                client = Client(ws)
                await client.ready()
                frame = await client.step(3)
                assert frame.epoch == 3
            peak.sample()
        assert invited_mb > STRESS * LIMIT_MB, f"only {built:.0f} frames built: no test"
        assert peak.growth < LIMIT_MB, f"{peak.growth:.0f} MB more for {invited_mb:.0f} MB built"

    asyncio.run(go())


def test_a_client_flooding_requests_it_never_reads_answers_to_leaves_memory_bounded(make_server):
    server = make_server(buffer_bytes=BUFFER, **FAST)
    # Each is answered: `state` (fps), `inspection`, an `error` (a type the server does not know).
    # Mostly fps: a state is cheap to make, and large for what it costs.
    flood = [{"type": "fps", "fps": 30 + i % 2} for i in range(48)]
    flood += [{"type": "inspect", "layer": 0, "to": 0, "from": 0}, {"type": "nope"}]
    warm_up, count = 5_000, 45_000

    async def go():
        async with await stalled(server) as stuck:
            await stuck.send(json.dumps({"type": "config", "config": LARGEST}))
            texts = [json.dumps(message) for message in flood]
            for i in range(warm_up):  # the session, the buffers, the first answers are made
                await stuck.send(texts[i % len(texts)])
            peak = Peak(server.proc.pid)
            for i in range(count):
                # No pause: a send waits whenever the server has not read the last few KB.
                await stuck.send(texts[i % len(texts)])
                if i % 500 == 0:
                    peak.sample()
            await stuck.send(json.dumps({"type": "fps", "fps": 17}))
            peak.sample()
            # Reading at last: a few answers, the newest state among them.
            sizes: dict[str, int] = {}
            received = 0
            async with asyncio.timeout(60):
                while True:
                    raw = await stuck.recv()
                    received += 1
                    if isinstance(raw, bytes):
                        decode(raw)
                        continue
                    message = json.loads(raw)
                    sizes[message["type"]] = len(raw)
                    if message["type"] == "state" and message["fps"] == 17:
                        break
            peak.sample()
        sent = warm_up + count + 2
        # Newer answers replaced unsent ones, errors beyond a few were dropped: few reached it.
        assert received < sent / 100, f"{received} answers reached the client for {sent} requests"
        assert {"state", "inspection", "error"} <= sizes.keys(), sizes
        answered = 48 * sizes["state"] + sizes["inspection"] + sizes["error"]
        asked_mb = count / len(flood) * answered / 2**20
        assert asked_mb > STRESS * LIMIT_MB, f"the answers would take only {asked_mb:.0f} MB"
        assert peak.growth < LIMIT_MB, f"{peak.growth:.0f} MB more for {asked_mb:.0f} MB asked"

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


def test_metrics_and_healthz(make_server):
    server = make_server()  # its own: no other test's sessions or frames move its counters

    async def go():
        before = metrics(server)
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
        moved = {name: values[name] - before[name] for name in values}
        assert before["playground_sessions"] == 0 and values["playground_sessions"] == 1
        # The first frame and the step's: both built and sent.
        assert moved["playground_frames_sent_total"] >= 2
        assert moved["playground_frames_built_total"] >= 2
        assert moved["playground_epochs_total"] == 2
        assert moved["playground_messages_total"] >= 2  # the step and an ack at least
        for name in ("playground_sessions_playing", "playground_errors_total"):
            assert name in values and f"# TYPE {name}" in text
        assert moved["playground_errors_total"] == 0
        assert "playground_epochs_per_second" in values
        with urllib.request.urlopen(server.url + "/healthz", timeout=10) as response:
            assert response.read() == b"ok"

    asyncio.run(go())
