"""Classroom fan-out: rooms, each with its instructor playing, N followers each, on loopback.

    python bench/rooms.py --followers 300
    python bench/rooms.py --rooms 10 --followers 30
    python bench/rooms.py --followers 500 --processes 2      # starts its own redis-server

Starts `python -m server` on a free loopback port (with `--processes N`, N serving processes
sharing rooms through Redis: `--redis-url`, or a redis-server of its own), creates the rooms, has
each instructor play at `--speed` epochs/s, joins N students per room who follow (each
acknowledges every frame at once), then measures every follower over the same window of
`--seconds`: frames per second received, the epochs per second the frames showed (the training
followers actually saw), bytes per frame and kbit/s; how many frames each room encoded (once for
all its followers) and epochs it trained; and the CPU and memory of the server with all its
processes and engine workers. The last line is JSON. `--compression deflate` shows the cost of
per-message deflate, which the server pays per follower.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import socket
import struct
import subprocess
import time
import urllib.request
from pathlib import Path

import _procs
import _server
import numpy as np
import websockets

HEADER = struct.Struct("<4sBBHIIddHHiI")


def start_server(args: argparse.Namespace) -> tuple[subprocess.Popen, socket.socket, int]:
    everyone = args.rooms * (args.followers + 2) + 10
    settings = {
        "PLAYGROUND_MAX_CONNECTIONS_PER_IP": str(everyone),
        "PLAYGROUND_MAX_CONNECTIONS": str(max(everyone, 1000)),
        "PLAYGROUND_MAX_SESSIONS": str(max(everyone, 500)),
        "PLAYGROUND_MAX_ROOM_MEMBERS": str(max(args.followers, 300)),
        "PLAYGROUND_MAX_ROOMS": str(max(args.rooms, 100)),
        "PLAYGROUND_MAX_ROOMS_PER_IP": str(args.rooms),  # every instructor is this one address
        "PLAYGROUND_ROOM_CREATIONS_PER_MINUTE": str(args.rooms + 10),
        "PLAYGROUND_JOINS_PER_MINUTE_PER_IP": str(everyone),
        "PLAYGROUND_JOINS_PER_MINUTE_PER_ROOM": str(everyone),
        "PLAYGROUND_WS_PER_MESSAGE_DEFLATE": "true" if args.compression else "false",
    }
    if args.redis_url:
        settings["PLAYGROUND_REDIS_URL"] = args.redis_url
    return _server.start_server(settings, processes=args.processes, root=args.server_root)


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
        self.room = ""
        self.ready = asyncio.Event()
        self.retries = 0  # hellos refused as busy, then tried again

    async def run(self, url: str, hello: dict, stop: asyncio.Event) -> None:
        """Follow until `stop`; told to try again later (close code 1013: the room's server was
        busy), try again as a page does, after 2 s, then 4, at most 30."""
        wait = 2.0
        while not stop.is_set():
            try:
                await self._follow(url, hello, stop)
                return
            except websockets.ConnectionClosed as exc:
                if exc.rcvd is None or exc.rcvd.code != 1013:
                    raise
                self.retries += 1
            await asyncio.sleep(wait * random.uniform(0.8, 1.2))
            wait = min(30.0, wait * 2)

    async def _follow(self, url: str, hello: dict, stop: asyncio.Event) -> None:
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
    rooms = [http(base, "/classroom/api/rooms", {}) for _ in range(args.rooms)]
    stop = asyncio.Event()
    tasks, followers = [], []
    for room in rooms:
        teacher = Follower(args.compression)
        hello = {"type": "hello", "role": "instructor", "code": room["code"]}
        hello["token"] = room["token"]
        tasks.append(asyncio.create_task(teacher.run(ws_url, hello, stop)))
        for i in range(args.followers):
            member = http(base, "/classroom/api/join", {"code": room["code"], "name": f"s{i}"})
            follower = Follower(args.compression)
            follower.room = room["code"]
            hello = {"type": "hello", "role": "student", "code": room["code"]}
            hello["member"] = member["memberToken"]
            tasks.append(asyncio.create_task(follower.run(ws_url, hello, stop)))
            followers.append(follower)
    await asyncio.wait_for(asyncio.gather(*(f.ready.wait() for f in followers)), 120)

    def status(room: dict) -> dict:
        return http(base, f"/classroom/api/rooms/{room['code']}", token=room["token"])

    controls = []
    for room in rooms:
        control = await websockets.connect(ws_url)
        hello = {"type": "hello", "role": "instructor", "code": room["code"]}
        await control.send(json.dumps({**hello, "token": room["token"]}))
        await control.send(json.dumps({"type": "speed", "eps": args.speed}))
        await control.send(json.dumps({"type": "play"}))
        controls.append(control)
    await asyncio.sleep(args.warmup)
    before = [status(r) for r in rooms]
    t0, cpu0, own0 = time.perf_counter(), _procs.tree_cpu_seconds(args.pid), time.process_time()
    for f in followers:
        f.measuring = True
    await asyncio.sleep(args.seconds)
    for f in followers:
        f.measuring = False
    t1, cpu1, own1 = time.perf_counter(), _procs.tree_cpu_seconds(args.pid), time.process_time()
    after, rss = [status(r) for r in rooms], _procs.tree_rss_mb(args.pid)
    for control in controls:
        await control.send(json.dumps({"type": "pause"}))
        await control.close()
    stop.set()
    await asyncio.gather(*tasks, return_exceptions=True)

    elapsed = t1 - t0
    fps = np.array([f.frames / elapsed for f in followers])
    seen = np.array([(max(f.epochs or [0]) - min(f.epochs or [0])) / elapsed for f in followers])
    frames = sum(f.frames for f in followers)
    total_bytes = sum(f.bytes for f in followers)

    def per_s(key: str) -> float:
        return round(sum(a[key] - b[key] for a, b in zip(after, before, strict=True)) / elapsed, 1)

    return {
        "rooms": args.rooms,
        "followers_per_room": args.followers,
        "processes": args.processes,
        "compression": followers[0].negotiated if followers else "none",
        "followers_receiving": int((fps > 0).sum()),
        "hellos_retried": sum(f.retries for f in followers),  # refused as busy, tried again
        "fps_min": round(float(fps.min()), 1),
        "fps_p5": round(float(np.percentile(fps, 5)), 1),
        "fps_p50": round(float(np.percentile(fps, 50)), 1),
        "seen_epochs_per_s_p5": round(float(np.percentile(seen, 5)), 1),
        "seen_epochs_per_s_p50": round(float(np.percentile(seen, 50)), 1),
        "rooms_epochs_per_s": per_s("epochsTrained"),
        "rooms_frames_encoded_per_s": per_s("framesEncoded"),
        "bytes_per_frame": round(total_bytes / max(1, frames)),
        "kbit_per_s_per_follower": round(8 * total_bytes / 1000 / elapsed / len(followers), 1),
        "cpu_percent": round(100 * (cpu1 - cpu0) / elapsed, 1),
        "rss_mb": round(rss, 1),
        # The followers all live in this one process: when it is near 100 %, it is the limit.
        "client_cpu_percent": round(100 * (own1 - own0) / elapsed, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rooms", type=int, default=1)
    parser.add_argument("--followers", type=int, default=100, help="per room")
    parser.add_argument("--processes", type=int, default=1)
    parser.add_argument("--redis-url", default="", help="else, with --processes > 1, our own")
    parser.add_argument("--server-root", type=Path, help="another checkout's server to run")
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
    redis = None
    if args.processes > 1 and not args.redis_url:
        redis, args.redis_url = _server.start_redis()
    proc, sock, port = start_server(args)
    args.pid = proc.pid
    try:
        result = asyncio.run(bench(args, f"http://127.0.0.1:{port}"))
    finally:
        _server.stop_server(proc)
        sock.close()
        if redis is not None:
            redis.terminate()
    everyone = result["rooms"] * result["followers_per_room"]
    print(
        f"rooms x followers     {result['rooms']} x {result['followers_per_room']} on "
        f"{result['processes']} process(es) ({result['followers_receiving']}/{everyone} receiving)"
    )
    print(
        f"frames/s per follower min {result['fps_min']}  p5 {result['fps_p5']}  "
        f"p50 {result['fps_p50']}"
    )
    print(
        f"epochs/s followers saw p5 {result['seen_epochs_per_s_p5']}  "
        f"p50 {result['seen_epochs_per_s_p50']}"
    )
    print(
        f"rooms: {result['rooms_epochs_per_s']} epochs/s trained once, "
        f"{result['rooms_frames_encoded_per_s']} frames/s encoded once (all rooms)"
    )
    print(
        f"bytes per frame       {result['bytes_per_frame']}  "
        f"({result['kbit_per_s_per_follower']} kbit/s per follower)"
    )
    cpu, rss = result["cpu_percent"], result["rss_mb"]
    print(f"server CPU            {cpu} %   RSS {rss} MB (all its processes)")
    print(f"bench client CPU      {result['client_cpu_percent']} % (all followers, one process)")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
