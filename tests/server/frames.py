"""A decoder of binary frames (docs/protocol.md, version 1) and helpers for WebSocket tests."""

from __future__ import annotations

import asyncio
import contextlib
import json
import struct
from collections.abc import AsyncIterator
from dataclasses import dataclass

import numpy as np

from engine.grid import unpack_pictures
from server.core.frames import unpack_history

HEADER = struct.Struct("<4sBBHIIddHHiI")
TIMEOUT = 15.0


@dataclass
class Frame:
    seq: int
    epoch: int
    diverged: bool
    playing: bool
    train_loss: float
    test_loss: float
    grid_size: int
    thumb_size: int
    focus: int
    layers: list[int]
    history: np.ndarray  # (H, 3): epoch, train loss, test loss
    weights: list[np.ndarray]
    biases: list[np.ndarray]
    dead: list[np.ndarray]
    grid: np.ndarray  # (G, G) uint8
    thumbs: np.ndarray  # (n_nodes, T, T) uint8
    size: int
    # With flag bit 2: {"confusion": (2, K, K) train and test counts} or {"r2": (train, test)}.
    metrics: dict | None = None


def pad4(n: int) -> int:
    return (n + 3) & ~3


def decode(data: bytes) -> Frame:
    """Decode one frame, checking every length; raises ValueError on any mismatch."""
    magic, version, flags, n_layers, seq, epoch, train, test, g, t, focus, h = HEADER.unpack_from(
        data
    )
    if magic != b"NNPF" or version != 1:
        raise ValueError(f"bad magic/version {magic!r} {version}")
    off = HEADER.size
    layers = list(struct.unpack_from(f"<{n_layers}H", data, off))
    off = pad4(off + 2 * n_layers)
    if flags & 16:  # packed history: one zlib stream of byte planes
        (size,) = struct.unpack_from("<I", data, off)
        packed = data[off + 4 : off + 4 + size]
        if len(packed) != size:
            raise ValueError(f"packed history: {len(packed)} bytes of {size}")
        raw = unpack_history(packed, h).tobytes()
        off = pad4(off + 4 + size)
    else:
        raw = data[off : off + 12 * h]
        off += 12 * h
    rows = np.frombuffer(raw, dtype=[("e", "<u4"), ("tr", "<f4"), ("te", "<f4")], count=h)
    history = np.stack([rows["e"].astype(float), rows["tr"], rows["te"]], axis=1).reshape(-1, 3)
    pairs = list(zip(layers[1:], layers[:-1], strict=True))
    weights, biases, dead = [], [], []
    for rows_, cols in pairs:
        weights.append(np.frombuffer(data, "<f8", rows_ * cols, off).reshape(rows_, cols))
        off += 8 * rows_ * cols
    for rows_, _ in pairs:
        biases.append(np.frombuffer(data, "<f8", rows_, off))
        off += 8 * rows_
    for rows_, cols in pairs:
        dead.append(np.frombuffer(data, np.uint8, rows_ * cols, off).reshape(rows_, cols))
        off += rows_ * cols
    off = pad4(off)
    n_nodes = sum(layers)
    if flags & 8:  # packed pictures: one zlib stream of residuals
        (size,) = struct.unpack_from("<I", data, off)
        packed = data[off + 4 : off + 4 + size]
        if len(packed) != size:
            raise ValueError(f"packed pictures: {len(packed)} bytes of {size}")
        grid, thumbs = unpack_pictures(packed, g, t, n_nodes)
        off += 4 + size
    else:
        grid = np.frombuffer(data, np.uint8, g * g, off).reshape(g, g)
        off += g * g
        thumbs = np.frombuffer(data, np.uint8, n_nodes * t * t, off).reshape(n_nodes, t, t)
        off += n_nodes * t * t
    metrics = None
    if flags & 4:
        off = pad4(off)
        kind, K, _ = struct.unpack_from("<BBH", data, off)
        off += 4
        if kind == 1:
            counts = np.frombuffer(data, "<u4", 2 * K * K, off)
            metrics = {"confusion": counts.reshape(2, K, K)}
            off += 8 * K * K
        else:
            metrics = {"r2": tuple(np.frombuffer(data, "<f8", 2, off).tolist())}
            off += 16
    if off != len(data):
        raise ValueError(f"frame has {len(data)} bytes, the layout needs {off}")
    return Frame(
        seq, epoch, bool(flags & 1), bool(flags & 2), train, test, g, t, focus, layers,
        history, weights, biases, dead, grid, thumbs, len(data), metrics,
    )  # fmt: skip


@contextlib.asynccontextmanager
async def deadline(seconds: float, waiting_for: str) -> AsyncIterator[dict]:
    """Fail, saying what was awaited and the last progress put in the yielded dict, if the block
    takes longer than `seconds`: for loops that wait until a network has learned something."""
    seen: dict = {}
    timeout = asyncio.timeout(seconds)
    try:
        async with timeout:
            yield seen
    except TimeoutError:
        if not timeout.expired():
            raise
        raise AssertionError(f"waited {seconds:g} s for {waiting_for}; last seen: {seen}") from None


def dequantise(q: np.ndarray) -> np.ndarray:
    return np.where(q == 255, np.nan, q / 127.0 - 1.0)


class Client:
    """A test's view of one connection: JSON messages and frames kept apart, in order."""

    def __init__(self, ws) -> None:
        self.ws = ws
        self.state: dict | None = None
        self.data: dict | None = None

    async def send(self, **message) -> None:
        await self.ws.send(json.dumps(message))

    async def next(self, timeout: float = TIMEOUT) -> dict | Frame:
        raw = await asyncio.wait_for(self.ws.recv(), timeout)
        if isinstance(raw, bytes):
            return decode(raw)
        message = json.loads(raw)
        if message["type"] == "state":
            self.state = message
        elif message["type"] == "data":
            self.data = message
        return message

    async def until(self, kind: str, timeout: float = TIMEOUT, ack: bool = True) -> dict | Frame:
        """The next message of `kind` ("state", "error", "frame", ...), acking frames passed by."""
        loop = asyncio.get_running_loop()
        end = loop.time() + timeout
        while True:
            try:
                item = await self.next(max(0.01, end - loop.time()))
            except TimeoutError:
                raise AssertionError(f"no {kind!r} message within {timeout:g} s") from None
            if isinstance(item, Frame):
                if kind == "frame":
                    return item
                if ack:
                    await self.send(type="ack", seq=item.seq)
            elif item["type"] == kind:
                return item

    async def state_with(self, timeout: float = TIMEOUT, **expected) -> dict:
        """The next `state` whose fields have the `expected` values."""
        while True:
            state = await self.until("state", timeout)
            if all(state[key] == value for key, value in expected.items()):
                return state

    async def frame(self, timeout: float = TIMEOUT) -> Frame:
        return await self.until("frame", timeout)

    async def ack(self, frame: Frame) -> None:
        await self.send(type="ack", seq=frame.seq)

    async def ready(self) -> Frame:
        """After connecting: state, data, then the first frame (acknowledged)."""
        await self.until("state")
        frame = await self.frame()
        assert self.data is not None
        await self.ack(frame)
        return frame

    async def step(self, n: int = 1) -> Frame:
        await self.send(type="step", n=n)
        frame = await self.frame()
        await self.ack(frame)
        return frame
