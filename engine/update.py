"""One update of every parameter, for one network or a stack of K: the gradient sum (with what the
last epoch's leftover points carried) becomes the optimizer's step (engine.optimizers), then the
regulariser's step on live weights, each one vector operation over all the parameters."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from engine.optimizers import OPTIMIZERS, corrections
from engine.state import TrainingState


class Update:
    """Updates `state`'s parameters from the gradient sums in `grad` (K, P), as engine.training's
    `Trainer` leaves them after each batch. `is_bias` (P,) marks the biases, never regularised;
    `hyper` holds the optimizer's hyperparameters (the same for every row of a stack).

    The update is elementwise: for one network (`stacked` False) it runs on flat vectors, whose
    calls cost less than on (1, P) matrices; for a stack on the (K, P) rows.
    """

    def __init__(
        self,
        state: TrainingState,
        grad: np.ndarray,
        is_bias: np.ndarray,
        stacked: bool,
        optimizer: str,
        hyper: dict,
    ) -> None:
        self.state = state
        self.grad = grad
        self.stacked = stacked
        self.optimizer = optimizer
        self.hyper = hyper
        K, P = grad.shape
        # Per row: params, dead, grad, is_bias, then scratch.
        rows = (lambda a: a) if stacked else (lambda a: a[0])  # views, never copies
        self._vectors = tuple(
            rows(a) for a in (state.params, state.dead, grad, np.tile(is_bias, (K, 1)))
        ) + tuple(rows(np.empty((K, P), dtype)) for dtype in (float, float, bool, float))
        self._moments = rows(state.moments)

    def prepare(
        self,
        learning_rates: Sequence[float],
        rates: Sequence[float],
        regularization: str,
        batch_size: int,
    ) -> None:
        """Per-update factors: floats for one network, (K, 1) columns (one per row) for a stack.
        A zero regularisation rate trains as "none" does (the L1/L2 step would only add zeros).

        `_numerator / count` turns a gradient sum into what the optimizer takes: for SGD the
        step itself (-lr / count, the original's one product), for the others the mean gradient.
        `scale` is that factor for a full batch.
        """
        self.batch_size = batch_size
        sgd = self.optimizer == "sgd"
        if self.stacked:
            lr = np.array(learning_rates, dtype=np.float64)[:, None]
            rate = np.array(rates, dtype=np.float64)[:, None]
            self._neg_lr = np.negative(lr)
            self._numerator = self._neg_lr if sgd else 1.0
            self.scale = np.divide(self._numerator, float(batch_size))
            self._lr_rate = np.multiply(lr, rate)
            regularized = bool(rate.any())
        else:
            lr, rate = float(learning_rates[0]), float(rates[0])
            self._neg_lr = -lr
            self._numerator = self._neg_lr if sgd else 1.0
            self.scale = self._numerator / batch_size
            self._lr_rate = lr * rate
            regularized = rate != 0.0
        self._lr = lr
        self._kind = regularization if regularized else "none"
        self.has_dead = bool(self.state.dead.any())
        self.carrying = any(self.state.carry_count.tolist())

    def take_carry(self) -> float | np.ndarray:
        """Add the carried gradient sums to this update's; the scale for the larger counts."""
        state, self.carrying = self.state, False
        if not self.stacked:  # one network, which carries: plain numbers, fewer calls
            self.grad += state.carry
            count = self.batch_size + int(state.carry_count[0])
            state.carry_count[0] = 0
            return self._numerator / count
        carrying = state.carry_count > 0
        np.add(self.grad, state.carry, out=self.grad, where=carrying[:, None])
        count = (self.batch_size + state.carry_count).astype(np.float64)
        state.carry_count[:] = 0
        return np.divide(self._numerator, count[:, None])

    def keep_carry(self, count: int) -> None:
        """The leftover points' gradient sum joins (or starts) what is carried."""
        state, self.carrying = self.state, True
        if not self.stacked:
            if state.carry_count[0]:
                state.carry += self.grad
            else:
                np.copyto(state.carry, self.grad)
        else:
            carrying = (state.carry_count > 0)[:, None]
            np.add(state.carry, self.grad, out=state.carry, where=carrying)
            np.copyto(state.carry, self.grad, where=~carrying)
        state.carry_count += count

    def _step(self, scale: float | np.ndarray) -> None:
        """The gradient sum in `grad` becomes the optimizer's update Delta theta (SGD: the sum
        times -lr / count; the others: of the mean gradient, sum / count)."""
        grad = self._vectors[2]
        grad *= scale
        if self.optimizer == "sgd":
            return
        state = self.state
        state.steps += 1
        fixes = corrections(self.optimizer, self.hyper, state.steps.tolist())
        if self.stacked:
            fixes = tuple(np.array(column)[:, None] for column in zip(*fixes, strict=True))
        else:
            fixes = fixes[0]
        scratch = self._vectors[-1]
        OPTIMIZERS[self.optimizer].step(grad, self._moments, self._lr, self.hyper, fixes, scratch)
        if self.has_dead:  # a moment remembers a dead link's past: its step stays 0
            np.copyto(grad, 0.0, where=self._vectors[1])

    def apply(self, scale: float | np.ndarray) -> None:
        """theta += the optimizer's step (SGD: scale * gradient, scale = -lr / count), then the
        regulariser's step on live weights (spec order) with lr_rate = lr * regularization rate."""
        params, dead, grad, is_bias, reg, new, crossed, _ = self._vectors
        if self.has_dead:
            np.copyto(grad, 0.0, where=dead)  # dead links are skipped by every update
        if self._kind == "none":
            self._step(scale)
            params += grad
            return
        if self._kind == "L1":
            np.sign(params, out=reg)
        else:
            np.copyto(reg, params)
        reg *= self._lr_rate  # R'(w_old), taken before the gradient step
        np.copyto(reg, 0.0, where=is_bias)  # biases are never regularised
        if self.has_dead:
            np.copyto(reg, 0.0, where=dead)
        self._step(scale)
        params += grad
        if self._kind == "L2":
            params -= reg
            return
        np.subtract(params, reg, out=new)
        np.less(np.multiply(params, new, out=reg), 0.0, out=crossed)
        if crossed.any():  # the L1 step crossed zero: the weight is 0 and the link dies
            new[crossed] = 0.0
            dead |= crossed
            self.has_dead = True
        np.copyto(params, new)
