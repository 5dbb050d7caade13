"""Mini-batch gradient descent exactly as the original trains, for one network or for K of one
structure.

An epoch walks the training points in stored order and updates after every `batch_size` points
with the mean gradient; the epoch's leftover points are carried (as a gradient sum and a count)
into the next epoch's first update, exactly like the original's accumulators. Batches are cut
once, and an update is the kernel's short list of NumPy calls (engine.kernel) then one vector
update of every parameter (engine.update): the optimizer's step (engine.optimizers; plain SGD, the
original's, by default), then the regulariser's. The loss (engine.losses) is the original's
squared error by default.

K networks of one structure (a course's sessions mostly share one) train as a stack: the rows of
(K, P) arrays, every call serving all of them through np.matmul. Each row gets the operations a
network alone gets, on operands laid out the same way, in the same order, so it ends bit for bit
where it would alone (tested); only the calls' overhead is shared. One network is the case K = 1,
through np.dot on plain matrices, which costs less per call than np.matmul on a stack of one.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from engine.kernel import (
    Pass,
    cut_batches,
    forward,
    gradient_sum,
    layer_views,
    transposed,
    with_ones,
)
from engine.losses import LOSSES, check_output
from engine.network import Network
from engine.optimizers import OPTIMIZERS
from engine.state import TrainingState
from engine.update import Update


class Trainer:
    """Trains K networks of `net`'s structure, each on its own points; K = 1 trains `net` itself.

    A0 (n_inputs, N) and Y (n_outputs, N) for one network, or (K, n_inputs, N) and
    (K, n_outputs, N) for a stack, hold the training points then the test points: it trains on
    the first `n_train` (all by default) and measures losses on both, like the original. `state`
    (kept up to date in place, never replaced) defaults to the network's own parameters for one
    network and to zeros for a stack. `loss` names an engine.losses entry, `optimizer` an
    engine.optimizers one, `hyper` its hyperparameters (the same for every row of a stack).
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
        state: TrainingState | None = None,
        loss: str = "squared",
        optimizer: str = "sgd",
        hyper: dict | None = None,
    ) -> None:
        net.packed()
        self.net = net
        self.loss = loss
        self._loss_scale = check_output(loss, net.output_activation, net.layer_sizes[-1]).scale
        self.optimizer = optimizer
        self.hyper = {**OPTIMIZERS[optimizer].hyperparameters, **(hyper or {})}
        slots = OPTIMIZERS[optimizer].slots
        self.stacked = np.ndim(A0) == 3
        self.K = K = len(A0) if self.stacked else 1
        self.product = np.matmul if self.stacked else np.dot
        self.batch_size = max(1, batch_size)  # no training points: nothing is ever updated
        self.regularization = regularization
        self.regularization_rate = float(regularization_rate)  # unless `train` is given rates
        P = net.params.shape[0]
        if state is None:
            state = (
                TrainingState.zeros(K, P, slots) if self.stacked else TrainingState.of(net, slots)
            )
        self.state = state
        self.grad = np.zeros((K, P))
        self._update = Update(state, self.grad, net.is_bias, self.stacked, optimizer, self.hyper)
        shapes = [A.shape for A in net.augmented]
        self._structure = (
            net.layer_sizes,
            net.activation_names,
            layer_views(state.params, shapes, self.stacked),
            layer_views(self.grad, shapes, self.stacked),
        )
        self._fused = net.output_activation in LOSSES[loss].fused
        self.set_data(A0, Y, n_train)

    # -- data -------------------------------------------------------------------------------

    def set_data(self, A0: np.ndarray, Y: np.ndarray, n_train: int | None = None) -> None:
        """Cut the training points into the epoch's fixed batches (contiguous copies, made once)."""
        lead = (self.K,) if self.stacked else ()
        X = with_ones(np.asarray(A0, dtype=np.float64).reshape(self.K, *np.shape(A0)[-2:]))
        Y = np.ascontiguousarray(np.reshape(Y, (self.K, *np.shape(Y)[-2:])), dtype=np.float64)
        one = (lambda M: M) if self.stacked else (lambda M: M[0])  # a stack, or row 0's matrix
        N = X.shape[2]
        n = N if n_train is None else n_train
        bs = self.batch_size
        full = n // bs
        pairs = zip(cut_batches(X, 0, full, bs), cut_batches(Y, 0, full, bs), strict=True)
        self.batches = [(one(Xb), transposed(one(Xb)), one(Yb)) for Xb, Yb in pairs]
        fused = self._fused
        self.batch_pass = Pass(*self._structure, bs, lead=lead, fused=fused) if full else None
        rest = n - full * bs
        self.leftover = None
        if rest:
            Xl = one(np.ascontiguousarray(X[:, :, full * bs : n]))
            self.leftover = (Xl, transposed(Xl), one(np.ascontiguousarray(Y[:, :, full * bs : n])))
            self.leftover_pass = Pass(*self._structure, rest, lead=lead, fused=fused)
        self.n_train = n
        self.all_X, self.all_Y = one(X), one(Y)
        self.all_pass = Pass(*self._structure, N, backward=False, lead=lead)
        self._diff = np.empty(self.all_Y.shape)

    @property
    def nbytes(self) -> int:
        """Bytes of the arrays this trainer holds (batches, buffers, state), each counted once."""
        owners: dict[int, int] = {}
        todo: list = list(vars(self).values())
        while todo:
            x = todo.pop()
            if isinstance(x, np.ndarray):
                while isinstance(x.base, np.ndarray):
                    x = x.base
                owners[id(x)] = x.nbytes
            elif isinstance(x, list | tuple):
                todo += x
            elif isinstance(x, Pass | TrainingState | Update):
                todo += vars(x).values()
        return sum(owners.values())

    # -- one epoch --------------------------------------------------------------------------

    def _prepare(self, learning_rates: Sequence[float], rates: Sequence[float]) -> None:
        self.net.packed()  # edits made through the network's lists (one network)
        self._update.prepare(learning_rates, rates, self.regularization, self.batch_size)

    def _epoch(self) -> None:
        bufs, product, update = self.batch_pass, self.product, self._update
        apply, scale = update.apply, update.scale
        for X, XT, Y in self.batches:
            gradient_sum(bufs, X, XT, Y, product)
            # Only an epoch's first update takes in what the last epoch carried.
            apply(update.take_carry() if update.carrying else scale)
        if self.leftover is not None:
            X, XT, Y = self.leftover
            gradient_sum(self.leftover_pass, X, XT, Y, product)
            update.keep_carry(X.shape[-1])

    def _losses(self) -> list[tuple[float, float]]:
        """Per row: the mean loss over train and test points (squared: of 1/2 (out - y)^2 summed
        over outputs); NaN for a set without points."""
        out = forward(self.all_pass, self.all_X, self.product)
        if self.loss == "squared":
            diff = np.subtract(out, self.all_Y, out=self._diff)
            np.square(diff, out=diff)
            if self.stacked:
                per_point = diff[:, 0] if diff.shape[1] == 1 else diff.sum(axis=1)
            else:
                per_point = (diff[0] if len(diff) == 1 else diff.sum(axis=0),)
        else:
            per_point = LOSSES[self.loss].point_sum(out, self.all_Y, self.net.output_activation)
            per_point = per_point if self.stacked else (per_point,)
        n = self.n_train
        n_test = out.shape[-1] - n
        scale = self._loss_scale
        rows = []
        for row in per_point:  # one 1-D sum per network, stacked or not, for the same rounding
            train = scale * float(row[:n].sum()) / n if n else math.nan
            test = scale * float(row[n:].sum()) / n_test if n_test else math.nan
            rows.append((train, test))
        return rows

    def outputs(self) -> np.ndarray:
        """The network's outputs on every point (training then test), as the parameters are now:
        (n_outputs, N), or (K, n_outputs, N) for a stack; a copy."""
        self.net.packed()
        with np.errstate(all="ignore"):
            return forward(self.all_pass, self.all_X, self.product).copy()

    def _finite(self, train: float, test: float, params_finite: bool) -> bool:
        no_test = self.n_train == self.all_X.shape[-1]
        no_train = self.n_train == 0
        return (
            (no_train or math.isfinite(train))
            and (no_test or math.isfinite(test))
            and params_finite
        )

    # -- public -----------------------------------------------------------------------------

    def train(
        self,
        epochs: Sequence[int],
        learning_rates: Sequence[float],
        rates: Sequence[float] | None = None,
        stops: Sequence[float | None] | None = None,
    ) -> list[tuple[np.ndarray, bool]]:
        """Train row k for epochs[k] epochs, or until an epoch leaves its loss or parameters not
        finite, or its test loss at or below stops[k] (None: no such stop); `rates` default to
        `regularization_rate` for every row.

        Returns per row (losses (e, 2): train and test loss after each epoch, diverged); `state`
        then holds every row as its own last epoch left it. Rows that are done ride along until
        all are, and are put back at the end.
        """
        K = self.K
        if rates is None:
            rates = [self.regularization_rate] * K
        self._prepare(learning_rates, rates)
        losses = np.empty((max(epochs, default=0), K, 2))
        ends = [(0, False)] * K  # per row: (epochs trained, diverged)
        pending = [k for k in range(K) if epochs[k] > 0]
        kept = {}  # rows done while others go on, as they were then: put back at the end
        if len(pending) < K:
            kept = {k: self.state.row(k) for k in range(K) if epochs[k] <= 0}
        e = 0
        with np.errstate(all="ignore"):
            while pending:
                self._epoch()
                rows = self._losses()
                losses[e] = rows
                e += 1
                finite = np.isfinite(self.state.params).all(axis=1).tolist()
                done = []
                for k in pending:
                    ok = self._finite(*rows[k], finite[k])
                    reached = stops is not None and stops[k] is not None and rows[k][1] <= stops[k]
                    if not ok or e == epochs[k] or reached:
                        ends[k] = (e, not ok)
                        done.append(k)
                if done:
                    pending = [k for k in pending if k not in done]
                    if pending:
                        kept.update((k, self.state.row(k)) for k in done)
        for k, state in kept.items():
            self.state.assign(state, k)
        return [(losses[:e, k], diverged) for k, (e, diverged) in enumerate(ends)]

    def step(
        self, n: int, learning_rate: float, stop: float | None = None
    ) -> tuple[np.ndarray, bool]:
        """One network: train n epochs (see `train`); (losses (k, 2), diverged)."""
        return self.train([n], [learning_rate], stops=None if stop is None else [stop])[0]

    def epoch(self, learning_rate: float) -> None:
        """One epoch of every row, as the original's oneStep (without the losses it then shows)."""
        self._prepare([learning_rate] * self.K, [self.regularization_rate] * self.K)
        with np.errstate(all="ignore"):
            self._epoch()

    def measure(self) -> list[tuple[float, float, bool]]:
        """Per row, as the parameters are now: (train loss, test loss, all finite)."""
        self.net.packed()
        with np.errstate(all="ignore"):
            rows = self._losses()
        finite = np.isfinite(self.state.params).all(axis=1)
        return [(*row, self._finite(*row, bool(ok))) for row, ok in zip(rows, finite, strict=True)]
