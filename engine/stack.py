"""Many sessions of one structure trained in lockstep: each NumPy call serves all of them at once.

A course's sessions mostly share a structure (the default setup), and for networks this small an
update costs almost nothing but the overhead of its NumPy calls. `StackTrainer` keeps K sessions'
parameters as the rows of (K, P) arrays and runs `Trainer`'s kernel over the stack with
`np.matmul`. For each session every operation is the one `Trainer` does, on the same operands
laid out the same way, in the same order, so each row ends bit for bit where training that
session alone would (tested); only the calls' overhead is shared.
"""

from __future__ import annotations

import math

import numpy as np

from engine.network import Network
from engine.training import _Pass, forward, gradient_sum, update


def stack_key(layer_sizes, activation, output_activation, batch_size, regularization, rate, shape):
    """Sessions with equal keys can share a stack: same structure, data sizes and regulariser.

    A zero rate trains as "none" does (the same shortcut `Trainer` takes). `shape` is
    (n_train, n_points).
    """
    reg = "none" if rate == 0.0 else regularization
    return (tuple(layer_sizes), activation, output_activation, batch_size, reg, *shape)


def _with_ones(A: np.ndarray) -> np.ndarray:
    """(K, n, m) -> (K, n + 1, m): a row of ones under each matrix, C-contiguous."""
    K, n, m = A.shape
    out = np.ones((K, n + 1, m))
    out[:, :n] = A
    return out


def _batches(X: np.ndarray, start: int, count: int, size: int) -> np.ndarray:
    """Columns start .. start + count * size of X (K, n, N) as (count, K, n, size), contiguous:
    batch j is a C-contiguous (K, n, size) stack, laid out per row like `Trainer`'s batches."""
    K, n, _ = X.shape
    cut = X[:, :, start : start + count * size].reshape(K, n, count, size)
    return np.ascontiguousarray(cut.transpose(2, 0, 1, 3))


class StackTrainer:
    """Trains K sessions that share a `stack_key` in lockstep.

    Per session k: A0[k] (n_inputs, N) and Y[k] (n_outputs, N) hold the training points then the
    test points, `learning_rates[k]` and `rates[k]` its hyperparameters. `params`, `dead` and
    `carry` are (K, P) in `Network.params` layout; `carry_count` is (K,).
    """

    def __init__(
        self,
        layer_sizes: list[int],
        activation: str,
        output_activation: str,
        batch_size: int,
        regularization: str,
        A0: np.ndarray,
        Y: np.ndarray,
        n_train: int,
    ) -> None:
        template = Network(list(layer_sizes), activation, output_activation)
        sizes, names = template.layer_sizes, template.activation_names
        K = A0.shape[0]
        self.K, self.n_train, self.batch_size = K, n_train, batch_size
        self.regularization = regularization
        self.is_bias = template.is_bias
        P = template.params.shape[0]
        self.params, self.grad = np.zeros((K, P)), np.zeros((K, P))
        self.carry = np.zeros((K, P))
        self.dead = np.zeros((K, P), dtype=bool)
        self.carry_count = np.zeros(K, dtype=np.int64)
        self._scratch, self._scratch2 = np.empty((K, P)), np.empty((K, P))
        self._crossed = np.empty((K, P), dtype=bool)
        layers, grads, start = [], [], 0
        for A in template.augmented:
            end = start + A.size
            layers.append(self.params[:, start:end].reshape(K, *A.shape))
            grads.append(self.grad[:, start:end].reshape(K, *A.shape))
            start = end
        X = _with_ones(np.asarray(A0, dtype=np.float64))
        Y = np.ascontiguousarray(Y, dtype=np.float64)
        full = n_train // batch_size
        pairs = zip(_batches(X, 0, full, batch_size), _batches(Y, 0, full, batch_size), strict=True)
        self.batches = [(Xb, Xb.transpose(0, 2, 1), Yb) for Xb, Yb in pairs]
        structure = (sizes, names, layers, grads)
        self.batch_pass = _Pass(*structure, batch_size, lead=(K,)) if full else None
        rest = n_train - full * batch_size
        self.leftover = None
        if rest:
            Xl = np.ascontiguousarray(X[:, :, full * batch_size : n_train])
            Yl = np.ascontiguousarray(Y[:, :, full * batch_size : n_train])
            self.leftover = (Xl, Xl.transpose(0, 2, 1), Yl)
            self.leftover_pass = _Pass(*structure, rest, lead=(K,))
        self.all_X, self.all_Y = X, Y
        self.all_pass = _Pass(*structure, X.shape[2], backward=False, lead=(K,))
        self._diff = np.empty(Y.shape)

    # -- `Trainer`'s kernel (engine.training), with a leading K axis ----------------------------

    def _epoch(self) -> None:
        for X, XT, Y in self.batches:
            gradient_sum(self.batch_pass, X, XT, Y, np.matmul)
            scale = self._scale
            carrying = self.carry_count > 0
            if carrying.any():
                np.add(self.grad, self.carry, out=self.grad, where=carrying[:, None])
                count = (self.batch_size + self.carry_count).astype(np.float64)
                scale = np.divide(self._neg_lr, count[:, None])
                self.carry_count[:] = 0
            update(self, self.regularization, scale, self._lr_rate)
        if self.leftover is not None:
            X, XT, Y = self.leftover
            gradient_sum(self.leftover_pass, X, XT, Y, np.matmul)
            carrying = (self.carry_count > 0)[:, None]
            np.add(self.carry, self.grad, out=self.carry, where=carrying)
            np.copyto(self.carry, self.grad, where=~carrying)
            self.carry_count += X.shape[2]

    def _losses(self) -> list[tuple[float, float]]:
        out = forward(self.all_pass, self.all_X, np.matmul)
        diff = np.subtract(out, self.all_Y, out=self._diff)
        np.square(diff, out=diff)
        per_point = diff[:, 0] if diff.shape[1] == 1 else diff.sum(axis=1)
        n = self.n_train
        n_test = per_point.shape[1] - n
        rows = []
        for row in per_point:  # one 1-D sum each, as `Trainer` does, for the same rounding
            train = 0.5 * float(row[:n].sum()) / n
            test = 0.5 * float(row[n:].sum()) / n_test if n_test else math.nan
            rows.append((train, test))
        return rows

    # -- public -------------------------------------------------------------------------------

    def train(
        self, epochs: list[int], learning_rates: list[float], rates: list[float]
    ) -> list[tuple[np.ndarray, bool, np.ndarray, np.ndarray, np.ndarray, int]]:
        """Train session k for epochs[k] epochs, or until it diverges, as `Trainer.step` would.

        Returns per session: (losses (e, 2), diverged, params, dead, carry, carry_count) as they
        were after its last epoch. Rows that are done ride along until all are.
        """
        K = self.K
        lr = np.array(learning_rates, dtype=np.float64)[:, None]
        self._neg_lr = np.negative(lr)
        self._scale = np.divide(self._neg_lr, float(self.batch_size))
        self._lr_rate = np.multiply(lr, np.array(rates, dtype=np.float64)[:, None])
        self.has_dead = bool(self.dead.any())
        losses = np.empty((max(epochs, default=0), K, 2))
        done: list = [None] * K
        no_test = self.n_train == self.all_X.shape[2]
        left = [k for k in range(K) if epochs[k] <= 0]
        for k in left:
            done[k] = self._result(k, losses[:0, k], False)
        e = 0
        with np.errstate(all="ignore"):
            while len(left) < K:
                self._epoch()
                rows = self._losses()
                losses[e] = rows
                e += 1
                finite = np.isfinite(self.params).all(axis=1)
                for k in range(K):
                    if done[k] is not None:
                        continue
                    train, test = rows[k]
                    ok = (
                        math.isfinite(train)
                        and (no_test or math.isfinite(test))
                        and bool(finite[k])
                    )
                    if not ok or e == epochs[k]:
                        done[k] = self._result(k, losses[:e, k], not ok)
                        left.append(k)
        return done

    def _result(self, k: int, losses: np.ndarray, diverged: bool) -> tuple:
        return (
            losses.copy(),
            diverged,
            self.params[k].copy(),
            self.dead[k].copy(),
            self.carry[k].copy(),
            int(self.carry_count[k]),
        )
