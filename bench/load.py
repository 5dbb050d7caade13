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

`--mix` gives every other client a second, much larger setup (spiral, all 7 features, 6 hidden
layers of 8), as a class where students build different networks: the figures are then also given
per setup, to show that neither kind starves.
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
from pathlib import Path

import _metrics
import _server
import numpy as np
import websockets

HEADER = struct.Struct("<4sBBHIIddHHiI")
FPS = 30
FEATURES = ("x", "y", "xTimesY", "xSquared", "ySquared", "sinX", "sinY")
SETUPS = {
    "default": {},
    "big": {"dataset": "spiral", "networkShape": [8] * 6, **{name: True for name in FEATURES}},
}


def start_server(sessions: int) -> tuple[subprocess.Popen, socket.socket, int]:
    return _server.start_server(
        {
            "PLAYGROUND_MAX_CONNECTIONS_PER_IP": str(sessions + 11),
            "PLAYGROUND_MAX_SESSIONS": str(max(sessions + 10, 500)),
        }
    )


def _stat(pid: int) -> list[str]:
    return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()


def children(pid: int) -> list[int]:
    """The server's own processes (engine workers and their helper), found through /proc."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if int(_stat(int(entry.name))[1]) == pid:
                    found.append(int(entry.name))
            except (OSError, IndexError, ValueError):
                continue
    return found


def cpu_seconds(pid: int, kids: list[int]) -> float:
    """CPU time of the server and of its engine workers (they train: their CPU is the server's)."""
    total = 0.0
    for p in [pid, *kids]:
        try:
            fields = _stat(p)
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


def rss_mb(pid: int) -> float:
    try:
        text = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0.0
    for line in text.splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


class Player:
    """One client: plays at max speed, acks every frame at once, records what it saw."""

    def __init__(self, setup: str = "default") -> None:
        self.setup = setup
        self.measuring = False
        self.frames = 0
        self.bytes = 0
        self.epoch = 0  # the newest epoch this client has seen
        self.window: list[int] = []  # its epoch when the window opened, then when it closed
        self.latencies: list[float] = []
        self.errors = 0
        self.connected = asyncio.Event()

    async def run(self, url: str, ready: asyncio.Event, stop: asyncio.Event) -> None:
        async with websockets.connect(url, max_size=2**22, open_timeout=60) as ws:
            if SETUPS[self.setup]:
                await ws.send(json.dumps({"type": "config", "config": SETUPS[self.setup]}))
            await ws.send(json.dumps({"type": "speed", "eps": "max"}))
            await ws.send(json.dumps({"type": "fps", "fps": FPS}))
            self.connected.set()
            await ready.wait()
            await ws.send(json.dumps({"type": "play"}))
            acked_at = prev_at = time.perf_counter()
            while not stop.is_set():
                try:
                    raw = await asyncio.wait_for(ws.recv(), 1.0)
                except TimeoutError:
                    continue
                now = time.perf_counter()
                if not isinstance(raw, bytes):
                    self.errors += '"type":"error"' in raw
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
        """The window opens or closes: note the newest epoch seen (a stalled client's stays)."""
        self.window.append(self.epoch)

    def epochs_per_s(self, seconds: float) -> float:
        """Epochs trained over the whole window, by its measured length, for every client alike."""
        return (self.window[1] - self.window[0]) / seconds if len(self.window) == 2 else 0.0


async def probe(url: str, stop: asyncio.Event, rtts: list[float], measuring) -> None:
    """Round trips of a paused client's `fps` message, answered by `state`, while others play."""
    async with websockets.connect(url, max_size=2**22, open_timeout=60) as ws:
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
            if measuring():
                rtts.append(time.perf_counter() - sent)
            await asyncio.sleep(0.1)


async def measure(
    port: int, pid: int, sessions: int, seconds: float, warmup: float, mix: bool = False
) -> dict:
    url = f"ws://127.0.0.1:{port}/ws"
    ready, stop = asyncio.Event(), asyncio.Event()
    kinds = list(SETUPS) if mix else ["default"]
    players = [Player(kinds[i % len(kinds)]) for i in range(sessions)]
    tasks = [asyncio.create_task(p.run(url, ready, stop)) for p in players]
    rtts: list[float] = []
    tasks.append(asyncio.create_task(probe(url, stop, rtts, lambda: players[0].measuring)))
    # Everyone connects first, then all start playing at once.
    await asyncio.wait_for(asyncio.gather(*(p.connected.wait() for p in players)), 120)
    ready.set()
    await asyncio.sleep(warmup)
    kids = children(pid)
    for p in players:
        p.measuring = True
        p.mark()
    cpu0, t0 = cpu_seconds(pid, kids), time.perf_counter()
    scraped = await asyncio.to_thread(_metrics.scrape, port)
    await asyncio.sleep(seconds)
    lag = _metrics.loop_lag(scraped, await asyncio.to_thread(_metrics.scrape, port))
    cpu1, t1 = cpu_seconds(pid, kids), time.perf_counter()
    for p in players:
        p.measuring = False
        p.mark()
    window = t1 - t0  # measured, not planned: a late wake-up is part of the window
    rss = rss_mb(pid)
    kids_rss = sum(rss_mb(k) for k in kids)
    stop.set()
    await asyncio.gather(*tasks, return_exceptions=True)
    eps = np.array([p.epochs_per_s(window) for p in players])
    fps = np.array([p.frames / window for p in players])
    latencies = np.concatenate([p.latencies for p in players if p.latencies] or [[np.nan]])
    frames = sum(p.frames for p in players)
    per_setup = {}
    for kind in kinds if mix else ():
        group = [i for i, p in enumerate(players) if p.setup == kind]
        per_setup[kind] = {
            "sessions": len(group),
            "epochs_per_s_p5": round(float(np.percentile(eps[group], 5)), 1),
            "epochs_per_s_p50": round(float(np.percentile(eps[group], 50)), 1),
            "fps_p5": round(float(np.percentile(fps[group], 5)), 1),
            "fps_p50": round(float(np.percentile(fps[group], 50)), 1),
        }
    return {
        "sessions": sessions,
        "aggregate_epochs_per_s": round(float(eps.sum()), 1),
        "epochs_per_s_p5": round(float(np.percentile(eps, 5)), 1),
        "epochs_per_s_p50": round(float(np.percentile(eps, 50)), 1),
        "fps_p5": round(float(np.percentile(fps, 5)), 1),
        "fps_p50": round(float(np.percentile(fps, 50)), 1),
        "latency_p50_ms": round(float(np.percentile(latencies, 50)) * 1000, 1),
        "latency_p95_ms": round(float(np.percentile(latencies, 95)) * 1000, 1),
        "bytes_per_frame": round(sum(p.bytes for p in players) / max(1, frames)),
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
        **({"per_setup": per_setup} if mix else {}),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=10)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--warmup", type=float, default=2.0)
    parser.add_argument("--mix", action="store_true", help="every other client: a large setup")
    args = parser.parse_args()
    proc, sock, port = start_server(args.sessions)
    try:
        result = asyncio.run(
            measure(port, proc.pid, args.sessions, args.seconds, args.warmup, args.mix)
        )
    finally:
        _server.stop_server(proc)
        sock.close()
    r = result
    print(f"sessions                 {r['sessions']}")
    print(f"aggregate epochs/s       {r['aggregate_epochs_per_s']}")
    print(f"epochs/s per session     p5 {r['epochs_per_s_p5']}  p50 {r['epochs_per_s_p50']}")
    print(f"frames/s per client      p5 {r['fps_p5']}  p50 {r['fps_p50']}")
    print(f"frame latency ms         p50 {r['latency_p50_ms']}  p95 {r['latency_p95_ms']}")
    print(f"bytes per frame          {r['bytes_per_frame']}")
    print(f"server CPU %             {r['cpu_percent']}")
    kids = f"(+ {r['workers_rss_mb']} in {r['worker_processes']} child processes)"
    print(f"server RSS MB            {r['rss_mb']}  {kids}")
    print(f"clients without frames   {r['clients_without_frames']}  errors {r['errors']}")
    print(f"probe round trip ms      p50 {r['probe_rtt_p50_ms']}  max {r['probe_rtt_max_ms']}")
    lag = f"p50 {r['loop_lag_p50_ms']}  p99 {r['loop_lag_p99_ms']}  max {r['loop_lag_max_ms']}"
    print(f"event-loop lag ms        {lag}  (/metrics over the window)")
    for kind, g in r.get("per_setup", {}).items():
        print(
            f"{kind:<8} x{g['sessions']:<4}  epochs/s p5 {g['epochs_per_s_p5']}"
            f"  p50 {g['epochs_per_s_p50']}  fps p5 {g['fps_p5']}  p50 {g['fps_p50']}"
        )
    print(json.dumps(result))


if __name__ == "__main__":
    main()
