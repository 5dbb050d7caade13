"""Rooms rebuild their data off the event loop: a probe's round trip stays short meanwhile."""

from __future__ import annotations

import asyncio
import json
import time

import numpy as np
import websockets
from frames import deadline
from room_client import Client, post

ROOMS = 20
MAX_ROUND_TRIP_S = 0.020
ATTEMPTS = 3


async def probe_round_trip(ws) -> float:
    """Send an `fps` message and wait for the `state` it is answered with."""
    started = time.perf_counter()
    await ws.send(json.dumps({"type": "fps", "fps": 30}))
    while True:
        raw = await ws.recv()
        if isinstance(raw, str) and json.loads(raw)["type"] == "state":
            return time.perf_counter() - started


async def measure(server, teachers: list[Client], attempt: int) -> list[float]:
    """Probe round trips while every room builds new data at once, until all have it."""
    async with websockets.connect(server.ws_url) as probe:
        await probe.send(json.dumps({"type": "config", "config": {"seed": "0.1"}}))
        # Its own new data built and published: it waits for nothing of its own any more (a
        # change of its own would wait for the rebuild thread, behind the rooms' rebuilds).
        while True:
            raw = await probe.recv()
            if isinstance(raw, str):
                message = json.loads(raw)
                if message["type"] == "state" and message["config"]["seed"] == "0.1":
                    break
        await probe_round_trip(probe)
        for i, teacher in enumerate(teachers):
            # 1,200 regression points each: the slowest data set the engine draws.
            seed = f"0.{attempt}{i:02d}"
            config = {"problem": "regression", "regDataset": "reg-gauss", "seed": seed}
            await teacher.send(type="config", config=config)
        rebuilt = asyncio.gather(*(t.message("data", source="room") for t in teachers))
        trips = []
        async with deadline(30, f"new data in all {len(teachers)} rooms") as seen:
            while not rebuilt.done():
                trips.append(await probe_round_trip(probe))
                seen["probes"] = len(trips)
            await rebuilt
        return trips


def test_twenty_rooms_building_new_data_at_once_do_not_stall_the_event_loop(make_server):
    # The probe asks as fast as it is answered: far above the default message rate.
    limits = {"max_messages_per_second": 5000, "message_burst": 5000}
    server = make_server(
        room_creations_per_minute=100, max_rooms_per_ip=100, max_connections_per_ip=50, **limits
    )
    rooms = [post(server, "/classroom/api/rooms")[1] for _ in range(ROOMS)]

    async def go():
        teachers = []
        try:
            for room in rooms:
                hello = {"role": "instructor", "code": room["code"], "token": room["token"]}
                teachers.append(await Client.open(server, hello))
                await teachers[-1].message("data")
            # A stall of the event loop shows every time; another process taking the core for a
            # moment does not, so the best of three attempts is what counts.
            runs = []
            for attempt in range(ATTEMPTS):
                runs.append(np.array(await measure(server, teachers, attempt)))
                if fast(runs[-1]):
                    break
            return runs
        finally:
            for teacher in teachers:
                await teacher.close()

    runs = asyncio.run(go())
    shown = [np.round(trips * 1e3).astype(int).tolist() for trips in runs]
    assert all(len(trips) >= 5 for trips in runs), "the rebuilds ended before the probe measured"
    assert fast(runs[-1]), f"round trips (ms) of each attempt: {shown}"


def fast(trips: np.ndarray) -> bool:
    """Data drawn on the event loop would hold nearly every probe for a rebuild's 5 to 15 ms
    (and one for 340 ms); the 99th percentile leaves out the odd moment when the OS gives the
    core to another process."""
    return np.percentile(trips, 99) < MAX_ROUND_TRIP_S and np.median(trips) < MAX_ROUND_TRIP_S / 4
