"""The wire format of docs/protocol.md: JSON message checks and the binary frame encoder."""

from __future__ import annotations

import json
import math
import struct
from collections.abc import Sequence

import numpy as np

from engine.grid import quantise

PROTOCOL_VERSION = 1
MAGIC = b"NNPF"
# magic, version, flags, L, seq, epoch, train loss, test loss, G, T, focus, H
HEADER = struct.Struct("<4sBBHIIddHHiI")
FLAG_DIVERGED = 1
FLAG_PLAYING = 2
MAX_ECHO_CHARS = 120
F32_MAX = float(np.finfo(np.float32).max)


class ProtocolError(ValueError):
    """A refused message: becomes an `error` naming the field, the value and what is allowed."""

    def __init__(
        self, field: str, value: object, allowed: str, message: str = "", request: str | None = None
    ) -> None:
        self.field = field
        self.value = value
        self.allowed = allowed
        self.request = request
        self.message = message or f"{field}: {short_repr(value)} is not allowed; allowed: {allowed}"
        super().__init__(self.message)


def short_repr(value: object) -> str:
    text = repr(value)
    return text if len(text) <= MAX_ECHO_CHARS else text[: MAX_ECHO_CHARS - 3] + "..."


def json_safe(value: object) -> object:
    """`value` as something JSON can carry without NaN, and small enough to echo back."""
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if isinstance(value, bool | int | float) or value is None:
        return value
    if isinstance(value, str):
        return value if len(value) <= MAX_ECHO_CHARS else value[: MAX_ECHO_CHARS - 3] + "..."
    try:
        text = json.dumps(value, allow_nan=False)
    except (TypeError, ValueError):
        return short_repr(value)
    return value if len(text) <= MAX_ECHO_CHARS else text[: MAX_ECHO_CHARS - 3] + "..."


def error_message(error: ProtocolError) -> dict:
    return {
        "type": "error",
        "request": error.request,
        "field": error.field,
        "value": json_safe(error.value),
        "allowed": error.allowed,
        "message": error.message,
    }


def _refuse_constant(name: str) -> float:
    raise ProtocolError("message", name, "finite numbers only (no NaN or Infinity)")


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ProtocolError("message", text, "finite numbers only (no NaN or Infinity)")
    return value


def parse_message(text: str) -> dict:
    """One client text message -> its object, which has a string `type`."""
    try:
        message = json.loads(text, parse_constant=_refuse_constant, parse_float=_finite_float)
    except json.JSONDecodeError as exc:
        raise ProtocolError(
            "message", text, "a JSON object", f"message: malformed JSON ({exc.msg} at {exc.pos})"
        ) from None
    except (ValueError, RecursionError) as exc:
        if isinstance(exc, ProtocolError):
            raise
        reason = f"message: unreadable ({exc})"
        raise ProtocolError("message", text, "a JSON object", reason) from None
    if not isinstance(message, dict):
        raise ProtocolError("message", message, "a JSON object with a string `type`")
    kind = message.get("type")
    if not isinstance(kind, str):
        raise ProtocolError("type", kind, "a string naming the message type")
    return message


# Field readers: each raises ProtocolError naming the field.

_KINDS = {
    "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "number": lambda v: isinstance(v, int | float) and not isinstance(v, bool),
    "string": lambda v: isinstance(v, str),
    "boolean": lambda v: isinstance(v, bool),
    "object": lambda v: isinstance(v, dict),
    "list": lambda v: isinstance(v, list),
}
_MISSING = object()


def field(message: dict, name: str, kind: str, *, default: object = _MISSING) -> object:
    """`message[name]`, checked to be of `kind` ("integer", "number", "string", ...)."""
    value = message.get(name, _MISSING)
    if value is _MISSING:
        if default is not _MISSING:
            return default
        raise ProtocolError(name, None, f"a {kind} (the field is required)", f"{name}: missing")
    if not _KINDS[kind](value):
        raise ProtocolError(name, value, f"a {kind}")
    return value


def int_field(message: dict, name: str, low: int, high: int, *, default: object = _MISSING) -> int:
    value = field(message, name, "integer", default=default)
    if not low <= value <= high:
        raise ProtocolError(name, value, f"an integer from {low} to {high}")
    return value


# Binary frames.


def _pad4(parts: list[bytes], length: int) -> int:
    extra = -length % 4
    if extra:
        parts.append(b"\0" * extra)
    return length + extra


def _finite(x: float) -> float:
    return float(x) if math.isfinite(x) else 0.0


def as_f32(values: np.ndarray) -> np.ndarray:
    """float32 with no NaN or infinity: non-finite values become 0, huge ones the f32 limit."""
    values = np.asarray(values, dtype=np.float64)
    values = np.clip(np.where(np.isfinite(values), values, 0.0), -F32_MAX, F32_MAX)
    return values.astype("<f4")


def _doubles(arrays: Sequence[np.ndarray]) -> bytes:
    """Parameters go out in full float64: a page that restores them continues the same run.
    No NaN reaches the wire: a diverged network's parameters go out finite (as 0)."""
    if not arrays:
        return b""
    values = np.concatenate([np.ravel(a) for a in arrays]).astype("<f8")
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
    weights: Sequence[np.ndarray],
    biases: Sequence[np.ndarray],
    dead: Sequence[np.ndarray],
    grid: np.ndarray,
    thumbs: np.ndarray,
    focus: int,
) -> bytes:
    """One binary frame, laid out as docs/protocol.md says. Pure: build once, send to many.

    history: (H, 3) epoch, train loss, test loss (finite rows only); grid: (G, G) values in
    [-1, 1]; thumbs: (n_nodes, T, T); weights[l]: (n_(l+1), n_l) row-major [to][from].
    """
    grid_size = grid.shape[0]
    thumb_size = thumbs.shape[-1] if thumbs.size else 0
    flags = (FLAG_DIVERGED if diverged else 0) | (FLAG_PLAYING if playing else 0)
    history = np.asarray(history, dtype=np.float64).reshape(-1, 3)
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
    parts += [rows.tobytes(), _doubles(weights), _doubles(biases)]
    mask = np.concatenate([np.ravel(d) for d in dead]) if dead else np.zeros(0, bool)
    parts.append(mask.astype(np.uint8).tobytes())
    length += sum(len(p) for p in parts[-4:])
    _pad4(parts, length)
    parts += [quantise(grid).tobytes(), quantise(thumbs).tobytes()]
    return b"".join(parts)


def with_seq(frame: bytes, seq: int) -> bytes:
    """The same frame with another sequence number: a room encodes once, numbers per follower."""
    return frame[:8] + struct.pack("<I", seq) + frame[12:]
