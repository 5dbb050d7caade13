"""Classroom fan-out: one room, its instructor playing, N followers on loopback.

    python bench/rooms.py --followers 100 --seconds 10

Starts `python -m server` on a free loopback port, creates a room, has the instructor play at
`--speed` epochs/s, joins N students who follow (each acknowledges every frame at once), then
measures for `--seconds`: frames per second each follower received, how many frames the room
encoded (once for all), epochs the room trained, server CPU and memory. The last line is JSON.
`--compression none` shows the cost of per-message deflate, which the server pays per follower.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import struct
import subprocess
import time
import urllib.request
from pathlib import Path

import _server
import numpy as np
import websockets

HEADER = struct.Struct("<4sBBHIIddHHiI")


def start_server(followers: int, deflate: bool) -> tuple[subprocess.Popen, socket.socket, int]:
    return _server.start_server(
        {
            "PLAYGROUND_MAX_CONNECTIONS_PER_IP": str(followers + 10),
            "PLAYGROUND_MAX_SESSIONS": str(max(followers + 10, 500)),
            "PLAYGROUND_MAX_ROOM_MEMBERS": str(max(followers, 300)),
            "PLAYGROUND_WS_PER_MESSAGE_DEFLATE": "true" if deflate else "false",
        }
    )


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def http(base: str, path: str, body: dict | None = None, token: str = "") -> dict:
    data = None if body is None else json.dumps(body).encode()
    headers = {"content-type": "application/json", "x-room-token": token}
    request = urllib.request.Request(base + path, data=data, headers=headers)
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())


class Follower:
    """One student following the room: acknowledges every frame, counts what arrives."""

    def __init__(self, compression: str | None) -> None:
        self.compression = compression
        self.negotiated = ""
        self.measuring = False
        self.frames = 0
        self.bytes = 0
        self.epochs: list[int] = []
        self.ready = asyncio.Event()

    async def run(self, url: str, hello: dict, stop: asyncio.Event) -> None:
        options = {"max_size": 2**22, "open_timeout": 60, "compression": self.compression}
        async with websockets.connect(url, **options) as ws:
            self.negotiated = ws.response.headers.get("Sec-WebSocket-Extensions") or "none"
            await ws.send(json.dumps(hello))
            while not stop.is_set():
                try:
                    raw = await asyncio.wait_for(ws.recv(), 0.5)
                except TimeoutError:
                    continue
                if not isinstance(raw, bytes):
                    continue
                seq, epoch = HEADER.unpack_from(raw)[4:6]
                await ws.send(json.dumps({"type": "ack", "seq": seq}))
                self.ready.set()
                if self.measuring:
                    self.frames += 1
                    self.bytes += len(raw)
                    self.epochs.append(epoch)


async def bench(args: argparse.Namespace, base: str) -> dict:
    ws_url = base.replace("http", "ws") + "/classroom/ws"
    room = http(base, "/classroom/api/rooms", {})
    stop = asyncio.Event()
    teacher = Follower(args.compression)
    hello = {"type": "hello", "role": "instructor", "code": room["code"], "token": room["token"]}
    tasks = [asyncio.create_task(teacher.run(ws_url, hello, stop))]
    followers = []
    for i in range(args.followers):
        member = http(base, "/classroom/api/join", {"code": room["code"], "name": f"s{i}"})
        follower = Follower(args.compression)
        hello = {"type": "hello", "role": "student", "code": room["code"]}
        hello["member"] = member["memberToken"]
        tasks.append(asyncio.create_task(follower.run(ws_url, hello, stop)))
        followers.append(follower)
    await asyncio.wait_for(asyncio.gather(*(f.ready.wait() for f in followers)), 60)

    async with websockets.connect(ws_url) as control:
        hello = {"type": "hello", "role": "instructor", "code": room["code"]}
        await control.send(json.dumps({**hello, "token": room["token"]}))
        await control.send(json.dumps({"type": "speed", "eps": args.speed}))
        await control.send(json.dumps({"type": "play"}))
        await asyncio.sleep(args.warmup)
        status = lambda: http(base, f"/classroom/api/rooms/{room['code']}", token=room["token"])  # noqa: E731
        before, cpu0, t0 = status(), cpu_seconds(args.pid), time.perf_counter()
        own0 = time.process_time()
        for f in followers:
            f.measuring = True
        await asyncio.sleep(args.seconds)
        for f in followers:
            f.measuring = False
        after, cpu1, t1 = status(), cpu_seconds(args.pid), time.perf_counter()
        own1 = time.process_time()
        await control.send(json.dumps({"type": "pause"}))
    stop.set()
    await asyncio.gather(*tasks, return_exceptions=True)

    elapsed = t1 - t0
    fps = np.array([f.frames / elapsed for f in followers])
    frames = sum(f.frames for f in followers)
    return {
        "followers": args.followers,
        "compression": followers[0].negotiated if followers else "none",
        "followers_receiving": int((fps > 0).sum()),
        "fps_min": round(float(fps.min()), 1),
        "fps_p5": round(float(np.percentile(fps, 5)), 1),
        "fps_p50": round(float(np.percentile(fps, 50)), 1),
        "room_epochs_per_s": round((after["epochsTrained"] - before["epochsTrained"]) / elapsed, 1),
        "room_frames_encoded_per_s": round(
            (after["framesEncoded"] - before["framesEncoded"]) / elapsed, 1
        ),
        "bytes_per_frame": round(sum(f.bytes for f in followers) / max(1, frames)),
        "cpu_percent": round(100 * (cpu1 - cpu0) / elapsed, 1),
        "rss_mb": round(rss_mb(args.pid), 1),
        # The followers all live in this one process: when it is near 100 %, it is the limit.
        "client_cpu_percent": round(100 * (own1 - own0) / elapsed, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--followers", type=int, default=100)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--warmup", type=float, default=2.0)
    parser.add_argument("--speed", default=60, type=lambda v: v if v == "max" else int(v))
    parser.add_argument(
        "--compression",
        choices=("deflate", "none"),
        default="none",
        help="none (the server's default), or per-message deflate allowed and offered",
    )
    args = parser.parse_args()
    args.compression = None if args.compression == "none" else "deflate"
    proc, sock, port = start_server(args.followers, args.compression == "deflate")
    args.pid = proc.pid
    try:
        result = asyncio.run(bench(args, f"http://127.0.0.1:{port}"))
    finally:
        _server.stop_server(proc)
        sock.close()
    print(
        f"followers             {result['followers']} ({result['followers_receiving']} receiving)"
    )
    print(
        f"frames/s per follower min {result['fps_min']}  p5 {result['fps_p5']}  "
        f"p50 {result['fps_p50']}"
    )
    print(
        f"room: {result['room_epochs_per_s']} epochs/s trained once, "
        f"{result['room_frames_encoded_per_s']} frames/s encoded once"
    )
    print(f"bytes per frame       {result['bytes_per_frame']}")
    print(f"server CPU            {result['cpu_percent']} %   RSS {result['rss_mb']} MB")
    print(f"bench client CPU      {result['client_cpu_percent']} % (all followers, one process)")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
