"""Classroom rules: join codes, tokens, display names, locks and challenge constraints."""

from __future__ import annotations

import hmac
import secrets
import unicodedata
from typing import Any

from server.core.errors import RequestError, echo
from server.settings import Settings

# No 0/O, 1/I/L: a code read off a projector is typed without guessing.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 6

# The original's `<control>_hide` names (plus `features`), and what each one guards on the
# server: config keys a student may no longer change, and message types they may no longer send.
LOCKABLE: dict[str, tuple[frozenset[str], frozenset[str]]] = {
    "playButton": (frozenset(), frozenset({"play", "pause", "speed"})),
    "stepButton": (frozenset(), frozenset({"step"})),
    "resetButton": (frozenset(), frozenset({"reset", "regenerate"})),
    "learningRate": (frozenset({"learningRate"}), frozenset()),
    "activation": (frozenset({"activation"}), frozenset()),
    "regularization": (frozenset({"regularization"}), frozenset()),
    "regularizationRate": (frozenset({"regularizationRate"}), frozenset()),
    "problem": (frozenset({"problem"}), frozenset()),
    # Own points (issue 12) are data too: a locked data set locks drawing and uploading.
    "dataset": (frozenset({"dataset", "regDataset", "seed"}), frozenset({"points", "upload"})),
    "percTrainData": (frozenset({"percTrainData"}), frozenset()),
    "noise": (frozenset({"noise"}), frozenset()),
    "batchSize": (frozenset({"batchSize"}), frozenset()),
    "numHiddenLayers": (frozenset({"networkShape"}), frozenset()),
    "features": (
        frozenset({"x", "y", "xSquared", "ySquared", "xTimesY", "sinX", "sinY"}),
        frozenset(),
    ),
    "weights": (frozenset(), frozenset({"set_weight", "import"})),
    "showTestData": (frozenset(), frozenset()),
    "discretize": (frozenset(), frozenset()),
    # Issue 12's controls, named as their `<control>_hide` keys.
    "classes": (frozenset({"classes"}), frozenset()),
    "loss": (frozenset({"loss"}), frozenset()),
    "optimizer": (frozenset({"optimizer", "momentum", "beta1", "beta2", "epsilon"}), frozenset()),
    "stopEpoch": (frozenset({"stopEpoch"}), frozenset()),
    "stopTestLoss": (frozenset({"stopTestLoss"}), frozenset()),
    "draw": (frozenset({"ownData"}), frozenset({"points"})),
    "uploadData": (frozenset({"ownData"}), frozenset({"upload"})),
    "importModel": (frozenset(), frozenset({"import"})),
    "replayButton": (frozenset(), frozenset({"replay"})),
}
FEATURE_KEYS = ("x", "y", "xSquared", "ySquared", "xTimesY", "sinX", "sinY")


class RoomError(RequestError):
    """A refused classroom request: field, value and what is allowed, like the protocol's errors.

    Only a scalar value is echoed back (a name or token a client sent never travels further).
    """

    def as_dict(self, request: str | None = None) -> dict:
        value = self.value if isinstance(self.value, str | int | float | bool) else None
        return {**super().as_dict(request), "value": None if value is None else echo(value)}


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalise_code(raw: object) -> str:
    if not isinstance(raw, str) or not raw.strip():
        raise RoomError("code", raw, f"{CODE_LENGTH} letters or digits", 400)
    code = raw.strip().upper().replace("-", "").replace(" ", "")
    if len(code) != CODE_LENGTH or any(c not in CODE_ALPHABET for c in code):
        raise RoomError("code", raw, f"{CODE_LENGTH} characters from {CODE_ALPHABET}", 400)
    return code


def clean_name(raw: object, max_length: int) -> str:
    """A display name: trimmed, NFC, 1..max_length characters, no control characters."""
    allowed = f"1 to {max_length} printable characters"
    if not isinstance(raw, str):
        raise RoomError("name", raw, allowed)
    name = unicodedata.normalize("NFC", " ".join(raw.split()))
    if not name or len(name) > max_length:
        raise RoomError("name", raw, allowed)
    if any(unicodedata.category(c) in ("Cc", "Cf", "Cs", "Co", "Cn") for c in name):
        raise RoomError("name", raw, allowed)
    return name


def tokens_match(expected: str, given: object) -> bool:
    if not isinstance(given, str):
        return False
    # surrogatepass: a lone surrogate (valid in JSON) must be a wrong token, not an exception.
    return hmac.compare_digest(expected.encode(), given.encode("utf-8", "surrogatepass"))


def check_constraints(config: dict, constraints: dict) -> RoomError | None:
    """Whether a config respects a challenge's constraints; the first broken one as an error."""
    shape = config.get("networkShape", [])
    if not isinstance(shape, list) or not all(type(n) is int for n in shape):
        return None  # not a shape at all: the config's own check refuses it
    if "maxLayers" in constraints and len(shape) > constraints["maxLayers"]:
        return RoomError("networkShape", shape, f"at most {constraints['maxLayers']} hidden layers")
    if "maxNeurons" in constraints and sum(shape) > constraints["maxNeurons"]:
        return RoomError("networkShape", shape, f"at most {constraints['maxNeurons']} neurons")
    if "features" in constraints:
        for key in FEATURE_KEYS:
            if config.get(key) and key not in constraints["features"]:
                allowed = ", ".join(constraints["features"])
                return RoomError(key, True, f"only these features: {allowed}")
    return None


def clean_constraints(raw: object, settings: Settings) -> dict:
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise RoomError("constraints", raw, "an object with maxNeurons, maxLayers, features")
    out: dict[str, Any] = {}
    for key, value in raw.items():
        if key in ("maxNeurons", "maxLayers"):
            top = settings.max_neurons * settings.max_hidden_layers
            top = settings.max_hidden_layers if key == "maxLayers" else top
            if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= top:
                raise RoomError(f"constraints.{key}", value, f"an integer 0 .. {top}")
            out[key] = value
        elif key == "features":
            known = isinstance(value, list) and all(f in FEATURE_KEYS for f in value)
            if not known or not value:
                raise RoomError("constraints.features", value, ", ".join(FEATURE_KEYS))
            out[key] = [f for f in FEATURE_KEYS if f in value]
        else:
            raise RoomError("constraints", key, "maxNeurons, maxLayers, features")
    return out


def clean_locks(raw: object) -> frozenset[str]:
    if not isinstance(raw, list) or any(not isinstance(n, str) or n not in LOCKABLE for n in raw):
        raise RoomError("controls", raw, "a list of: " + ", ".join(LOCKABLE))
    return frozenset(raw)


def lock_refusal(locks: frozenset[str], msg: dict, current: dict) -> RoomError | None:
    """The error for a student's message that a lock forbids, else None.

    A `config` is refused only for locked keys whose value would change, so a page that sends its
    whole config on every change still works under locks.
    """
    kind = msg.get("type")
    for name in locks:
        keys, kinds = LOCKABLE[name]
        if kind in kinds:
            return RoomError(kind, kind, f"not while the instructor locks {name}", 403)
        if kind == "config" and isinstance(msg.get("config"), dict):
            for key in keys:
                if key in msg["config"] and msg["config"][key] != current.get(key):
                    return RoomError(key, msg["config"][key], f"locked by the instructor ({name})")
    return None
