"""Optimizers: how one update turns the mean gradient g = dJ/dtheta into a step, in the lecture's
notation theta_(j+1) <- theta_j - alpha (...); a registry keyed by name, beside the activations and
regularisers. The regulariser's own step follows, once per update, as in the original.

- sgd (the original): theta <- theta - alpha g
- momentum: v <- mu v + g;  theta <- theta - alpha v
- adam: m <- beta1 m + (1 - beta1) g;  v <- beta2 v + (1 - beta2) g^2;  t <- t + 1;
  theta <- theta - alpha m_hat / (sqrt(v_hat) + epsilon), m_hat = m / (1 - beta1^t),
  v_hat = v / (1 - beta2^t)

State: `slots` moment vectors per parameter (v; or m and v) and t, the updates made so far; it
is part of the training state (engine.state) and travels with jobs and results.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

import numpy as np


def sgd(g: np.ndarray, moments: np.ndarray, lr, h: dict, corrections, scratch) -> np.ndarray:
    """Delta theta = -alpha g, written into g."""
    g *= -lr
    return g


def momentum(g: np.ndarray, moments: np.ndarray, lr, h: dict, corrections, scratch) -> np.ndarray:
    """v <- mu v + g; Delta theta = -alpha v, written into g."""
    v = moments[..., 0, :]
    v *= h["momentum"]
    v += g
    return np.multiply(v, -lr, out=g)


def adam(g: np.ndarray, moments: np.ndarray, lr, h: dict, corrections, scratch) -> np.ndarray:
    """The moments move towards g and g^2; Delta theta = -alpha m_hat / (sqrt(v_hat) + epsilon),
    written into g. `corrections` = (1 - beta1^t, 1 - beta2^t) for this update's t."""
    m, v = moments[..., 0, :], moments[..., 1, :]
    beta1, beta2 = h["beta1"], h["beta2"]
    m *= beta1
    np.multiply(g, 1.0 - beta1, out=scratch)
    m += scratch
    v *= beta2
    np.multiply(g, g, out=scratch)
    scratch *= 1.0 - beta2
    v += scratch
    c1, c2 = corrections
    np.divide(v, c2, out=scratch)
    np.sqrt(scratch, out=scratch)
    scratch += h["epsilon"]
    np.divide(m, c1, out=g)
    g /= scratch
    g *= -lr
    return g


class Optimizer(NamedTuple):
    """`step(g, moments, lr, h, corrections, scratch)` turns the mean gradient g into the update
    Delta theta in place, moving its `slots` moment vectors; `hyperparameters` are its config keys
    and their defaults."""

    step: object
    slots: int
    hyperparameters: dict
    formula: str


OPTIMIZERS: dict[str, Optimizer] = {
    "sgd": Optimizer(sgd, 0, {}, "θ ← θ − α g"),
    "momentum": Optimizer(momentum, 1, {"momentum": 0.9}, "v ← μ v + g;  θ ← θ − α v"),
    "adam": Optimizer(
        adam,
        2,
        {"beta1": 0.9, "beta2": 0.999, "epsilon": 1e-8},
        "m ← β₁ m + (1 − β₁) g;  v ← β₂ v + (1 − β₂) g²;  θ ← θ − α m̂ / (√v̂ + ε)",
    ),
}
HYPERPARAMETERS = ("momentum", "beta1", "beta2", "epsilon")


def hyperparameters(optimizer: str, config: dict) -> dict:
    """The optimizer's own hyperparameters from a config (the others are left out)."""
    return {key: float(config.get(key, default)) for key, default in
            OPTIMIZERS[optimizer].hyperparameters.items()}  # fmt: skip


def corrections(optimizer: str, h: dict, steps: Sequence[int]) -> list[tuple[float, float]]:
    """Adam's bias corrections (1 - beta1^t, 1 - beta2^t) for each row's update count t, in plain
    floats so that a network gets the same numbers alone and in a stack."""
    if optimizer != "adam":
        return [(1.0, 1.0)] * len(steps)
    return [(1.0 - h["beta1"] ** t, 1.0 - h["beta2"] ** t) for t in steps]
