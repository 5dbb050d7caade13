"""The binary frame of docs/protocol.md: one session's state as bytes, built once for many."""

from __future__ import annotations

import functools
import math
import struct
import zlib
from collections.abc import Sequence

import numpy as np

from engine.grid import quantise
from server.core.protocol import PROTOCOL_VERSION

MAGIC = b"NNPF"
# magic, version, flags, L, seq, epoch, train loss, test loss, G, T, focus, H
HEADER = struct.Struct("<4sBBHIIddHHiI")
FLAG_DIVERGED = 1
FLAG_PLAYING = 2
FLAG_PACKED = 8  # the pictures are one zlib stream of residuals (engine.grid.pack_pictures)
FLAG_METRICS = 4  # a metrics section follows the thumbnails (issue 12)
FLAG_HISTORY = 16  # the loss history is one zlib stream (pack_history)
# Fewer history rows than this go as they are: a zlib stream of fewer would be no smaller. A
# session alone at full speed trains about 100 epochs a frame (1.2 KB as rows, 0.2 to 0.6 KB
# packed); a busy server's few a frame go as rows, at no cost.
PACK_HISTORY_MIN = 16
METRICS_HEADER = struct.Struct("<BBH")  # kind (1 classification, 2 regression), K, 0
F32_MAX = float(np.finfo(np.float32).max)


def _pad4(parts: list[bytes], length: int) -> int:
    extra = -length % 4
    if extra:
        parts.append(b"\0" * extra)
    return length + extra


def pack_history(rows: np.ndarray) -> bytes:
    """(H, 3) u32 rows (epoch, the train and test losses' f32 bits) as one zlib stream: each
    column's differences from the row above (mod 2^32, the first row's from 0), column by column,
    each as four byte planes, low byte first. Consecutive epochs differ by 1 and losses change
    little, so most planes are runs of one byte."""
    steps = np.diff(rows.astype(np.int64), axis=0, prepend=np.zeros((1, 3), np.int64))
    planes = (steps & 0xFFFFFFFF).astype("<u4").view(np.uint8).reshape(len(rows), 3, 4)
    return zlib.compress(planes.transpose(1, 2, 0).tobytes(), 6)


def unpack_history(data: bytes, count: int) -> np.ndarray:
    """`pack_history`'s rows back, bit for bit; ValueError if malformed."""
    try:
        raw = zlib.decompress(data, bufsize=12 * count)
    except zlib.error as exc:
        raise ValueError(f"history: {exc}") from None
    if len(raw) != 12 * count:
        raise ValueError(f"history: {len(raw)} bytes, {count} points need {12 * count}")
    planes = np.frombuffer(raw, np.uint8).reshape(3, 4, count).transpose(2, 0, 1)
    steps = planes.copy().view("<u4").reshape(count, 3).astype(np.uint64)
    return (np.cumsum(steps, axis=0) & 0xFFFFFFFF).astype("<u4")


def _finite(x: float) -> float:
    return float(x) if math.isfinite(x) else 0.0


def as_f32(values: np.ndarray) -> np.ndarray:
    """float32 with no NaN or infinity: non-finite values become 0, huge ones the f32 limit."""
    values = np.asarray(values, dtype=np.float64)
    values = np.clip(np.where(np.isfinite(values), values, 0.0), -F32_MAX, F32_MAX)
    return values.astype("<f4")


@functools.lru_cache(maxsize=64)
def _layout(layers: tuple[int, ...]) -> tuple[np.ndarray, np.ndarray]:
    """For a network of `layers`, where the frame's parameters are in the flat vector (each
    layer's (n_out, n_in + 1) block, the bias last in each row): every weight, layer by layer
    and row-major [to][from], then every bias; and where the weights alone are."""
    weights, biases, start = [], [], 0
    for n_in, n_out in zip(layers, layers[1:], strict=False):
        block = start + np.arange(n_out * (n_in + 1)).reshape(n_out, n_in + 1)
        weights.append(block[:, :-1].ravel())
        biases.append(block[:, -1])
        start += block.size
    weights = np.concatenate(weights) if weights else np.zeros(0, np.intp)
    biases = np.concatenate(biases) if biases else np.zeros(0, np.intp)
    return np.concatenate([weights, biases]), weights


def _doubles(values: np.ndarray) -> bytes:
    """Parameters go out in full float64: a page that restores them continues the same run.
    No NaN reaches the wire: a diverged network's parameters go out finite (as 0)."""
    values = values.astype("<f8")
    return np.where(np.isfinite(values), values, 0.0).tobytes()


def encode_frame(
    *,
    seq: int,
    epoch: int,
    train_loss: float,
    test_loss: float,
    diverged: bool,
    playing: bool,
    layers: Sequence[int],
    history: np.ndarray,
    params: np.ndarray,
    dead: np.ndarray,
    grid: np.ndarray | None,
    thumbs: np.ndarray,
    focus: int,
    packed: bytes | None = None,
    metrics=None,
    grid_size: int | None = None,
) -> bytes:
    """One binary frame, laid out as docs/protocol.md says. Pure: build once, send to many.

    history: (H, 3) epoch, train loss, test loss (finite rows only); params and dead: the flat
    parameter vector and dead-link mask (engine.network.Network.params); grid: (G, G) values in
    [-1, 1], or bytes already (None with `packed` and `grid_size`: G); thumbs: (n_nodes, T, T);
    packed: `engine.grid.pack_pictures(grid, thumbs)`, sent in their place when given (and then
    PACK_HISTORY_MIN history rows or more go packed too); metrics: an engine.metrics.Metrics, sent
    after the pictures.
    """
    grid_size = grid.shape[0] if grid is not None else grid_size
    thumb_size = thumbs.shape[-1] if thumbs.size else 0
    flags = (FLAG_DIVERGED if diverged else 0) | (FLAG_PLAYING if playing else 0)
    flags |= FLAG_PACKED if packed is not None else 0
    flags |= FLAG_METRICS if metrics is not None else 0
    history = np.asarray(history, dtype=np.float64).reshape(-1, 3)
    pack = packed is not None and len(history) >= PACK_HISTORY_MIN
    flags |= FLAG_HISTORY if pack else 0
    parts = [
        HEADER.pack(
            MAGIC,
            PROTOCOL_VERSION,
            flags,
            len(layers),
            seq,
            epoch,
            _finite(train_loss),
            _finite(test_loss),
            grid_size,
            thumb_size,
            focus,
            len(history),
        ),
        struct.pack(f"<{len(layers)}H", *layers),
    ]
    length = _pad4(parts, HEADER.size + 2 * len(layers))
    rows = np.empty((len(history), 3), dtype="<u4")  # epoch, then the two losses' f32 bits
    rows[:, 0] = history[:, 0]
    rows[:, 1:] = as_f32(history[:, 1:]).view("<u4")
    # Every weight (row-major [to][from], layer by layer), every bias, then the dead links.
    order, weights = _layout(tuple(layers))
    if pack:
        history_bytes = pack_history(rows)
        parts += [struct.pack("<I", len(history_bytes)), history_bytes]
        length = _pad4(parts, length + 4 + len(history_bytes))
    else:
        parts.append(rows.tobytes())
        length += len(parts[-1])
    parts += [_doubles(params[order]), dead[weights].astype(np.uint8).tobytes()]
    length += sum(len(p) for p in parts[-2:])
    _pad4(parts, length)
    if packed is not None:
        parts += [struct.pack("<I", len(packed)), packed]
    else:
        parts += [quantise(grid).tobytes(), quantise(thumbs).tobytes()]
    if metrics is not None:
        _pad4(parts, sum(len(p) for p in parts))
        parts.append(metrics_section(metrics))
    return b"".join(parts)


def metrics_section(metrics) -> bytes:
    """Classification: K, then the train and the test confusion matrices (u32 counts, rows true
    classes); regression: R² of train and test (f64, NaN where not defined)."""
    if metrics.classes == 0:
        r2 = np.asarray(metrics.r2, dtype="<f8")
        return METRICS_HEADER.pack(2, 0, 0) + r2.tobytes()
    K = metrics.confusion.shape[-1]
    counts = np.asarray(metrics.confusion, dtype="<u4")
    return METRICS_HEADER.pack(1, K, 0) + counts.tobytes()


def with_seq(frame: bytes, seq: int) -> bytes:
    """The same frame with another sequence number: a room encodes once, numbers per follower."""
    return frame[:8] + struct.pack("<I", seq) + frame[12:]
