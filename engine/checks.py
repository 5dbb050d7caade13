"""Checks of parameters a user or a file hands a run: indices, finite numbers, whole layers of
weights, biases and dead links, and the training state that continues a run exactly. Each raises
ConfigError naming the first bad field; nothing is changed until all of it is checked."""

from __future__ import annotations

from typing import Any

import numpy as np

from engine.errors import ConfigError
from engine.network import Network


def index_in(field: str, value: Any, size: int) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value < size:
        raise ConfigError(field, value, f"an integer 0 .. {size - 1}")
    return value


def finite_number(field: str, value: Any) -> float:
    if not isinstance(value, int | float) or isinstance(value, bool) or not np.isfinite(value):
        raise ConfigError(field, value, "a finite number")
    return float(value)


def checked_parameters(net: Network, weights: list, biases: list, dead: list | None) -> dict:
    """{"weights": [...], "biases": [...], "dead": [...]} as arrays shaped like `net`'s (a field
    given as None is left out)."""
    arrays = {}
    for field, given, views, dtype in (
        ("weights", weights, net.weights, np.float64),
        ("biases", biases, net.biases, np.float64),
        ("dead", dead, net.dead, bool),
    ):
        if given is None:
            continue
        if not isinstance(given, list | tuple) or len(given) != len(views):
            raise ConfigError(field, given, f"a list of {len(views)} layers")
        arrays[field] = []
        for l, (value, view) in enumerate(zip(given, views, strict=True)):
            try:
                array = np.asarray(value, dtype=dtype)
            except (TypeError, ValueError):
                raise ConfigError(f"{field}[{l}]", value, f"numbers shaped {view.shape}") from None
            if array.shape != view.shape or (dtype is np.float64 and not np.isfinite(array).all()):
                raise ConfigError(f"{field}[{l}]", value, f"finite numbers shaped {view.shape}")
            arrays[field].append(array)
    return arrays


def checked_training(training: dict | None, P: int, slots: int) -> dict | None:
    """The arrays of a `training` dict (engine.export's) for a network of `P` parameters and an
    optimizer of `slots` moment vectors (all or nothing)."""
    if training is None:
        return None
    if not isinstance(training, dict):
        raise ConfigError("training", training, "an object of moments, steps, carry, carryCount")
    out = {}
    for name, key, shape, kind in (
        ("moments", "moments", (slots, P), "numbers"),
        ("carry", "carry", (P,), "numbers"),
        ("steps", "steps", (), "count"),
        ("carry_count", "carryCount", (), "count"),
    ):
        value = training.get(key, 0 if kind == "count" else np.zeros(shape).tolist())
        try:
            array = np.asarray(value, dtype=np.float64)
        except (TypeError, ValueError):
            array = None
        if array is not None and array.size == 0 and 0 in shape:
            array = np.zeros(shape)  # no moments (plain SGD) read back as []
        if array is None or array.shape != shape or not np.isfinite(array).all():
            raise ConfigError(f"training.{key}", value, f"finite {kind} shaped {shape}")
        if kind == "count":
            if not float(array).is_integer() or array < 0:
                raise ConfigError(f"training.{key}", value, "an integer >= 0")
            array = np.int64(array)
        out[name] = array
    return out
