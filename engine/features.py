"""The seven input features in the original's input-layer order, and their feature matrix."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np


class Feature(NamedTuple):
    """One input: its label as the original shows it and f(x, y) on arrays."""

    label: str
    function: object


FEATURES: dict[str, Feature] = {
    "x": Feature("X_1", lambda x, y: x),
    "y": Feature("X_2", lambda x, y: y),
    "xSquared": Feature("X_1^2", lambda x, y: x * x),
    "ySquared": Feature("X_2^2", lambda x, y: y * y),
    "xTimesY": Feature("X_1X_2", lambda x, y: x * y),
    "sinX": Feature("sin(X_1)", lambda x, y: np.sin(x)),
    "sinY": Feature("sin(X_2)", lambda x, y: np.sin(y)),
}


def feature_matrix(names: list[str], x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Inputs A_0 with samples as columns: shape (len(names), len(x)), rows in `names` order."""
    x = np.asarray(x)
    out = np.empty((len(names), x.shape[0]), dtype=x.dtype)
    for row, name in enumerate(names):
        out[row] = FEATURES[name].function(x, np.asarray(y))
    return out
