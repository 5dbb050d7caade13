"""Reliability bench: every attack a class of students can mount on a shared instance, bounded
in count and time against 127.0.0.1, then a soak of playing sessions.

    python bench/abuse.py                      # a 10-minute soak at the end
    python bench/abuse.py --soak-seconds 60

Starts `python -m server` with its default settings (its log kept, to count tracebacks), and a
second one with 256 file descriptors and an instructor passphrase for the attacks those are
about. For each attack it prints what was tried, what the server did, the event loop's lag
(from /metrics' histogram over the attack: p50, p99, and the bucket of the largest) and the
server's RSS
(with its engine workers) and open file descriptors (from /proc) during and after. Clients
other than the attacker use other loopback addresses (127.x.y.z), as other students would use
other addresses. The last line is JSON.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
import time
from pathlib import Path

import _metrics
import _server

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests" / "server"))  # the tests' fuzz: one definition of it

import _attacks_app as app  # noqa: E402
import _attacks_net as net  # noqa: E402

KEY = "bench passphrase"


class Target:
    """A running server: its port, process, log, and what /proc and /metrics say of it."""

    def __init__(self, settings: dict, nofile: int | None = None) -> None:
        self.log_path = Path(tempfile.mkstemp(prefix="abuse-", suffix=".log")[1])
        self._log = self.log_path.open("wb")
        env = {f"PLAYGROUND_{k.upper()}": str(v) for k, v in settings.items()}
        self.proc, self.sock, self.port = _server.start_server(env, self._log, nofile)

    def stop(self) -> None:
        _server.stop_server(self.proc)
        self.sock.close()
        self._log.close()

    def tracebacks(self) -> int:
        return self.log_path.read_text(errors="replace").count("Traceback")

    def fds(self) -> int:
        try:
            return len(list(Path(f"/proc/{self.proc.pid}/fd").iterdir()))
        except OSError:
            return -1

    def rss_mb(self) -> float:
        """The server's resident memory and its engine workers'."""
        total = 0
        for pid in [self.proc.pid, *_children(self.proc.pid)]:
            try:
                status = Path(f"/proc/{pid}/status").read_text()
            except OSError:
                continue
            total += next(int(line.split()[1]) for line in status.splitlines() if "VmRSS" in line)
        return round(total / 1024, 1)

    def sample(self) -> dict:
        lag = _metrics.scrape(self.port)["playground_event_loop_lag_max_seconds"]
        return {"rss_mb": self.rss_mb(), "fds": self.fds(), "lag_max_ms": round(lag * 1000, 1)}


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(stat[1]) == pid:
                found.append(int(entry.name))
    return found


async def _ready(target: Target) -> None:
    """Wait for /readyz (the engine workers are up): what a load balancer would wait for."""
    import _clients

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        status, _ = await asyncio.to_thread(_clients.http_call, target.port, "GET", "/readyz")
        if status == 200:
            return
        await asyncio.sleep(0.1)
    raise RuntimeError("the server never became ready")


async def measured(target: Target, name: str, tried: str, attack) -> dict:
    """Run one attack with the server watched every half second; its figures, printed."""
    before = await asyncio.to_thread(_metrics.scrape, target.port)
    tracebacks = target.tracebacks()
    samples, done = [], asyncio.Event()

    async def watch() -> None:
        while not done.is_set():
            samples.append(await asyncio.to_thread(target.sample))
            await asyncio.sleep(0.5)

    watcher = asyncio.create_task(watch())
    started = time.perf_counter()
    try:
        did = await attack()
    except Exception as exc:  # one attack's failure is a finding, not the end of the bench
        did = {"bench_error": f"{type(exc).__name__}: {exc}"}
    seconds = round(time.perf_counter() - started, 1)
    done.set()
    await watcher
    lag = _metrics.loop_lag(before, await asyncio.to_thread(_metrics.scrape, target.port))
    await asyncio.sleep(1.0)  # then what it looks like once the attack is over
    after = await asyncio.to_thread(target.sample)
    result = {
        "attack": name,
        "tried": tried,
        "seconds": seconds,
        "server_did": did,
        "new_tracebacks": target.tracebacks() - tracebacks,
        "loop_lag_ms": {k: lag[k] for k in ("p50_ms", "p99_ms", "max_at_most_ms")},
        "during": {
            "rss_mb_max": max((s["rss_mb"] for s in samples), default=None),
            "fds_max": max((s["fds"] for s in samples), default=None),
        },
        "after": {"rss_mb": after["rss_mb"], "fds": after["fds"]},
    }
    report(result)
    return result


def report(result: dict) -> None:
    print(f"\n== {result['attack']}  ({result['seconds']} s)")
    print(f"   tried:      {result['tried']}")
    print(f"   server did: {json.dumps(result['server_did'])}")
    lag = result["loop_lag_ms"]
    p50, p99, top = lag["p50_ms"], lag["p99_ms"], lag["max_at_most_ms"]
    print(f"   loop lag:   p50 {p50} ms  p99 {p99} ms  max <= {top} ms")
    during, after = result["during"], result["after"]
    print(
        f"   RSS MB:     during max {during['rss_mb_max']}  after {after['rss_mb']};"
        f"  fds: during max {during['fds_max']}  after {after['fds']};"
        f"  new tracebacks: {result['new_tracebacks']}",
        flush=True,
    )


async def run(soak_seconds: float, only: str = "") -> dict:
    main = Target({})
    small = Target({"instructor_key": KEY, "engine_workers": 0}, nofile=256)
    results = []
    try:
        await _ready(main)
        await _ready(small)
        port, timeout = main.port, 10.0  # request_timeout_s, the default
        attacks = [
            ("protocol fuzz", "10,000 random and mutated control messages over 8 /ws and 2 "
             "/classroom/ws sockets, 60 s at most", lambda: app.protocol_fuzz(port, 10_000, 60)),
            ("malformed bodies", "1,000 fuzzed and hand-made requests (superscript digits, "
             "400-digit numbers, 50,000-deep JSON, non-UTF-8, 1 MB bodies) to every JSON "
             "endpoint", lambda: app.malformed_bodies(port, 1000)),
            ("lesson training loop", "6 clients looping on /lessons/api/backprop/train?"
             "iterations=5000 for 15 s, a probe client's round trip meanwhile",
             lambda: app.training_loop(port, 6, 15)),
            ("fork flood", "10 students x 40 forks/s for 10 s in one room; a probe and a new "
             "session every 0.5 s meanwhile", lambda: app.fork_flood(port, 10, 40, 10)),
            ("fps-60 acking client", "one client at fps 60 and max speed acking every frame "
             "for 20 s", lambda: app.fps60(port, 20)),
            ("half-open sockets", "150 TCP connections that never send a byte",
             lambda: net.half_open(port, 150, timeout)),
            ("slowloris", "150 request heads, one header line every 5 s, never finished",
             lambda: net.slowloris(port, 150, 5.0, timeout)),
            ("giant headers", "5 unfinished request heads of up to 16 MB each, one complete "
             "head of 8 MB", lambda: net.giant_heads(port, 5)),
            ("idle sockets vs fd limit", "300 idle sockets to a server limited to 256 file "
             "descriptors, /healthz 10 times meanwhile",
             lambda: net.idle_sockets(small.port, 300, small.fds)),
            ("join flood", "300 joins to one room from one address, then 300 from 250 "
             "addresses", lambda: app.join_flood(port, 300)),
            ("room-creation flood", "two addresses creating rooms for 3 s, then a real "
             "instructor from a third", lambda: app.room_flood(port, 3)),
            ("room-creation flood, --instructor-key", "the same against a server with an "
             "instructor passphrase (the attackers guess it)",
             lambda: app.room_flood(small.port, 3, KEY)),
        ]  # fmt: skip
        for name, tried, attack in attacks:
            if only not in name:
                continue
            target = small if "fd limit" in name or "instructor-key" in name else main
            results.append(await measured(target, name, tried, attack))
        if soak_seconds > 0:
            results.append(
                await measured(
                    main,
                    "soak",
                    f"50 students playing the default setup for {soak_seconds:g} s, acking every "
                    "frame, from 5 addresses",
                    lambda: app.soak(port, 50, soak_seconds, main.sample),
                )
            )
    finally:
        main.stop()
        small.stop()
    logs = [str(main.log_path), str(small.log_path)]
    return {
        "results": results,
        "tracebacks_in_log": main.tracebacks() + small.tracebacks(),
        "logs": logs,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--soak-seconds", type=float, default=600.0, help="0: no soak")
    parser.add_argument("--only", default="", help="the attacks whose name holds this text")
    args = parser.parse_args()
    summary = asyncio.run(run(args.soak_seconds, args.only))
    logs = ", ".join(summary["logs"])
    print(f"\ntracebacks in the servers' logs: {summary['tracebacks_in_log']}  ({logs})")
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
