"""Loss functions E(out, t) per point and their derivatives dE/dout: a registry keyed by name.

Arrays hold samples as columns: `a` and `t` are (n_outputs, m), or (K, n_outputs, m) for a stack.

- squared, the original's: E = 1/2 sum_k (t_k - out_k)^2, dE/dout = -(t - out).
- crossEntropy: with sigmoid outputs (binary, each t in [0, 1]) E = -sum_k [t_k ln out_k +
  (1 - t_k) ln(1 - out_k)]; with a softmax over K outputs (categorical, t one-hot)
  E = -sum_k t_k ln out_k. Either way dE/dnet = out - t at the output: the activation's slope
  cancels (`fused`), which is how training computes it.

Each function takes the output activation's name too, since cross-entropy depends on it.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from engine.errors import ConfigError

# ln(0) is -inf: a probability is taken as at least this much in a loss, so that a saturated
# output gives a large but finite error (the gradient, out - t, needs no such care).
PROBABILITY_FLOOR = 1e-15


def _ln(p: np.ndarray) -> np.ndarray:
    return np.log(np.maximum(p, PROBABILITY_FLOOR))


def squared_sum(a: np.ndarray, t: np.ndarray, output: str = "") -> np.ndarray:
    """sum over outputs of (out - t)^2, per point: shape (..., m)."""
    return np.square(a - t).sum(axis=-2)


def squared_derivative(a: np.ndarray, t: np.ndarray, output: str = "") -> np.ndarray:
    return a - t


def cross_entropy_sum(a: np.ndarray, t: np.ndarray, output: str = "softmax") -> np.ndarray:
    """Per point: -sum_k [t_k ln out_k + (1 - t_k) ln(1 - out_k)] for sigmoid outputs,
    -sum_k t_k ln out_k for a softmax."""
    if output == "sigmoid":
        return -(t * _ln(a) + (1.0 - t) * _ln(1.0 - a)).sum(axis=-2)
    return -(t * _ln(a)).sum(axis=-2)


def cross_entropy_derivative(a: np.ndarray, t: np.ndarray, output: str = "softmax") -> np.ndarray:
    """dE/dout: (out - t) / (out (1 - out)) for sigmoid outputs, -t / out for a softmax."""
    floor = PROBABILITY_FLOOR
    if output == "sigmoid":
        return (a - t) / np.maximum(a * (1.0 - a), floor)
    return -t / np.maximum(a, floor)


class Loss(NamedTuple):
    """E per point = scale * point_sum(out, t); `derivative` is dE/dout; with an output activation
    in `fused`, dE/dnet = out - t exactly. `outputs` are the output activations it takes."""

    point_sum: object
    scale: float
    derivative: object
    fused: tuple[str, ...]
    outputs: tuple[str, ...]
    formula: str  # E for one point, as the inspector and the lessons write it
    derivative_formula: str  # dE/dout


LOSSES: dict[str, Loss] = {
    "squared": Loss(
        squared_sum,
        0.5,
        squared_derivative,
        (),
        ("relu", "tanh", "sigmoid", "linear", "softmax"),
        "E = ½ Σ (t − out)²",
        "−(t − out)",
    ),
    "crossEntropy": Loss(
        cross_entropy_sum,
        1.0,
        cross_entropy_derivative,
        ("sigmoid", "softmax"),
        ("sigmoid", "softmax"),
        "E = −Σ t ln out",
        "−t / out",
    ),
}
# Binary cross-entropy, written out for sigmoid outputs (one, or each of several).
BINARY_CROSS_ENTROPY = (
    ("E = −[t ln out + (1 − t) ln(1 − out)]", "−t / out + (1 − t) / (1 − out)"),
    ("E = −Σ [t ln out + (1 − t) ln(1 − out)]", "−t / out + (1 − t) / (1 − out)"),
)


def formulas(loss: str, output: str, n_outputs: int) -> tuple[str, str]:
    """(E, dE/dout) as text for a loss over `n_outputs` outputs of activation `output`."""
    if loss == "crossEntropy" and output == "sigmoid":
        return BINARY_CROSS_ENTROPY[n_outputs > 1]
    return LOSSES[loss].formula, LOSSES[loss].derivative_formula


def check_output(loss: str, output_activation: str, n_outputs: int) -> Loss:
    """The loss, if it can train this output layer; ConfigError naming `loss` if not."""
    if not isinstance(loss, str) or loss not in LOSSES:
        raise ConfigError("loss", loss, "one of " + ", ".join(LOSSES))
    entry = LOSSES[loss]
    if output_activation not in entry.outputs:
        allowed = f"an output activation among {', '.join(entry.outputs)} for {loss}"
        raise ConfigError("output_activation", output_activation, allowed)
    return entry
