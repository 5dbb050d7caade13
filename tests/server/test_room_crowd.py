"""Thirty students follow one room while the instructor changes every control."""

from __future__ import annotations

import asyncio
import json

import pytest
import websockets
from room_client import HEADER, join, new_room

pytestmark = pytest.mark.timeout(90)
STUDENTS = 30
# Every control of the page, one change each, as the instructor would click through them.
CHANGES = [
    {"type": "config", "config": {"activation": "relu"}},
    {"type": "config", "config": {"learningRate": 0.1}},
    {"type": "config", "config": {"regularization": "L2"}},
    {"type": "config", "config": {"regularizationRate": 0.001}},
    {"type": "config", "config": {"batchSize": 20}},
    {"type": "config", "config": {"dataset": "xor"}},
    {"type": "config", "config": {"noise": 10}},
    {"type": "config", "config": {"percTrainData": 70}},
    {"type": "config", "config": {"xSquared": True, "sinY": True}},
    {"type": "config", "config": {"networkShape": [5, 3]}},
    {"type": "speed", "eps": 300},
    {"type": "play"},
    {"type": "set_weight", "layer": 0, "to": 0, "from": 0, "value": 0.5},
    {"type": "pause"},
    {"type": "step", "n": 3},
    {"type": "regenerate"},
    {"type": "reset"},
    # (At the learning rate of 0.1 set above, a relu network on regression data diverges in its
    # first epoch now and then, and rightly stops there: the step below would end at epoch 1.)
    {"type": "config", "config": {"problem": "regression", "regDataset": "reg-gauss"}},
    {"type": "config", "config": {"learningRate": 0.003}},
    {"type": "config", "config": {"networkShape": [3]}},
    {"type": "step", "n": 2},
]


class Follower:
    """A student following the room: reads everything, acks every frame, notes what it saw."""

    def __init__(self, ws) -> None:
        self.ws = ws
        self.frames = 0
        self.updates = 0  # frames and states
        self.layers: list[int] = []
        self.epoch = -1
        self.config: dict = {}
        self.changed = asyncio.Event()

    async def read(self) -> None:
        async for raw in self.ws:
            if isinstance(raw, bytes):
                fields = HEADER.unpack_from(raw)
                self.frames += 1
                self.epoch = fields[5]
                self.layers = list(memoryview(raw)[44 : 44 + 2 * fields[3]].cast("H"))
                await self.ws.send(json.dumps({"type": "ack", "seq": fields[4]}))
            elif (message := json.loads(raw))["type"] == "state":
                self.config = message["config"]
            else:
                continue
            self.updates += 1
            self.changed.set()


async def until(follower: Follower, test, seconds: float = 30) -> None:
    try:
        async with asyncio.timeout(seconds):
            while not test(follower):
                follower.changed.clear()
                await follower.changed.wait()
    except TimeoutError:  # say what the student last saw, so that a failure can be read
        seen = f"{follower.frames} frames, epoch {follower.epoch}, layers {follower.layers}"
        raise AssertionError(f"no such update in {seconds} s; last seen: {seen}") from None


def test_thirty_students_get_frames_while_the_instructor_changes_every_control(make_server):
    limits = {"joins_per_minute_per_ip": 100, "joins_per_minute_per_room": 100}
    server = make_server(max_connections_per_ip=40, join_attempts_per_minute=100, **limits)
    room = new_room(server)
    members = [join(server, room, f"Student {i}") for i in range(STUDENTS)]
    url = server.url.replace("http", "ws") + "/classroom/ws"

    async def scenario():
        async with websockets.connect(url) as inst:
            await inst.send(json.dumps({"type": "hello", "role": "instructor", **room}))
            followers, sockets = [], []
            try:
                for member in members:
                    ws = await websockets.connect(url)
                    sockets.append(ws)
                    hello = {
                        "role": "student",
                        "code": room["code"],
                        "member": member["memberToken"],
                    }
                    await ws.send(json.dumps({"type": "hello", **hello}))
                    followers.append(Follower(ws))
                readers = [asyncio.create_task(f.read()) for f in followers]
                drain = asyncio.create_task(acknowledge(inst))
                counts = []
                for change in CHANGES:
                    before = [f.updates for f in followers]
                    await inst.send(json.dumps(change))
                    # Every student sees each change (a frame, or a state for the speed) before
                    # the next one comes.
                    for f, seen in zip(followers, before, strict=True):
                        await until(f, lambda f, seen=seen: f.updates > seen)
                    counts.append(
                        min(f.updates - n for f, n in zip(followers, before, strict=True))
                    )
                for f in followers:  # x, y, x squared, sin y; one hidden layer of 3
                    await until(f, lambda f: f.layers == [4, 3, 1] and f.epoch == 2)
                    assert f.config["regDataset"] == "reg-gauss" and f.config["sinY"] is True
                drain.cancel()
                for reader in readers:
                    reader.cancel()
                return counts
            finally:
                for ws in sockets:
                    await ws.close()

    counts = asyncio.run(scenario())
    assert len(counts) == len(CHANGES) and min(counts) >= 1


async def acknowledge(ws) -> None:
    """The instructor's page acks the frames it is sent, as a page does."""
    async for raw in ws:
        if isinstance(raw, bytes):
            await ws.send(json.dumps({"type": "ack", "seq": HEADER.unpack_from(raw)[4]}))
