"""Load test: N real WebSocket clients each play the default setup at max speed on one server.

    python bench/load.py --sessions 50 --seconds 10

Starts `python -m server` on a free loopback port, connects the clients, lets them warm up, then
measures for `--seconds`: every client over the same window, by its measured length (a client that
stalls or fails keeps the epochs it reached, not the rate it had). Latency is the server's delay
beyond what pacing requires: a frame's arrival minus the moment the server was first allowed to
send it (the later of our ack of the previous frame and the previous frame's arrival plus 1/fps; 0
if earlier). A probe client asks for its `state` ten times a second meanwhile: its round trip shows
how long the event loop is ever busy, and the server's own probe of its event loop's lag (GET
/metrics, read before and after the window) shows how late the loop ran. Server CPU counts the
engine worker processes too (PLAYGROUND_ENGINE_WORKERS sets how many; 0 trains in the server
process). The last line is JSON.

`--mix` gives a fraction of the clients (`--mix-fraction`, 0.1, spread evenly) a larger setup
(`--mix-setup`: 888, spiral with hidden layers [8, 8, 8]; `big` and `largest` are larger still,
SETUPS below), as a class where a few students build bigger networks, with 20 clients unless
`--sessions` says otherwise. `--tabs 20` adds one student with 20 tabs of the largest network
(`--tabs-setup`) beside the `--sessions` clients. Every client sends a person id in its opening
config, as the page does (one per client; the student's tabs share one). Per setup it reports
epochs/s, CPU-seconds per epoch (the engine's training time), frames/s, frame latency, and its
share of all training time against an equal share per person; and Jain's fairness index over
sessions' and over persons' training time (from each session's `trainedSeconds`, read from
`state` as the window opens and closes; "n/a" from a server that does not report it). With
`--mix` or `--tabs` the same server is first measured with the `--sessions` default clients
alone (`--no-baseline` skips it), and the report says what share of their epochs/s and frames/s
the default clients kept in the mix. `--server-root ../other-checkout` runs another version's
server (the clients stay these), to compare before and after.

    python bench/load.py --mix                      # 20 clients, 2 of them [8, 8, 8] on spiral
    python bench/load.py --tabs 20                  # 10 default clients and a student's 20 tabs
    python bench/load.py --mix --server-root /work/base
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import socket
import struct
import subprocess
import time
import uuid
from pathlib import Path

import _metrics
import _procs
import _server
import _shares
import numpy as np
import websockets

HEADER = struct.Struct("<4sBBHIIddHHiI")
FPS = 30
FEATURES = ("x", "y", "xTimesY", "xSquared", "ySquared", "sinX", "sinY")
ALL_FEATURES = {name: True for name in FEATURES}
SETUPS = {
    "default": {},
    "big": {"dataset": "spiral", "networkShape": [8] * 6, **ALL_FEATURES},
    "888": {"dataset": "spiral", "networkShape": [8, 8, 8]},
    # The largest network a student may build: its epoch costs about 40 default ones.
    "largest": {
        "dataset": "spiral",
        "networkShape": [8] * 6,
        **ALL_FEATURES,
        "batchSize": 1,
        "percTrainData": 90,
    },
}


def start_server(
    sessions: int, root: Path | None = None, processes: int = 1, redis_url: str = ""
) -> tuple[subprocess.Popen, socket.socket, int]:
    settings = {
        "PLAYGROUND_MAX_CONNECTIONS_PER_IP": str(sessions + 11),
        "PLAYGROUND_MAX_SESSIONS": str(max(sessions + 10, 500)),
    }
    if redis_url:
        settings["PLAYGROUND_REDIS_URL"] = redis_url
    return _server.start_server(settings, root=root, processes=processes)


class Player:
    """One client: plays at max speed, acks every frame at once, records what it saw."""

    def __init__(self, setup: str = "default", person: str | None = None) -> None:
        self.setup = setup
        self.person = person or uuid.uuid4().hex  # as a page makes one, kept in localStorage
        self.marks: list[tuple[int, float | None]] = []  # (epoch, trainedSeconds) from `state`
        self.want_state = self.asked = False
        self.measuring = False
        self.frames = 0
        self.bytes = 0
        self.epoch = 0  # the newest epoch this client has seen
        self.window: list[int] = []  # its epoch when the window opened, then when it closed
        self.latencies: list[float] = []
        self.errors = 0
        self.connected = asyncio.Event()

    async def run(self, url: str, ready: asyncio.Event, stop: asyncio.Event) -> None:
        url += "?first=config"  # as the page: the opening config builds the session
        async with websockets.connect(url, max_size=2**22, open_timeout=60) as ws:
            opening = {"type": "config", "config": SETUPS[self.setup], "person": self.person}
            await ws.send(json.dumps(opening))
            await ws.send(json.dumps({"type": "speed", "eps": "max"}))
            await ws.send(json.dumps({"type": "fps", "fps": FPS}))
            self.connected.set()
            await ready.wait()
            await ws.send(json.dumps({"type": "play"}))
            acked_at = prev_at = time.perf_counter()
            while not stop.is_set():
                if self.want_state:  # `fps` is answered by `state`
                    self.want_state, self.asked = False, True
                    await ws.send(json.dumps({"type": "fps", "fps": FPS}))
                try:
                    raw = await asyncio.wait_for(ws.recv(), 1.0)
                except TimeoutError:
                    continue
                now = time.perf_counter()
                if not isinstance(raw, bytes):
                    self.errors += '"type":"error"' in raw
                    if self.asked and raw.startswith('{"type":"state"'):
                        state = json.loads(raw)
                        self.marks.append((state["epoch"], state.get("trainedSeconds")))
                        self.asked = False
                    continue
                seq, self.epoch = HEADER.unpack_from(raw)[4:6]
                await ws.send(json.dumps({"type": "ack", "seq": seq}))
                if self.measuring:
                    late = now - max(acked_at, prev_at + 1.0 / FPS)
                    self.latencies.append(max(0.0, late))  # pacing may send a little early
                    self.frames += 1
                    self.bytes += len(raw)
                acked_at = prev_at = now

    def mark(self) -> None:
        """The window opens or closes: note the newest epoch seen (a stalled client's stays), and
        ask for `state` (its session's training seconds)."""
        self.window.append(self.epoch)
        self.want_state = True

    def trained_seconds(self) -> float | None:
        """The session's training seconds over the window, as the server reported them."""
        if len(self.marks) != 2 or None in (self.marks[0][1], self.marks[1][1]):
            return None
        return self.marks[1][1] - self.marks[0][1]

    def trained_epochs(self) -> int | None:
        return self.marks[1][0] - self.marks[0][0] if len(self.marks) == 2 else None

    def epochs_per_s(self, seconds: float) -> float:
        """Epochs trained over the whole window, by its measured length, for every client alike."""
        return (self.window[1] - self.window[0]) / seconds if len(self.window) == 2 else 0.0


async def probe(url: str, stop: asyncio.Event, rtts: list[float], measuring) -> None:
    """Round trips of a paused client's `fps` message, answered by `state`, while others play."""
    async with websockets.connect(url, max_size=2**22, open_timeout=60) as ws:
        admitted = False  # the first answer may wait for admission (a queue, when many arrive)
        while not stop.is_set():
            sent = time.perf_counter()
            await ws.send(json.dumps({"type": "fps", "fps": FPS}))
            while True:
                raw = await ws.recv()
                if isinstance(raw, str) and raw.startswith('{"type":"state"'):
                    break
                if isinstance(raw, bytes):
                    seq = HEADER.unpack_from(raw)[4]
                    await ws.send(json.dumps({"type": "ack", "seq": seq}))
            if measuring() and admitted:
                rtts.append(time.perf_counter() - sent)
            admitted = True
            await asyncio.sleep(0.1)


def cast(sessions: int, mix: bool, fraction: float, large: str, tabs: int, tab_setup: str):
    """The clients: `sessions` of the default setup, a `fraction` of them (spread evenly) playing
    `large` instead under --mix, then one person's `tabs` tabs of `tab_setup`."""
    kinds = ["default"] * sessions
    if mix:
        kinds = [large if int((i + 1) * fraction) > int(i * fraction) else "default"
                 for i in range(sessions)]  # fmt: skip
    players = [Player(kind) for kind in kinds]
    student = uuid.uuid4().hex
    return players + [Player(tab_setup, person=student) for _ in range(tabs)]


async def measure(port: int, pid: int, players: list[Player], seconds: float, warmup: float):
    url = f"ws://127.0.0.1:{port}/ws"
    ready, stop = asyncio.Event(), asyncio.Event()
    tasks = [asyncio.create_task(p.run(url, ready, stop)) for p in players]
    rtts: list[float] = []
    tasks.append(asyncio.create_task(probe(url, stop, rtts, lambda: players[0].measuring)))
    # Everyone connects first, then all start playing at once.
    await asyncio.wait_for(asyncio.gather(*(p.connected.wait() for p in players)), 120)
    ready.set()
    await asyncio.sleep(warmup)
    kids = _procs.tree(pid)[1:]  # engine workers; serving processes too under a supervisor
    for p in players:
        p.measuring = True
        p.mark()
    cpu0, t0 = _procs.cpu_seconds(pid, kids), time.perf_counter()
    scraped = await asyncio.to_thread(_metrics.scrape, port)
    await asyncio.sleep(seconds)
    lag = _metrics.loop_lag(scraped, await asyncio.to_thread(_metrics.scrape, port))
    cpu1, t1 = _procs.cpu_seconds(pid, kids), time.perf_counter()
    for p in players:
        p.measuring = False
        p.mark()
    window = t1 - t0  # measured, not planned: a late wake-up is part of the window
    rss = _procs.rss_mb(pid)
    kids_rss = sum(_procs.rss_mb(k) for k in kids)
    with contextlib.suppress(TimeoutError):  # each client's `state` as the window closed
        async with asyncio.timeout(5):
            while any(len(p.marks) < 2 for p in players):
                await asyncio.sleep(0.02)
    stop.set()
    await asyncio.gather(*tasks, return_exceptions=True)
    eps = np.array([p.epochs_per_s(window) for p in players])
    fps = np.array([p.frames / window for p in players])
    latencies = np.concatenate([p.latencies for p in players if p.latencies] or [[np.nan]])
    frames = sum(p.frames for p in players)
    mixed = len({p.setup for p in players}) > 1
    return {
        "sessions": len(players),
        "aggregate_epochs_per_s": round(float(eps.sum()), 1),
        "epochs_per_s_p5": round(float(np.percentile(eps, 5)), 1),
        "epochs_per_s_p50": round(float(np.percentile(eps, 50)), 1),
        "fps_p5": round(float(np.percentile(fps, 5)), 1),
        "fps_p50": round(float(np.percentile(fps, 50)), 1),
        "latency_p50_ms": round(float(np.percentile(latencies, 50)) * 1000, 1),
        "latency_p95_ms": round(float(np.percentile(latencies, 95)) * 1000, 1),
        "bytes_per_frame": round(sum(p.bytes for p in players) / max(1, frames)),
        "kbit_per_s_per_client": round(
            8 * sum(p.bytes for p in players) / 1000 / window / len(players), 1
        ),
        "cpu_percent": round((cpu1 - cpu0) / (t1 - t0) * 100, 1),
        "rss_mb": round(rss, 1),
        "worker_processes": len(kids),
        "workers_rss_mb": round(kids_rss, 1),
        "clients_without_frames": int(sum(p.frames == 0 for p in players)),
        "errors": int(sum(p.errors for p in players)),
        "probe_rtt_p50_ms": round(float(np.percentile(rtts or [np.nan], 50)) * 1000, 1),
        "probe_rtt_max_ms": round(float(np.max(rtts or [np.nan])) * 1000, 1),
        "loop_lag_p50_ms": lag["p50_ms"],
        "loop_lag_p99_ms": lag["p99_ms"],
        "loop_lag_max_ms": lag["max_ms"],
        **({"per_setup": _shares.per_setup(players, eps, fps)} if mixed else {}),
        **_shares.fairness(players),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, help="default clients (10; 20 with --mix)")
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--warmup", type=float, default=2.0)
    parser.add_argument("--mix", action="store_true", help="a fraction of the clients: larger")
    parser.add_argument("--mix-fraction", type=float, default=0.1, help="larger, with --mix")
    parser.add_argument("--mix-setup", choices=sorted(SETUPS), default="888")
    parser.add_argument("--tabs", type=int, default=0, help="one student's tabs, beside the rest")
    parser.add_argument("--tabs-setup", choices=sorted(SETUPS), default="largest")
    parser.add_argument("--no-baseline", action="store_true", help="skip the clients alone")
    parser.add_argument("--server-root", type=Path, help="another checkout's server to run")
    parser.add_argument("--processes", type=int, default=1, help="serving processes (Redis)")
    parser.add_argument("--redis-url", default="", help="else, with --processes > 1, our own")
    args = parser.parse_args()
    sessions = args.sessions or (20 if args.mix else 10)
    baseline = (args.mix or args.tabs > 0) and not args.no_baseline
    mix = (args.mix, args.mix_fraction, args.mix_setup)
    players = cast(sessions, *mix, args.tabs, args.tabs_setup)
    redis = None
    if args.processes > 1 and not args.redis_url:
        redis, args.redis_url = _server.start_redis()
    proc, sock, port = start_server(len(players), args.server_root, args.processes, args.redis_url)
    try:
        base = None
        if baseline:
            alone = [Player() for _ in range(sessions)]
            base = asyncio.run(measure(port, proc.pid, alone, args.seconds, args.warmup))
        result = asyncio.run(measure(port, proc.pid, players, args.seconds, args.warmup))
    finally:
        _server.stop_server(proc)
        sock.close()
        if redis is not None:
            redis.terminate()
    if base is not None:
        print(f"-- baseline: {sessions} default clients alone")
        _shares.report(base)
        print("-- with the mix")
    _shares.report(result)
    if base is not None:
        result["baseline"] = base
        result["default_kept"] = _shares.kept(base, result)
        k = result["default_kept"]
        print(f"default clients kept     epochs/s {k['epochs_per_s']:.0%}  frames/s {k['fps']:.0%}")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
