"""A fully connected network in the lecture's matrix form: Z_l = W_l @ A_(l-1) + b_l."""

from __future__ import annotations

import operator
from collections.abc import Sequence

import numpy as np

from engine.activations import ACTIVATIONS, OUTPUT_ACTIVATIONS, softmax_backward
from engine.errors import ConfigError
from engine.losses import check_output
from engine.random import SeedRandom
from engine.regularizers import REGULARIZERS

INITIAL_BIAS = 0.1


def _choice(field: str, value: object, allowed: Sequence[str]) -> str:
    if not isinstance(value, str) or value not in allowed:
        raise ConfigError(field, value, f"one of {', '.join(allowed)}")
    return value


class Network:
    """An MLP with `layer_sizes = [n_inputs, *hidden, n_outputs]`.

    Layer l (0-based) maps node layer l to node layer l + 1: `weights[l]` has shape
    (n_(l+1), n_l) (row = destination neuron, column = source), `biases[l]` shape (n_(l+1),),
    `dead[l]` (bool, shaped like `weights[l]`) marks links killed by L1.

    Storage: all parameters live in one flat float64 vector `params`, layer after layer, each
    layer as the augmented matrix `augmented[l] = [W_l | b_l]` of shape (n_(l+1), n_l + 1), so
    that `W_l @ A + b_l = [W_l | b_l] @ [A; 1]` and a training update is one vector operation.
    `weights`, `biases`, `dead` hold views into it; `is_bias` marks the bias entries. Assigning a
    new array to `weights[l]` is fine: `packed()` copies it back in.
    """

    def __init__(
        self,
        layer_sizes: Sequence[int],
        activation: str = "tanh",
        output_activation: str = "tanh",
    ) -> None:
        sizes = list(layer_sizes) if isinstance(layer_sizes, Sequence) else None
        if (
            sizes is None
            or len(sizes) < 2
            or not all(isinstance(n, int) and not isinstance(n, bool) for n in sizes)
            or sizes[0] < 0
            or min(sizes[1:]) < 1
        ):
            raise ConfigError(
                "layer_sizes",
                layer_sizes,
                "a list of at least two integers, inputs >= 0 and every other layer >= 1",
            )
        self.layer_sizes = sizes
        self.activation = _choice("activation", activation, list(ACTIVATIONS))
        self.output_activation = _choice(
            "output_activation", output_activation, list(OUTPUT_ACTIVATIONS)
        )
        shapes = [(n_out, n_in + 1) for n_out, n_in in zip(sizes[1:], sizes[:-1], strict=True)]
        self.n_weights = sum(n_out * (n_in - 1) for n_out, n_in in shapes)
        self.params = np.zeros(sum(n_out * n_in for n_out, n_in in shapes))
        self.dead_mask = np.zeros(self.params.shape, dtype=bool)  # biases never die
        self.is_bias = np.zeros(self.params.shape, dtype=bool)
        self.augmented = self._split(self.params, shapes)
        dead_augmented = self._split(self.dead_mask, shapes)
        for bias_column in self._split(self.is_bias, shapes):
            bias_column[:, -1] = True
        self._weights = [A[:, :-1] for A in self.augmented]
        self._biases = [A[:, -1] for A in self.augmented]
        self._dead = [D[:, :-1] for D in dead_augmented]
        self.weights = list(self._weights)
        self.biases = list(self._biases)
        self.dead = list(self._dead)
        self.biases_as_columns = [A[:, -1:] for A in self.augmented]

    @staticmethod
    def _split(flat: np.ndarray, shapes: list[tuple[int, int]]) -> list[np.ndarray]:
        views, start = [], 0
        for n_out, n_in in shapes:
            views.append(flat[start : start + n_out * n_in].reshape(n_out, n_in))
            start += n_out * n_in
        return views

    def flat(self, weights: list[np.ndarray], biases: list[np.ndarray]) -> np.ndarray:
        """Per-layer arrays shaped like weights / biases (e.g. a gradient) in `params` layout."""
        out = np.empty_like(self.params)
        for A, W, b in zip(
            self._split(out, [A.shape for A in self.augmented]), weights, biases, strict=True
        ):
            A[:, :-1] = W
            A[:, -1] = b
        return out

    @property
    def activation_names(self) -> list[str]:
        """The activation of each layer l: hidden ones, then the output's."""
        return [self.activation] * (len(self.layer_sizes) - 2) + [self.output_activation]

    def packed(self) -> np.ndarray:
        """The flat parameter vector, after copying in any array assigned into the lists."""
        weights, biases, dead = self.weights, self.biases, self.dead
        if (
            len(weights) == len(biases) == len(dead) == len(self._weights)
            and all(map(operator.is_, weights, self._weights))
            and all(map(operator.is_, biases, self._biases))
            and all(map(operator.is_, dead, self._dead))
        ):
            return self.params  # nothing was assigned (the usual case, checked often)
        for name, lists, views in (
            ("weights", "weights", self._weights),
            ("biases", "biases", self._biases),
            ("dead", "dead", self._dead),
        ):
            current = getattr(self, lists)
            if len(current) != len(views):
                raise ConfigError(name, f"{len(current)} layers", f"{len(views)} layers")
            for l, (value, view) in enumerate(zip(current, views, strict=True)):
                if value is view:
                    continue
                array = np.asarray(value, dtype=view.dtype)
                if array.shape != view.shape:
                    raise ConfigError(f"{name}[{l}]", f"shape {array.shape}", f"shape {view.shape}")
                view[...] = array
                current[l] = view
        return self.params

    def initialize(self, rng: SeedRandom) -> None:
        """The original's initialisation: each weight U[-0.5, 0.5) in draw order, biases 0.1.

        Draw order: layer by layer, destination neuron by neuron, source by source (row-major).
        """
        self.packed()
        for W in self._weights:
            for row in W:
                for i in range(row.shape[0]):
                    row[i] = rng.rand() - 0.5
        for b in self._biases:
            b[:] = INITIAL_BIAS
        self.dead_mask[:] = False

    def layer_outputs(self, A0: np.ndarray) -> tuple[list[np.ndarray], list[np.ndarray]]:
        """Forward pass with samples as columns: A0 (n_0, m) -> lists Z_l, A_l of (n_(l+1), m)."""
        self.packed()
        Zs, As, A = [], [], A0
        for W, b, name in zip(
            self.weights, self.biases_as_columns, self.activation_names, strict=True
        ):
            Z = W @ A + b
            A = OUTPUT_ACTIVATIONS[name].output(Z)
            Zs.append(Z)
            As.append(A)
        return Zs, As

    def forward(self, X: np.ndarray) -> np.ndarray:
        """Outputs for X of shape (n_samples, n_inputs): shape (n_samples, n_outputs)."""
        X = self._samples("X", X, self.layer_sizes[0])
        return self.layer_outputs(X.T)[1][-1].T

    def gradients(
        self,
        X: np.ndarray,
        Y: np.ndarray,
        regularization: str = "none",
        regularization_rate: float = 0.0,
        loss: str = "squared",
    ) -> tuple[list[np.ndarray], list[np.ndarray]]:
        """(dW, db) of J = mean over samples of the loss E(out, y) (engine.losses; the original's
        1/2 sum_outputs (out - y)^2 by default) [+ regularization_rate * sum over weights of
        R(w)], shaped like weights / biases.

        X: (n_samples, n_inputs), Y: (n_samples, n_outputs). Backprop in matrix form, the chain
        rule written out (no fused shortcut, so it checks the trainer's): delta_L = dE/dA_L *
        g'(Z_L) (through softmax: its Jacobian), delta_l = (W_(l+1)^T @ delta_(l+1)) * g'(Z_l),
        dW_l = delta_l @ A_(l-1)^T / m, db_l = mean of delta_l over samples.
        """
        X = self._samples("X", X, self.layer_sizes[0])
        Y = self._samples("Y", Y, self.layer_sizes[-1])
        if len(Y) != len(X):
            raise ConfigError("Y", f"{len(Y)} samples", f"{len(X)} samples, as many as X")
        reg = REGULARIZERS[_choice("regularization", regularization, list(REGULARIZERS))]
        error = check_output(loss, self.output_activation, self.layer_sizes[-1])
        A0 = X.T
        Zs, As = self.layer_outputs(A0)
        m = X.shape[0]
        names = self.activation_names
        dE_dA = error.derivative(As[-1], Y.T, names[-1])
        if names[-1] == "softmax":
            delta = softmax_backward(As[-1], dE_dA, np.empty_like(dE_dA))
        else:
            delta = dE_dA * ACTIVATIONS[names[-1]].derivative(Zs[-1], As[-1])
        dW: list[np.ndarray] = [np.empty(0)] * len(self.weights)
        db: list[np.ndarray] = [np.empty(0)] * len(self.weights)
        for l in range(len(self.weights) - 1, -1, -1):
            A_prev = As[l - 1] if l else A0
            dW[l] = delta @ A_prev.T / m + regularization_rate * reg.derivative(self.weights[l])
            db[l] = delta.sum(axis=1) / m
            if l:
                delta = (self.weights[l].T @ delta) * ACTIVATIONS[names[l - 1]].derivative(
                    Zs[l - 1], As[l - 1]
                )
        return dW, db

    @staticmethod
    def _samples(field: str, value: np.ndarray, width: int) -> np.ndarray:
        array = np.asarray(value, dtype=np.float64)
        if array.ndim != 2 or array.shape[1] != width:
            raise ConfigError(field, f"shape {array.shape}", f"shape (n_samples, {width})")
        return array
