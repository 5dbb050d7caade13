"""Mini-batch SGD exactly as the original trains, fast: fixed batches, buffers allocated once.

The kernel keeps each layer as one augmented matrix [W_l | b_l] and each activation matrix with a
row of ones under it, so `Z_l = W_l @ A_(l-1) + b_l` is the single product
`[W_l | b_l] @ [A_(l-1); 1]` and the bias gradient comes out as the last column of the weight
gradient. Samples are columns, as in the lecture. Per update the work is a short fixed list of
NumPy calls on preallocated arrays, then one vector update of every parameter.
"""

from __future__ import annotations

import math

import numpy as np

from engine.activations import ACTIVATIONS
from engine.network import Network


def _with_ones(A: np.ndarray) -> np.ndarray:
    """[A; 1]: A (n, m) with a row of ones appended, C-contiguous."""
    return np.ascontiguousarray(np.vstack([A, np.ones((1, A.shape[1]))]))


def _T(A: np.ndarray) -> np.ndarray:
    """The transpose of a matrix, or of each matrix in a stack (a view)."""
    return A.swapaxes(-1, -2)


class _Pass:
    """Buffers and the fixed call lists for a forward + backward pass over `width` samples.

    `layers` are the [W_l | b_l] matrices, `grads` their gradient buffers; with `lead=(K,)`
    both are stacks of K networks and so is every buffer (see engine.stack).
    """

    def __init__(
        self,
        sizes: list[int],
        names: list[str],
        layers: list[np.ndarray],
        grads: list[np.ndarray],
        width: int,
        backward: bool = True,
        lead: tuple[int, ...] = (),
    ) -> None:
        last = len(sizes) - 2
        self.forward_steps = []  # (W_aug, Z, A, activation or None, [A; 1]), layer by layer
        A_aug = []  # [A_l; 1] for hidden layers, A_L for the output
        slopes = []  # (Z, A, slope buffer, derivative), None for a linear layer
        for l, n in enumerate(sizes[1:]):
            A_aug.append(np.ones((*lead, n + (l < last), width)))
            A = A_aug[-1][..., :n, :]
            linear = names[l] == "linear"
            # a linear layer writes its output directly
            Z = A if linear else np.empty((*lead, n, width))
            act = ACTIVATIONS[names[l]]
            self.forward_steps.append((layers[l], Z, A, None if linear else act.output, A_aug[-1]))
            slope = np.empty((*lead, n, width)) if backward and not linear else None
            slopes.append(None if slope is None else (Z, A, slope, act.derivative))
        self.output = A_aug[-1]
        self.delta_out = np.empty((*lead, sizes[-1], width))
        # backward, output layer first: (slope, [A_(l-1); 1]^T or None for the inputs, dW_aug,
        # W_aug^T or None at the first layer, W^T delta buffer (+ bias row), its first rows)
        self.backward_steps = []
        for l in range(last, -1, -1) if backward else ():
            back = None
            if l:
                full = np.empty((*lead, sizes[l] + 1, width))
                back = (_T(layers[l]), full, full[..., :-1, :])
            self.backward_steps.append((slopes[l], _T(A_aug[l - 1]) if l else None, grads[l], back))


# The kernel, shared with engine.stack: `product` is np.dot for one network, np.matmul for a stack.


def forward(bufs: _Pass, X: np.ndarray, product=np.dot) -> np.ndarray:
    A = X
    for W_aug, Z, A_out, act, A_next in bufs.forward_steps:
        product(W_aug, A, out=Z)
        if act is not None:
            act(Z, out=A_out)
        A = A_next
    return bufs.output


def gradient_sum(bufs: _Pass, X: np.ndarray, XT: np.ndarray, Y: np.ndarray, product=np.dot) -> None:
    """The gradient buffers = the SUM over the batch of d(1/2 (out - y)^2)/d[W | b] (dead links
    too): delta_L = (A_L - Y) * g'(Z_L), dW_aug = delta @ [A; 1]^T, delta <- (W^T delta) * g'(Z)."""
    delta = np.subtract(forward(bufs, X, product), Y, out=bufs.delta_out)
    for slope, A_prev_T, dW_aug, back in bufs.backward_steps:
        if slope is not None:
            Z, A, S, derivative = slope
            delta *= derivative(Z, A, out=S)
        product(delta, XT if A_prev_T is None else A_prev_T, out=dW_aug)
        if back is not None:
            W_aug_T, full, rows = back
            product(W_aug_T, delta, out=full)  # its last row (the bias's) is not needed
            delta = rows


def update(t, regularization: str, scale, lr_rate) -> None:
    """theta += scale * gradient (scale = -lr / count); then the regulariser step on live weights
    (spec order), lr_rate = lr * regularization rate. `t` is a Trainer or a StackTrainer (where
    scale and lr_rate are (K, 1) columns, one value per session)."""
    params, grad = t.params, t.grad
    if t.has_dead:
        np.copyto(grad, 0.0, where=t.dead)  # dead links are skipped by every update
    if regularization == "none":
        grad *= scale
        params += grad
        return
    reg = t._scratch
    if regularization == "L1":
        np.sign(params, out=reg)
    else:
        np.copyto(reg, params)
    reg *= lr_rate  # R'(w_old), taken before the gradient step
    np.copyto(reg, 0.0, where=t.is_bias)  # biases are never regularised
    if t.has_dead:
        np.copyto(reg, 0.0, where=t.dead)
    grad *= scale
    params += grad
    if regularization == "L2":
        params -= reg
        return
    new = np.subtract(params, reg, out=t._scratch2)
    crossed = np.less(np.multiply(params, new, out=reg), 0.0, out=t._crossed)
    if crossed.any():  # the L1 step crossed zero: the weight is 0 and the link dies
        new[crossed] = 0.0
        t.dead |= crossed
        t.has_dead = True
    np.copyto(params, new)


class Trainer:
    """Trains `net` on the first `n_train` columns of A0 (n_inputs, N) / Y (n_outputs, N) and
    measures losses on all of them (train = first n_train, test = the rest), like the original.

    An epoch walks the training points in stored order and updates after every `batch_size`
    points with the mean gradient; the epoch's leftover points are carried (as a gradient sum and
    a count) into the next epoch's first update, exactly like the original's accumulators.
    """

    def __init__(
        self,
        net: Network,
        A0: np.ndarray,
        Y: np.ndarray,
        batch_size: int,
        regularization: str = "none",
        regularization_rate: float = 0.0,
        n_train: int | None = None,
    ) -> None:
        self.net = net
        self.batch_size = batch_size
        self.regularization = regularization
        self.regularization_rate = float(regularization_rate)
        net.packed()
        self.params = net.params  # [W_l | b_l] of every layer, flat (see Network)
        self.dead = net.dead_mask
        self.is_bias = net.is_bias
        self.grad = np.zeros_like(self.params)
        self.grads = Network._split(self.grad, [A.shape for A in net.augmented])
        self.carry = np.zeros_like(self.params)
        self.carry_count = 0
        self._scratch = np.empty_like(self.params)
        self._scratch2 = np.empty_like(self.params)
        self._crossed = np.empty(self.params.shape, dtype=bool)
        self.diverged = False
        self.set_data(A0, Y, n_train)

    def load(self) -> None:
        """Take in edits made through the network's lists (e.g. a new array in weights[l])."""
        self.net.packed()
        self.has_dead = bool(self.dead.any())

    # -- data -------------------------------------------------------------------------------

    def set_data(self, A0: np.ndarray, Y: np.ndarray, n_train: int | None = None) -> None:
        """Cut the training set into the epoch's fixed batches (contiguous copies, made once)."""
        n = A0.shape[1] if n_train is None else n_train
        bs = self.batch_size
        full = n // bs
        X = _with_ones(A0)
        Y = np.ascontiguousarray(Y, dtype=np.float64)
        self.n_train = n
        self.batches = []
        for k in range(full):
            Xb = np.ascontiguousarray(X[:, k * bs : (k + 1) * bs])
            self.batches.append((Xb, Xb.T, np.ascontiguousarray(Y[:, k * bs : (k + 1) * bs])))
        net = self.net
        layers = (net.layer_sizes, net.activation_names, net.augmented, self.grads)
        self.batch_pass = _Pass(*layers, bs) if full else None
        rest = n - full * bs
        self.leftover = None
        if rest:
            Xl = np.ascontiguousarray(X[:, full * bs : n])
            self.leftover = (Xl, Xl.T, np.ascontiguousarray(Y[:, full * bs : n]))
            self.leftover_pass = _Pass(*layers, rest)
        self.all_X, self.all_Y = X, Y
        self.all_pass = _Pass(*layers, X.shape[1], backward=False)
        self._diff = np.empty(Y.shape)

    # -- the kernel -------------------------------------------------------------------------

    def _apply(self, learning_rate: float, count: int) -> None:
        rate = self.regularization_rate
        regularization = "none" if rate == 0.0 else self.regularization
        update(self, regularization, -learning_rate / count, learning_rate * rate)

    def _epoch(self, learning_rate: float) -> None:
        bufs = self.batch_pass
        for X, XT, Y in self.batches:
            gradient_sum(bufs, X, XT, Y)
            count = self.batch_size
            if self.carry_count:
                self.grad += self.carry
                count += self.carry_count
                self.carry_count = 0
            self._apply(learning_rate, count)
        if self.leftover is not None:
            X, XT, Y = self.leftover
            gradient_sum(self.leftover_pass, X, XT, Y)
            if self.carry_count:
                self.carry += self.grad
            else:
                np.copyto(self.carry, self.grad)
            self.carry_count += X.shape[1]

    def _losses(self) -> tuple[float, float]:
        """Mean of 1/2 (out - y)^2 (summed over outputs) over train and over test points."""
        out = forward(self.all_pass, self.all_X)
        diff = np.subtract(out, self.all_Y, out=self._diff)
        np.square(diff, out=diff)
        per_point = diff[0] if diff.shape[0] == 1 else diff.sum(axis=0)
        n = self.n_train
        n_test = per_point.shape[0] - n
        train = 0.5 * float(per_point[:n].sum()) / n
        test = 0.5 * float(per_point[n:].sum()) / n_test if n_test else math.nan
        return train, test

    # -- public -----------------------------------------------------------------------------

    def losses(self) -> tuple[float, float]:
        """(train loss, test loss) of the network as it is now."""
        self.load()
        with np.errstate(all="ignore"):
            return self._losses()

    def step(self, n: int, learning_rate: float) -> np.ndarray:
        """Train n epochs: rows (train loss, test loss) per epoch, shape (k, 2). Stops after the
        first epoch whose loss or parameters are not finite, and sets `diverged`."""
        rows = np.empty((n, 2))
        self.load()
        self.diverged = False
        k = 0
        with np.errstate(all="ignore"):
            while k < n:
                self._epoch(learning_rate)
                train, test = self._losses()
                rows[k] = train, test
                k += 1
                if not self._finite(train, test):
                    self.diverged = True
                    break
        return rows[:k]

    def _finite(self, train: float, test: float) -> bool:
        no_test = self.n_train == self.all_X.shape[1]
        return (
            math.isfinite(train)
            and (no_test or math.isfinite(test))
            and bool(np.isfinite(self.params).all())
        )

    def finite(self, train: float, test: float) -> bool:
        """Whether the parameters and these losses are finite (else the run has diverged)."""
        self.diverged = not self._finite(train, test)
        return not self.diverged

    def epoch(self, learning_rate: float) -> None:
        """One epoch, as the original's oneStep (without the losses it then shows)."""
        self.load()
        with np.errstate(all="ignore"):
            self._epoch(learning_rate)
