"""Small clients the abuse bench shares: HTTP calls from a chosen loopback address, a probe of
the WebSocket round trip, and percentiles."""

from __future__ import annotations

import asyncio
import http.client
import json
import time

import numpy as np
import websockets


def http_call(
    port: int,
    method: str,
    path: str,
    body: object = None,
    headers: dict | None = None,
    source: str = "127.0.0.1",
    timeout: float = 15.0,
) -> tuple[int, bytes]:
    """(status, body) of one request from `source` (any 127.x.y.z: another client address)."""
    conn = http.client.HTTPConnection(
        "127.0.0.1", port, timeout=timeout, source_address=(source, 0)
    )
    try:
        data = body if isinstance(body, bytes | None) else json.dumps(body).encode()
        conn.request(method, path, body=data, headers=headers or {})
        response = conn.getresponse()
        return response.status, response.read()
    except (OSError, http.client.HTTPException) as exc:
        return 0, type(exc).__name__.encode()
    finally:
        conn.close()


def post_json(port: int, path: str, body: object, source: str = "127.0.0.1", headers=None):
    status, raw = http_call(port, "POST", path, body, headers, source)
    try:
        return status, json.loads(raw)
    except ValueError:
        return status, {}


def stats_ms(values: list[float]) -> dict:
    """p50, p99 and max of durations in seconds, in milliseconds."""
    if not values:
        return {"n": 0, "p50_ms": None, "p99_ms": None, "max_ms": None}
    array = np.asarray(values) * 1000
    return {
        "n": len(values),
        "p50_ms": round(float(np.percentile(array, 50)), 1),
        "p99_ms": round(float(np.percentile(array, 99)), 1),
        "max_ms": round(float(array.max()), 1),
    }


async def probe_round_trips(port: int, stop: asyncio.Event, every_s: float = 0.05) -> list[float]:
    """Round trips of a paused playground client's `fps` message (answered by `state`), as
    another student sees the server while an attack runs; a refused connection is a miss."""
    trips: list[float] = []
    url = f"ws://127.0.0.1:{port}/ws"
    async with websockets.connect(url, max_size=2**22, open_timeout=30) as ws:
        while not stop.is_set():
            sent = time.perf_counter()
            await ws.send(json.dumps({"type": "fps", "fps": 30}))
            while True:
                raw = await asyncio.wait_for(ws.recv(), 30)
                if isinstance(raw, bytes):
                    seq = int.from_bytes(raw[8:12], "little")
                    await ws.send(json.dumps({"type": "ack", "seq": seq}))
                elif raw.startswith('{"type":"state"'):
                    break
            trips.append(time.perf_counter() - sent)
            await asyncio.sleep(every_s)  # the probe's own pace
    return trips


async def time_to_first_frame(port: int, source: str = "127.0.0.1") -> float | None:
    """Seconds from connecting a new playground until its first frame, or None if refused."""
    started = time.perf_counter()
    try:
        async with websockets.connect(
            f"ws://127.0.0.1:{port}/ws", max_size=2**22, open_timeout=30, local_addr=(source, 0)
        ) as ws:
            while True:
                raw = await asyncio.wait_for(ws.recv(), 30)
                if isinstance(raw, bytes):
                    return time.perf_counter() - started
    except (OSError, TimeoutError, websockets.WebSocketException):
        return None
