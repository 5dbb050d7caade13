"""Application-level attacks for bench/abuse.py: protocol fuzz, malformed bodies, the lessons'
training in a loop, a fork flood, a client at fps 60, join and room-creation floods, and the soak
of playing sessions. Each is bounded in count and time, and returns what the server did."""

from __future__ import annotations

import asyncio
import json
import random
import time
from collections import Counter

import _clients
import numpy as np
import websockets
from fuzzing import PLAYGROUND_TYPES, ROOM_TYPES, Tally, check_http, fuzz_request, fuzz_socket

TRAIN = "/lessons/api/backprop/train?iterations=5000"
HEADER_SEQ = slice(8, 12)


def _seq(frame: bytes) -> int:
    return int.from_bytes(frame[HEADER_SEQ], "little")


def _epoch(frame: bytes) -> int:
    return int.from_bytes(frame[12:16], "little")


async def _room(port: int, source: str) -> dict:
    """A room created from `source`: each attack's own address, so that one attack's room
    creations do not spend another's share."""
    status, room = await asyncio.to_thread(
        _clients.post_json, port, "/classroom/api/rooms", {}, source
    )
    if status != 201:
        raise RuntimeError(f"could not create a room: {status} {room}")
    return room


async def _member(port: int, room: dict, name: str, source: str) -> dict:
    body = {"code": room["code"], "name": name}
    path = "/classroom/api/join"
    return (await asyncio.to_thread(_clients.post_json, port, path, body, source))[1]


async def protocol_fuzz(port: int, count: int, seconds: float, seed: int = 16) -> dict:
    """`count` random and mutated control messages over 8 playground and 2 room sockets."""
    tally = Tally()
    room = await _room(port, "127.0.4.1")

    async def student_hello():
        member = await _member(port, room, "fuzz", "127.0.4.1")
        token = member.get("memberToken", "none")
        return {"type": "hello", "role": "student", "code": room["code"], "member": token}, None

    async def teacher_hello():
        hello = {"type": "hello", "role": "instructor", "code": room["code"]}
        return {**hello, "token": room["token"]}, room["token"]

    jobs = [
        fuzz_socket(f"ws://127.0.0.1:{port}/ws", random.Random(seed + i), count, tally,
                    PLAYGROUND_TYPES, deadline=seconds)
        for i in range(8)
    ]  # fmt: skip
    room_url = f"ws://127.0.0.1:{port}/classroom/ws"
    kinds = PLAYGROUND_TYPES + [k for k in ROOM_TYPES if k != "close"]
    for i, opener in enumerate((teacher_hello, student_hello)):
        jobs.append(fuzz_socket(room_url, random.Random(seed + 100 + i), count, tally, kinds,
                                opener, deadline=seconds))  # fmt: skip
    await asyncio.gather(*jobs)
    return {
        "sent": tally.sent,
        "answers": tally.answers,
        "errors": tally.errors,
        "frames": tally.frames,
        "closes": {str(k): v for k, v in sorted(tally.closes.items(), key=str)},
        "unstructured_answers": len(tally.problems),
    }


async def malformed_bodies(port: int, count: int, seed: int = 16) -> dict:
    """Fuzzed and hand-made strange requests to every JSON endpoint."""
    tally, statuses = Tally(), Counter()
    rng = random.Random(seed)
    handmade = [
        ("GET", "/lessons/api/backprop/train?iterations=%C2%B2", None),
        ("POST", "/lessons/api/linear-regression", b'{"m0": ' + b"7" * 400 + b"}"),
        ("POST", "/lessons/api/linear-regression", b"[" * 50000 + b"]" * 50000),
        ("POST", "/lessons/api/linear-regression", b'{"m0": "\xff"}'),
        ("POST", "/classroom/api/join", b"[" * 30000),
        ("POST", "/classroom/api/join", b" " * (2**20)),
    ]
    requests = handmade + [fuzz_request(rng, None)[:3] for _ in range(count - len(handmade))]

    def one(request) -> None:
        method, path, body = request
        status, raw = _clients.http_call(port, method, path, body)
        statuses[status] += 1
        check_http(tally, status, raw, f"{method} {path[:40]}")

    await asyncio.gather(*(asyncio.to_thread(one, r) for r in requests[:4]))
    for start in range(4, len(requests), 4):
        await asyncio.gather(*(asyncio.to_thread(one, r) for r in requests[start : start + 4]))
    return {
        "requests": len(requests),
        "statuses": {str(k): v for k, v in sorted(statuses.items())},
        "server_errors_5xx": sum(v for k, v in statuses.items() if k >= 500 and k != 503),
        "unstructured_answers": len(tally.problems),
    }


async def training_loop(port: int, clients: int, seconds: float) -> dict:
    """`clients` clients each requesting 5,000 training iterations in a loop; a probe meanwhile."""
    stop = asyncio.Event()
    statuses, times = Counter(), []

    async def client() -> None:
        while not stop.is_set():
            started = time.perf_counter()
            status, _ = await asyncio.to_thread(_clients.http_call, port, "GET", TRAIN)
            statuses[status] += 1
            if status == 200:
                times.append(time.perf_counter() - started)
            elif status == 429:
                await asyncio.sleep(0.01)  # a refused client comes straight back, nearly

    probe = asyncio.create_task(_clients.probe_round_trips(port, stop))
    tasks = [asyncio.create_task(client()) for _ in range(clients)]
    await asyncio.sleep(seconds)
    stop.set()
    await asyncio.gather(*tasks)
    return {
        "answers": {str(k): v for k, v in sorted(statuses.items())},
        "training_answer": _clients.stats_ms(times),
        "probe_round_trip": _clients.stats_ms(await probe),
        "target": "probe round trip p99 < 50 ms",
    }


async def fork_flood(port: int, students: int, per_second: float, seconds: float) -> dict:
    """`students` students each sending `per_second` forks; a probe and new sessions meanwhile."""
    room = await _room(port, "127.0.4.2")
    stop = asyncio.Event()
    counts = Counter()

    async def student(i: int) -> None:
        member = await _member(port, room, f"forker{i}", "127.0.4.2")
        url = f"ws://127.0.0.1:{port}/classroom/ws"
        async with websockets.connect(url, max_size=2**22) as ws:
            hello = {"type": "hello", "role": "student", "code": room["code"]}
            await ws.send(json.dumps({**hello, "member": member["memberToken"]}))

            async def read() -> None:
                async for raw in ws:
                    if isinstance(raw, bytes):
                        await ws.send(json.dumps({"type": "ack", "seq": _seq(raw)}))
                    else:
                        kind = json.loads(raw)
                        if kind["type"] == "forked":
                            counts["forked"] += 1
                        elif kind["type"] == "error":
                            counts[f"refused ({kind['field']})"] += 1

            reader = asyncio.create_task(read())
            while not stop.is_set():
                await ws.send('{"type":"fork"}')
                counts["sent"] += 1
                await asyncio.sleep(1 / per_second)
            reader.cancel()

    async def newcomers() -> list[float | None]:
        waits = []
        while not stop.is_set():
            waits.append(await _clients.time_to_first_frame(port, "127.0.0.200"))
            await asyncio.sleep(0.5)
        return waits

    probe = asyncio.create_task(_clients.probe_round_trips(port, stop))
    fresh = asyncio.create_task(newcomers())
    tasks = [asyncio.create_task(student(i)) for i in range(students)]
    await asyncio.sleep(seconds)
    stop.set()
    await asyncio.gather(*tasks, return_exceptions=True)
    waits = await fresh
    return {
        "forks": dict(counts),
        "probe_round_trip": _clients.stats_ms(await probe),
        "new_session_first_frame": _clients.stats_ms([w for w in waits if w is not None]),
        "new_sessions_refused": sum(w is None for w in waits),
    }


async def fps60(port: int, seconds: float) -> dict:
    """One client at the protocol's highest frame rate, acknowledging every frame."""
    async with websockets.connect(f"ws://127.0.0.1:{port}/ws", max_size=2**22) as ws:
        for message in ({"type": "fps", "fps": 60}, {"type": "speed", "eps": "max"}):
            await ws.send(json.dumps(message))
        await ws.send('{"type":"play"}')
        frames, refused, gaps = 0, 0, []
        last = start = time.perf_counter()
        while time.perf_counter() - start < seconds:
            try:
                raw = await asyncio.wait_for(ws.recv(), 5)
            except TimeoutError:
                break  # the stream stopped
            if isinstance(raw, bytes):
                frames += 1
                now = time.perf_counter()
                gaps.append(now - last)
                last = now
                await ws.send(json.dumps({"type": "ack", "seq": _seq(raw)}))
            elif '"field":"message"' in raw:
                refused += 1
        elapsed = time.perf_counter() - start
    return {
        "frames_per_s": round(frames / elapsed, 1),
        "acks_refused": refused,
        "stream_alive_at_end": time.perf_counter() - last < 1.0,
        "longest_gap": _clients.stats_ms(gaps)["max_ms"],
    }


async def join_flood(port: int, attempts: int) -> dict:
    """One address, then many, trying to fill one room with made-up students."""
    room = await _room(port, "127.0.4.3")
    started = time.perf_counter()
    one = Counter()
    for i in range(attempts):
        status, _ = await asyncio.to_thread(
            _clients.post_json, port, "/classroom/api/join", {"code": room["code"], "name": f"x{i}"}
        )
        one[status] += 1
    elapsed = time.perf_counter() - started
    many = Counter()
    for i in range(attempts):
        source = f"127.0.1.{i % 250 + 1}"
        body = {"code": room["code"], "name": f"y{i}"}
        status, _ = await asyncio.to_thread(
            _clients.post_json, port, "/classroom/api/join", body, source
        )
        many[status] += 1
    return {
        "one_address": {str(k): v for k, v in sorted(one.items())},
        "one_address_seconds": round(elapsed, 2),
        "many_addresses": {str(k): v for k, v in sorted(many.items())},
    }


async def room_flood(port: int, seconds: float, key: str | None = None) -> dict:
    """Two addresses creating rooms as fast as they can; then a real instructor tries."""
    body = {"instructorKey": "a guess"} if key else {}
    statuses = Counter()
    end = time.perf_counter() + seconds

    async def attacker(source: str) -> None:
        while time.perf_counter() < end:
            status, _ = await asyncio.to_thread(
                _clients.post_json, port, "/classroom/api/rooms", body, source
            )
            statuses[status] += 1

    await asyncio.gather(attacker("127.0.2.1"), attacker("127.0.2.2"))
    real = {"instructorKey": key} if key else {}
    status, _ = await asyncio.to_thread(
        _clients.post_json, port, "/classroom/api/rooms", real, "127.0.2.9"
    )
    return {
        "attackers": {str(k): v for k, v in sorted(statuses.items())},
        "real_instructor": status,
    }


async def soak(port: int, sessions: int, seconds: float, sample) -> dict:
    """`sessions` students playing the default setup for `seconds`, acknowledging every frame,
    spread over a few loopback addresses; `sample()` is called every 5 s."""
    stop = asyncio.Event()
    frames = [0] * sessions
    epochs: list[list[int]] = [[] for _ in range(sessions)]
    errors, dropped = [0], [0]

    async def student(i: int) -> None:
        source = f"127.0.3.{i // 10 + 1}"
        try:
            async with websockets.connect(
                f"ws://127.0.0.1:{port}/ws", max_size=2**22, open_timeout=60, local_addr=(source, 0)
            ) as ws:
                await ws.send('{"type":"play"}')
                while not stop.is_set():
                    try:
                        raw = await asyncio.wait_for(ws.recv(), 1.0)
                    except TimeoutError:
                        continue
                    if isinstance(raw, bytes):
                        frames[i] += 1
                        epochs[i].append(_epoch(raw))
                        del epochs[i][1:-1]  # the first and the last
                        await ws.send(json.dumps({"type": "ack", "seq": _seq(raw)}))
                    else:
                        errors[0] += '"type":"error"' in raw
        except (OSError, websockets.WebSocketException):
            dropped[0] += 1

    tasks = [asyncio.create_task(student(i)) for i in range(sessions)]
    samples = []
    started = time.perf_counter()
    while time.perf_counter() - started < seconds:
        await asyncio.sleep(min(5.0, max(0.1, seconds - (time.perf_counter() - started))))
        samples.append(await asyncio.to_thread(sample))
    stop.set()
    await asyncio.gather(*tasks)
    elapsed = time.perf_counter() - started
    fps = np.array(frames) / elapsed
    eps = np.array([(e[-1] - e[0]) / elapsed if len(e) > 1 else 0 for e in epochs])
    return {
        "frames_per_s": {"p5": round(float(np.percentile(fps, 5)), 1),
                         "p50": round(float(np.percentile(fps, 50)), 1)},
        "epochs_per_s": {"p5": round(float(np.percentile(eps, 5)), 1),
                         "p50": round(float(np.percentile(eps, 50)), 1)},
        "errors": errors[0],
        "dropped_connections": dropped[0],
        "samples": samples,
    }  # fmt: skip
