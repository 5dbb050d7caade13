"""The JSON side of docs/protocol.md: refusals as `error` messages, parsing, field checks."""

from __future__ import annotations

import json
import math
import sys

PROTOCOL_VERSION = 1
MAX_ECHO_CHARS = 120


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

_FLOAT_MAX = int(sys.float_info.max)


def _is_int(v: object) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


_KINDS = {
    "integer": _is_int,
    # An integer too large for a float (400 digits) is not a number the engine can take.
    "number": lambda v: isinstance(v, float) or (_is_int(v) and abs(v) <= _FLOAT_MAX),
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
