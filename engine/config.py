"""The run's settings under the original's URL-hash keys: one schema table drives defaults,
validation, hash parsing and hash writing."""

from __future__ import annotations

import math
import secrets
from typing import Any, NamedTuple

from engine.activations import ACTIVATIONS
from engine.datasets import CLASSIFICATION, REGRESSION
from engine.errors import ConfigError
from engine.regularizers import REGULARIZERS

# Hard ceilings that keep any one run small; a server may set lower limits of its own.
MAX_HIDDEN_LAYERS = 16
MAX_NEURONS = 64
MAX_BATCH_SIZE = 1200
MAX_SEED_LENGTH = 64
MAX_NOISE = 100


def _choice(names):
    names = list(names)

    def check(field: str, value: Any) -> str:
        if not isinstance(value, str) or value not in names:
            raise ConfigError(field, value, "one of " + ", ".join(names))
        return value

    return check


def _plain(value: float | int) -> float | int:
    """Whole numbers as int (JSON `0`, not `0.0`), others as float."""
    return int(value) if float(value).is_integer() else float(value)


def _rate(low_open: bool):
    def check(field: str, value: Any) -> float:
        ok = isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)
        if not ok or (value <= 0 if low_open else value < 0):
            raise ConfigError(
                field, value, "a finite number > 0" if low_open else "a finite number >= 0"
            )
        return float(value)

    return check


def _shape(field: str, value: Any) -> list[int]:
    ok = isinstance(value, list | tuple) and len(value) <= MAX_HIDDEN_LAYERS
    ok = ok and all(
        isinstance(n, int) and not isinstance(n, bool) and 1 <= n <= MAX_NEURONS for n in value
    )
    if not ok:
        raise ConfigError(
            field,
            value,
            f"a list of 0 .. {MAX_HIDDEN_LAYERS} integers, each 1 .. {MAX_NEURONS}",
        )
    return list(value)


def _seed(field: str, value: Any) -> str | None:
    if value is None or value == "":
        return None  # a fresh seed is picked when the run is built
    if not isinstance(value, str) or len(value) > MAX_SEED_LENGTH:
        raise ConfigError(field, value, f"a string of at most {MAX_SEED_LENGTH} characters")
    return value


def _flag(field: str, value: Any) -> bool:
    if not isinstance(value, bool):
        raise ConfigError(field, value, "true or false")
    return value


def _percent(field: str, value: Any) -> float | int:
    ok = isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)
    if not ok or not 1 <= value <= 99:
        raise ConfigError(field, value, "a number 1 .. 99 (percent of the points used to train)")
    return _plain(value)


def _noise(field: str, value: Any) -> float | int:
    ok = isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)
    if not ok or not 0 <= value <= MAX_NOISE:
        raise ConfigError(field, value, f"a number 0 .. {MAX_NOISE} (percent)")
    return _plain(value)


def _batch(field: str, value: Any) -> int:
    ok = isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)
    if not ok or not float(value).is_integer() or not 1 <= value <= MAX_BATCH_SIZE:
        raise ConfigError(field, value, f"an integer 1 .. {MAX_BATCH_SIZE}")
    return int(value)


class Key(NamedTuple):
    default: Any
    check: Any
    kind: str  # how the hash writes it: "str", "number", "list", "bool", "seed"
    effect: str  # what a change rebuilds: "learningRate", "network" or "data"


SCHEMA: dict[str, Key] = {
    "activation": Key("tanh", _choice(ACTIVATIONS), "str", "network"),
    "regularization": Key("none", _choice(REGULARIZERS), "str", "network"),
    "batchSize": Key(10, _batch, "number", "network"),
    "dataset": Key("circle", _choice(CLASSIFICATION), "str", "data"),
    "regDataset": Key("reg-plane", _choice(REGRESSION), "str", "data"),
    "learningRate": Key(0.03, _rate(True), "number", "learningRate"),
    "regularizationRate": Key(0.0, _rate(False), "number", "network"),
    "noise": Key(0, _noise, "number", "data"),
    "networkShape": Key([4, 2], _shape, "list", "network"),
    "seed": Key(None, _seed, "seed", "data"),
    "percTrainData": Key(50, _percent, "number", "data"),
    **{
        name: Key(name in ("x", "y"), _flag, "bool", "network")
        for name in ("x", "y", "xTimesY", "xSquared", "ySquared", "sinX", "sinY")
    },
    "problem": Key("classification", _choice(["classification", "regression"]), "str", "data"),
}
DEFAULT_CONFIG: dict[str, Any] = {key: spec.default for key, spec in SCHEMA.items()}

# The original's keys that only change its page (or nothing): accepted and ignored.
DISPLAY_KEYS = frozenset(
    ["showTestData", "discretize", "cosX", "cosY", "collectStats", "initZero", "hideText"]
)


def fresh_seed() -> str:
    """A new "0.xxxxx" seed, as the original picks one when the URL has none."""
    return f"0.{secrets.randbelow(100_000):05d}"


def validate(changes: dict, base: dict | None = None) -> dict:
    """`base` (default: DEFAULT_CONFIG) with `changes` applied, every value checked.

    Raises ConfigError on the first unknown key or bad value; never returns a partial result.
    """
    if not isinstance(changes, dict):
        raise ConfigError("config", changes, "an object of settings")
    config = dict(DEFAULT_CONFIG if base is None else base)
    for key, value in changes.items():
        if key in DISPLAY_KEYS or (isinstance(key, str) and key.endswith("_hide")):
            continue
        spec = SCHEMA.get(key)
        if spec is None:
            raise ConfigError(key, value, "a setting among " + ", ".join(SCHEMA))
        config[key] = spec.check(key, value)
    return config


def parse_hash(h: str) -> dict:
    """The original's URL hash ("#key=value&...") as a config dict of JSON types (unvalidated
    keys it ignores are dropped; values are converted the way its state.ts converts them)."""
    if not isinstance(h, str):
        raise ConfigError("hash", h, "a string like #activation=tanh&batchSize=10")
    config: dict[str, Any] = {}
    for part in h.lstrip("#").split("&"):
        name, _, value = part.partition("=")
        spec = SCHEMA.get(name)
        if spec is None or (spec.kind != "list" and value.strip() == ""):
            continue  # the original ignores unknown keys and empty values
        if spec.kind == "number":
            try:
                config[name] = _plain(float(value))
            except (ValueError, OverflowError):
                raise ConfigError(name, value, "a number") from None
        elif spec.kind == "list":
            try:
                config[name] = [int(v) for v in value.split(",")] if value else []
            except ValueError:
                raise ConfigError(name, value, "comma-separated integers like 4,2") from None
        elif spec.kind == "bool":
            config[name] = value != "false"  # the original: anything but "false" is true
        else:
            config[name] = value
    return config


def _js_number(value: float | int) -> str:
    return str(_plain(value)) if float(value).is_integer() else repr(float(value))


def to_hash(config: dict) -> str:
    """A link the original (and we) can read: its key order, its value formats."""
    parts = []
    for key, spec in SCHEMA.items():
        value = config.get(key, spec.default)
        if key == "regularization" and value == "none":
            continue  # the original omits it when none
        if spec.kind == "number":
            text = _js_number(value)
        elif spec.kind == "list":
            text = ",".join(str(n) for n in value)
        elif spec.kind == "bool":
            text = "true" if value else "false"
        else:
            text = "" if value is None else str(value)
        parts.append(f"{key}={text}")
    return "#" + "&".join(parts)
