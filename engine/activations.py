"""Activation functions and their derivatives: registries of pure functions keyed by name.

`ACTIVATIONS` are the elementwise ones a hidden layer may use; `OUTPUT_ACTIVATIONS` adds softmax,
which only an output layer of K >= 2 neurons uses: it normalises over the neurons (axis -2, since
samples are columns), so its derivative is a Jacobian, applied by `softmax_backward`.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

# Every function takes float arrays and an optional `out` buffer of the same shape, so the
# training loop can reuse memory; without `out` each returns a new array.


def tanh(z: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    return np.tanh(z, out=out)


def relu(z: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    return np.maximum(z, 0.0, out=out)


def sigmoid(z: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    out = np.negative(z, out=out)
    np.exp(out, out=out)
    out += 1.0
    return np.reciprocal(out, out=out)


def linear(z: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    if out is None:
        return np.array(z, copy=True)
    np.copyto(out, z)
    return out


# Derivatives g'(z) written with the stored forward output a = g(z), as backprop has both.


def tanh_derivative(z: np.ndarray, a: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    out = np.multiply(a, a, out=out)
    return np.subtract(1.0, out, out=out)


def relu_derivative(z: np.ndarray, a: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    # 0 for z <= 0, 1 otherwise (a > 0 exactly when z > 0)
    if out is None:
        return (np.asarray(z) > 0).astype(np.float64)
    return np.greater(z, 0.0, out=out)


def sigmoid_derivative(z: np.ndarray, a: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    out = np.subtract(1.0, a, out=out)
    return np.multiply(out, a, out=out)


def linear_derivative(z: np.ndarray, a: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    if out is None:
        return np.ones_like(np.asarray(z, dtype=np.float64))
    out.fill(1.0)
    return out


def softmax(z: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """a_k = e^(z_k) / sum_j e^(z_j) over the neurons (axis -2), shifted by max_j z_j (exact
    algebra, no overflow)."""
    out = np.subtract(z, np.max(z, axis=-2, keepdims=True), out=out)
    np.exp(out, out=out)
    out /= np.sum(out, axis=-2, keepdims=True)
    return out


def softmax_backward(a: np.ndarray, upstream: np.ndarray, out: np.ndarray) -> np.ndarray:
    """dE/dz from dE/da through softmax, in place in `upstream`: the Jacobian's product
    dE/dz_j = a_j (dE/da_j - sum_k dE/da_k a_k). `out` is scratch shaped like `a`."""
    np.multiply(upstream, a, out=out)
    upstream -= np.sum(out, axis=-2, keepdims=True)
    upstream *= a
    return upstream


class Activation(NamedTuple):
    """g and g' side by side: `output(z)` and `derivative(z, a)` with a = g(z); `derivative` is
    None for softmax (not elementwise: see `softmax_backward`)."""

    output: object
    derivative: object


ACTIVATIONS: dict[str, Activation] = {
    "relu": Activation(relu, relu_derivative),
    "tanh": Activation(tanh, tanh_derivative),
    "sigmoid": Activation(sigmoid, sigmoid_derivative),
    "linear": Activation(linear, linear_derivative),
}
DERIVATIVES = {name: act.derivative for name, act in ACTIVATIONS.items()}
OUTPUT_ACTIVATIONS: dict[str, Activation] = {**ACTIVATIONS, "softmax": Activation(softmax, None)}
