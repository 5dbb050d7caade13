"""Mini-batch SGD exactly as the original trains, with every buffer allocated once per data set.

Samples are columns (the lecture's form). Per update the work is a fixed list of NumPy calls on
preallocated arrays: one forward and one backward pass over the whole mini-batch, then one
vector update of all parameters.
"""

from __future__ import annotations

import numpy as np

from engine.activations import ACTIVATIONS
from engine.network import Network


class _Pass:
    """Buffers for one forward and backward pass over `width` samples."""

    def __init__(self, net: Network, width: int) -> None:
        sizes = net.layer_sizes[1:]
        self.Z = [np.empty((n, width)) for n in sizes]
        self.A = [np.empty((n, width)) for n in sizes]
        self.AT = [A.T for A in self.A]
        self.delta = [np.empty((n, width)) for n in sizes]
        self.slope = [np.empty((n, width)) for n in sizes]


def forward(net: Network, bufs: _Pass, A0: np.ndarray) -> np.ndarray:
    """A_L for inputs A0 of shape (n_0, width), written into `bufs`: Z_l = W_l @ A_(l-1) + b_l."""
    A = A0
    for W, b, name, Z, A_out in zip(
        net.weights, net.biases_as_columns, net.activation_names, bufs.Z, bufs.A, strict=True
    ):
        np.matmul(W, A, out=Z)
        Z += b
        A = ACTIVATIONS[name].output(Z, out=A_out)
    return A


def gradient_sum(
    net: Network, bufs: _Pass, A0: np.ndarray, A0T: np.ndarray, Y: np.ndarray, grads: list
) -> None:
    """Write the SUM over the batch of d(1/2 (out - y)^2)/dtheta into the views `grads`.

    grads = [(dW_l, db_l) for each layer]: views into one flat vector shaped like the params.
    """
    forward(net, bufs, A0)
    names = net.activation_names
    last = len(names) - 1
    delta = np.subtract(bufs.A[last], Y, out=bufs.delta[last])
    if names[last] != "linear":
        delta *= ACTIVATIONS[names[last]].derivative(
            bufs.Z[last], bufs.A[last], out=bufs.slope[last]
        )
    for l in range(last, -1, -1):
        dW, db = grads[l]
        np.matmul(delta, bufs.AT[l - 1] if l else A0T, out=dW)
        np.sum(delta, axis=1, out=db)
        if l:
            prev = np.matmul(net.weights[l].T, delta, out=bufs.delta[l - 1])
            if names[l - 1] != "linear":
                prev *= ACTIVATIONS[names[l - 1]].derivative(
                    bufs.Z[l - 1], bufs.A[l - 1], out=bufs.slope[l - 1]
                )
            delta = prev


class Trainer:
    """One network trained on one training set: `epoch(learning_rate)` is the original's oneStep.

    A0: (n_inputs, N) feature matrix, Y: (n_outputs, N) targets. Updates happen after every
    `batch_size` points of an epoch; the epoch's leftover points are carried (as a gradient sum
    and a count) into the next epoch's first update, exactly like the original's accumulators.
    """

    def __init__(
        self,
        net: Network,
        A0: np.ndarray,
        Y: np.ndarray,
        batch_size: int,
        regularization: str = "none",
        regularization_rate: float = 0.0,
    ) -> None:
        self.net = net
        self.batch_size = batch_size
        self.regularization = regularization
        self.regularization_rate = float(regularization_rate)
        net.packed()
        self.grad = np.zeros_like(net.params)
        self.grad_views = list(
            zip(
                net._split(
                    self.grad, list(zip(net.layer_sizes[1:], net.layer_sizes[:-1], strict=True))
                ),
                net._split_biases(self.grad),
                strict=True,
            )
        )
        self.carry = np.zeros_like(net.params)
        self.carry_count = 0
        nw = net.n_weights
        self._reg = np.empty(nw)
        self._new = np.empty(nw)
        self._crossed = np.empty(nw, dtype=bool)
        self.set_data(A0, Y)

    def set_data(self, A0: np.ndarray, Y: np.ndarray) -> None:
        """Cut the training set into the epoch's fixed batches: contiguous copies, made once."""
        n = A0.shape[1]
        bs = self.batch_size
        full = n // bs
        self.n_points = n
        self.batches = [
            (
                b := np.ascontiguousarray(A0[:, k * bs : (k + 1) * bs]),
                b.T,
                np.ascontiguousarray(Y[:, k * bs : (k + 1) * bs]),
            )
            for k in range(full)
        ]
        self.batch_pass = _Pass(self.net, bs) if full else None
        rest = n - full * bs
        if rest:
            left = np.ascontiguousarray(A0[:, full * bs :])
            self.leftover = (left, left.T, np.ascontiguousarray(Y[:, full * bs :]))
            self.leftover_pass = _Pass(self.net, rest)
        else:
            self.leftover = None

    def epoch(self, learning_rate: float) -> None:
        """Walk the training points in stored order once, updating after every batch."""
        net, grad, grads = self.net, self.grad, self.grad_views
        bufs = self.batch_pass
        for A0, A0T, Y in self.batches:
            gradient_sum(net, bufs, A0, A0T, Y, grads)
            count = self.batch_size
            if self.carry_count:
                grad += self.carry
                count += self.carry_count
                self.carry_count = 0
            self._apply(learning_rate, count)
        if self.leftover is not None:
            A0, A0T, Y = self.leftover
            gradient_sum(net, self.leftover_pass, A0, A0T, Y, grads)
            if self.carry_count:
                self.carry += grad
            else:
                np.copyto(self.carry, grad)
            self.carry_count += self.leftover[0].shape[1]

    def _apply(self, learning_rate: float, count: int) -> None:
        """theta -= lr * mean gradient, then the regulariser step on live weights (see spec)."""
        net, grad = self.net, self.grad
        params, dead = net.params, net.dead_mask
        has_dead = self.has_dead
        if has_dead:
            np.copyto(grad, 0.0, where=dead)  # dead links are skipped by every update
        rate = self.regularization_rate
        if rate == 0.0 or self.regularization == "none":
            grad *= -learning_rate / count
            params += grad
            return
        nw = net.n_weights
        w = params[:nw]
        reg = self._reg
        if self.regularization == "L1":
            np.sign(w, out=reg)
        else:
            np.copyto(reg, w)
        reg *= learning_rate * rate  # R'(w_old), taken before the gradient step
        if has_dead:
            np.copyto(reg, 0.0, where=dead[:nw])
        grad *= -learning_rate / count
        params += grad
        if self.regularization == "L2":
            w -= reg
            return
        new = np.subtract(w, reg, out=self._new)
        crossed = np.less(np.multiply(w, new, out=reg), 0.0, out=self._crossed)
        if crossed.any():  # the L1 step crossed zero: the weight is 0 and the link dies
            new[crossed] = 0.0
            dead[:nw] |= crossed
        np.copyto(w, new)

    @property
    def has_dead(self) -> bool:
        return bool(self.net.dead_mask.any())


class LossEvaluator:
    """Train and test loss in one forward pass over all points: mean of 1/2 (out - y)^2."""

    def __init__(self, net: Network, A0: np.ndarray, Y: np.ndarray, n_train: int) -> None:
        self.net = net
        self.A0 = np.ascontiguousarray(A0)
        self.Y = np.ascontiguousarray(Y)
        self.n_train = n_train
        self.bufs = _Pass(net, A0.shape[1])
        self._diff = np.empty(Y.shape)

    def losses(self) -> tuple[float, float]:
        out = forward(self.net, self.bufs, self.A0)
        diff = np.subtract(out, self.Y, out=self._diff)
        np.square(diff, out=diff)
        per_point = diff.sum(axis=0) if diff.shape[0] > 1 else diff[0]
        n = self.n_train
        train = 0.5 * float(per_point[:n].sum()) / n
        test = 0.5 * float(per_point[n:].sum()) / (len(per_point) - n)
        return train, test
