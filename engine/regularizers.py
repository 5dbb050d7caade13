"""Weight regularisers R(w) and R'(w) under the original's names; biases are never regularised."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np


class Regularizer(NamedTuple):
    """R(w) (a penalty per weight) and its derivative R'(w)."""

    penalty: object
    derivative: object


def l1(w: np.ndarray) -> np.ndarray:
    return np.abs(w)


def l1_derivative(w: np.ndarray) -> np.ndarray:
    return np.sign(w)  # sign(0) = 0, as in the original


def l2(w: np.ndarray) -> np.ndarray:
    return 0.5 * np.square(w)


def l2_derivative(w: np.ndarray) -> np.ndarray:
    return np.array(w, dtype=np.float64, copy=True)


def none(w: np.ndarray) -> np.ndarray:
    return np.zeros_like(np.asarray(w, dtype=np.float64))


REGULARIZERS: dict[str, Regularizer] = {
    "none": Regularizer(none, none),
    "L1": Regularizer(l1, l1_derivative),
    "L2": Regularizer(l2, l2_derivative),
}
