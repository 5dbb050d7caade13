"""How good a network is on its points, beyond the loss: a confusion matrix (and accuracy) for
classification, R² for regression; from the network's own outputs on the points."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from engine.task import Task


def accuracy(matrix: np.ndarray) -> float:
    """The share of points on the diagonal; NaN for no points."""
    total = int(matrix.sum())
    return float(np.trace(matrix)) / total if total else float("nan")


def r_squared(y: np.ndarray, predicted: np.ndarray) -> float:
    """1 - sum (y - y_hat)^2 / sum (y - mean y)^2; NaN for no points or targets all equal."""
    y = np.asarray(y, dtype=np.float64)
    if y.size == 0:
        return float("nan")
    total = float(np.sum(np.square(y - y.mean())))
    if total == 0.0:
        return float("nan")
    return 1.0 - float(np.sum(np.square(y - predicted))) / total


@dataclass(frozen=True)
class Metrics:
    """`classes` 0 (regression): `r2` (train, test); else `confusion` (2, K, K) int64, train
    then test, rows true classes."""

    classes: int
    confusion: np.ndarray | None = None
    r2: tuple[float, float] | None = None

    def accuracy(self) -> tuple[float, float]:
        """(train, test) accuracy, NaN for a set without points (classification only)."""
        return accuracy(self.confusion[0]), accuracy(self.confusion[1])

    def as_dict(self) -> dict:
        if self.classes == 0:
            return {"r2": [_json(v) for v in self.r2]}
        train, test = self.accuracy()
        return {
            "confusion": self.confusion.tolist(),
            "accuracy": [_json(train), _json(test)],
        }


def evaluate_stack(
    task: Task, outputs: np.ndarray, targets: np.ndarray, n_train: int
) -> list[Metrics]:
    """`evaluate` of each row of a stack: outputs and targets (S, n_outputs, N), the same
    `n_train` for all; classification in one count for the whole stack: per row, training
    then test points, (K, K) counts with rows the true class and columns the predicted one."""
    if task.classes == 0:
        return [evaluate(task, o, t, n_train) for o, t in zip(outputs, targets, strict=True)]
    S, _, N = outputs.shape
    K = max(task.classes, 2)
    targets = np.asarray(targets, dtype=np.float64)
    true = np.argmax(targets, axis=1) if task.classes > 2 else (targets[:, 0] > 0)
    with np.errstate(invalid="ignore"):
        if task.classes > 2:
            guess = np.argmax(outputs, axis=1)
        else:
            guess = task.predicted(outputs[:, 0][None])
    part = (np.arange(N) >= n_train).astype(np.int64)  # 0 training, 1 test
    cell = ((np.arange(S)[:, None] * 2 + part) * K + true) * K + guess
    counts = np.bincount(cell.ravel(), minlength=S * 2 * K * K).reshape(S, 2, K, K)
    return [Metrics(task.classes, confusion=counts[k].copy()) for k in range(S)]


def _json(value: float) -> float | None:
    return value if np.isfinite(value) else None


def evaluate(task: Task, outputs: np.ndarray, targets: np.ndarray, n_train: int) -> Metrics:
    """Metrics of outputs (n_outputs, N) on points whose targets (engine.task) are `targets`
    (n_outputs, N), the first `n_train` of them training points."""
    targets = np.asarray(targets, dtype=np.float64)
    if task.classes == 0:
        with np.errstate(all="ignore"):
            r2 = tuple(
                r_squared(targets[0][part], outputs[0][part])
                for part in (slice(0, n_train), slice(n_train, None))
            )
        return Metrics(0, r2=r2)
    return evaluate_stack(task, np.asarray(outputs)[None], targets[None], n_train)[0]
