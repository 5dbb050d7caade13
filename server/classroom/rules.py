"""Classroom rules: join codes, tokens, display names, locks and challenge constraints."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import unicodedata
from typing import Any

from engine.config import SCHEMA
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
# The lockable controls as the page names them (config keys take the schema's labels).
LOCK_LABELS = {
    "playButton": "The Play button",
    "stepButton": "The Step button",
    "resetButton": "The Reset button",
    "dataset": "Dataset",
    "numHiddenLayers": "Hidden layers",
    "features": "Features",
    "weights": "Editing weights",
    "showTestData": "Show test data",
    "discretize": "Discretize output",
}


def label(name: str) -> str:
    """A control's or config key's name as the page shows it."""
    if name in LOCK_LABELS:
        return LOCK_LABELS[name]
    setting = SCHEMA.get(name)
    return setting.label if setting is not None and setting.label else name


class RoomError(RequestError):
    """A refused classroom request: field, value and what is allowed, like the protocol's errors.

    Only a scalar value is echoed back (a name or token a client sent never travels further).
    """

    counted = False  # a failed join attempt already counted against its address

    def as_dict(self, request: str | None = None) -> dict:
        value = self.value if isinstance(self.value, str | int | float | bool) else None
        return {**super().as_dict(request), "value": None if value is None else echo(value)}


def not_open(code: object) -> RoomError:
    """The refusal for a code with no open room behind it."""
    message = f"There is no open room {echo(code)}: check the code on the projector."
    return RoomError("code", code, "the code of an open room", 404, message)


def creations_refused(settings: Settings) -> RoomError:
    per = settings.room_creations_per_minute
    message = f"At most {per} new rooms a minute from one address: try again in a minute."
    return RoomError("rooms", None, f"at most {per} new rooms a minute per address", 429, message)


def rooms_full(settings: Settings, held: int) -> RoomError:
    most = settings.max_rooms
    message = f"This server holds as many rooms as it can ({most}): try again later."
    return RoomError("rooms", held, f"at most {most}", 503, message)


def rooms_held(settings: Settings, held: int) -> RoomError:
    most = settings.max_rooms_per_ip
    message = f"At most {most} open rooms from one address: close one you no longer use first."
    return RoomError("rooms", held, f"at most {most} open rooms per address", 429, message)


def attempts_refused(settings: Settings, raw_code: object) -> RoomError:
    per = settings.join_attempts_per_minute
    message = f"More than {per} wrong room codes a minute from here: wait a minute."
    return RoomError("code", raw_code, f"at most {per} failed attempts a minute", 429, message)


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalise_code(raw: object) -> str:
    if not isinstance(raw, str) or not raw.strip():
        message = f"A room code is {CODE_LENGTH} letters or digits, as the projector shows it."
        raise RoomError("code", raw, f"{CODE_LENGTH} letters or digits", 400, message)
    code = raw.strip().upper().replace("-", "").replace(" ", "")
    if len(code) != CODE_LENGTH or any(c not in CODE_ALPHABET for c in code):
        message = f"{echo(raw)} is not a room code: a code is {CODE_LENGTH} letters or digits."
        raise RoomError("code", raw, f"{CODE_LENGTH} characters from {CODE_ALPHABET}", 400, message)
    return code


def clean_name(raw: object, max_length: int) -> str:
    """A display name: trimmed, NFC, 1..max_length characters, no control characters."""
    allowed = f"1 to {max_length} printable characters"
    refusal = RoomError("name", raw, allowed, message=f"A name is {allowed}.")
    if not isinstance(raw, str):
        raise refusal
    name = unicodedata.normalize("NFC", " ".join(raw.split()))
    if not name or len(name) > max_length:
        raise refusal
    if any(unicodedata.category(c) in ("Cc", "Cf", "Cs", "Co", "Cn") for c in name):
        raise refusal
    return name


def secret_hash(token: str) -> str:
    """What is kept of a token: its SHA-256, so neither memory nor Redis holds a usable one."""
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def hash_matches(stored: str, given: object) -> bool:
    """Whether `given` is the token whose `secret_hash` is `stored` (in constant time)."""
    return isinstance(given, str) and hmac.compare_digest(stored, secret_hash(given))


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
        most = constraints["maxLayers"]
        message = f"This challenge allows at most {most} hidden layers; that is {len(shape)}."
        return RoomError("networkShape", shape, f"at most {most} hidden layers", message=message)
    if "maxNeurons" in constraints and sum(shape) > constraints["maxNeurons"]:
        most = constraints["maxNeurons"]
        message = f"This challenge allows at most {most} neurons; that is {sum(shape)}."
        return RoomError("networkShape", shape, f"at most {most} neurons", message=message)
    if "features" in constraints:
        for key in FEATURE_KEYS:
            if config.get(key) and key not in constraints["features"]:
                names = ", ".join(label(f) for f in constraints["features"])
                message = f"This challenge uses only {names}; {label(key)} is not one of them."
                allowed = "only these features: " + ", ".join(constraints["features"])
                return RoomError(key, True, allowed, message=message)
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
            message = f"{label(name)} is locked by the instructor."
            return RoomError(kind, kind, f"not while the instructor locks {name}", 403, message)
        if kind == "config" and isinstance(msg.get("config"), dict):
            for key in keys:
                if key in msg["config"] and msg["config"][key] != current.get(key):
                    message = f"{label(key)} is locked by the instructor."
                    allowed = f"locked by the instructor ({name})"
                    return RoomError(key, msg["config"][key], allowed, 403, message)
    return None
