"""Fair shares on a real server: one student's tabs of the largest network beside a default
session, on one engine worker. No sleeps: every figure comes from messages as they arrive."""

from __future__ import annotations

import asyncio
import json
import time

import pytest
import websockets
from frames import Client

LARGEST = {
    "dataset": "spiral",
    "networkShape": [8] * 6,
    **{f: True for f in ("x", "y", "xTimesY", "xSquared", "ySquared", "sinX", "sinY")},
    "batchSize": 1,
    "percTrainData": 90,
    "seed": "0.5",
}
TABS = 6
FRAMES = 40

pytestmark = pytest.mark.timeout(120)


async def open_playing(url: str, config: dict, person: str | None = None) -> Client:
    """A client whose opening config (and id) builds its session, playing at "max"."""
    ws = await websockets.connect(url + "?first=config", max_size=2**22)
    client = Client(ws)
    opening = {"type": "config", "config": config}
    if person is not None:
        opening["person"] = person
    await ws.send(json.dumps(opening))
    await client.ready()
    await client.send(type="speed", eps="max")
    await client.send(type="play")
    await client.state_with(playing=True)
    return client


async def trained_seconds(client: Client) -> float:
    """The session's training seconds so far (`fps` is answered by `state`)."""
    await client.send(type="fps", fps=30)
    return (await client.until("state"))["trainedSeconds"]


async def frame_rate(client: Client, frames: int) -> tuple[float, int]:
    """Frames per second over the next `frames` frames, each acked as it comes; and the epochs
    trained meanwhile."""
    first = await client.frame()
    await client.ack(first)
    started = time.perf_counter()
    for _ in range(frames):
        last = await client.frame()
        await client.ack(last)
    return frames / (time.perf_counter() - started), last.epoch - first.epoch


class Tab:
    """A tab in the background: it acks every frame (so it keeps wanting them) and keeps the
    newest `state`."""

    def __init__(self, client: Client) -> None:
        self.client = client
        self.fresh = asyncio.Event()
        self.task = asyncio.create_task(self._read())

    async def _read(self) -> None:
        while True:
            item = await self.client.next(timeout=60)
            if isinstance(item, dict):
                if item["type"] == "state":
                    self.fresh.set()
            else:
                await self.client.ack(item)

    async def trained_seconds(self) -> float:
        self.fresh.clear()
        await self.client.send(type="fps", fps=30)
        await asyncio.wait_for(self.fresh.wait(), 30)
        return self.client.state["trainedSeconds"]

    async def close(self) -> None:
        self.task.cancel()
        await asyncio.gather(self.task, return_exceptions=True)
        await self.client.ws.close()


def test_a_students_tabs_of_the_largest_network_cannot_starve_a_default_session(make_server):
    server = make_server(engine_workers=1)

    async def go():
        cheap = await open_playing(server.ws_url, {"seed": "0.1"})
        alone_fps, _ = await frame_rate(cheap, FRAMES)
        opened = [await open_playing(server.ws_url, LARGEST, "student-0123") for _ in range(TABS)]
        tabs = [Tab(client) for client in opened]
        try:
            await frame_rate(cheap, FRAMES // 2)  # the tabs are measured and under way
            before = [await trained_seconds(cheap)] + [await tab.trained_seconds() for tab in tabs]
            mixed_fps, epochs = await frame_rate(cheap, FRAMES)
            after = [await trained_seconds(cheap)] + [await tab.trained_seconds() for tab in tabs]
        finally:
            for tab in tabs:
                await tab.close()
            await cheap.ws.close()
        spent = [b - a for a, b in zip(before, after, strict=True)]
        mine, theirs = spent[0], sum(spent[1:])
        assert epochs > 0
        # The student's six tabs are one person: together they get about one share, as the
        # default session does (an unfair scheduler gives them six, or more by cost).
        assert theirs < 2.5 * mine, (mine, spent[1:])
        assert min(spent[1:]) > 0, spent[1:]  # and take turns: every tab trains
        assert mixed_fps >= alone_fps / 2, (alone_fps, mixed_fps)

    asyncio.run(go())
