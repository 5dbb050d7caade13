"""Linear regression by gradient descent, as in the lecture: J(m, b) = sum (y - m x - b)^2."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

# A path that leaves this box has diverged for any data a lesson shows; stop before overflow.
DIVERGED_ABOVE = 1e12


def _xy(points: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Split points of shape (n, 2) into x and y, refusing what J cannot be computed on."""
    points = np.asarray(points, dtype=np.float64)
    if points.ndim != 2 or points.shape[1] != 2 or points.shape[0] < 2:
        raise ValueError(
            f"points: shape {points.shape} is not allowed; allowed: (n, 2) with n >= 2"
        )
    if not np.all(np.isfinite(points)):
        raise ValueError("points: a non-finite value is not allowed; allowed: finite numbers")
    return points[:, 0], points[:, 1]


def generate_points(
    rng: np.random.Generator,
    n: int = 20,
    noise: float = 0.5,
    slope: float = 1.5,
    intercept: float = -1.0,
    x_range: tuple[float, float] = (0.0, 2.0),
) -> np.ndarray:
    """n points (x, y), shape (n, 2): x uniform in x_range, y = slope x + intercept + noise."""
    if n < 2:
        raise ValueError(f"n: {n!r} is not allowed; allowed: an integer >= 2")
    if not (np.isfinite(noise) and noise >= 0):
        raise ValueError(f"noise: {noise!r} is not allowed; allowed: a finite number >= 0")
    x = rng.uniform(x_range[0], x_range[1], size=n)
    y = slope * x + intercept + noise * rng.standard_normal(n)
    return np.column_stack([x, y])


def loss(points: np.ndarray, m: float, b: float) -> float:
    """J(m, b) = sum_i (y_i - m x_i - b)^2 (no one-half, no mean: the lecture's J)."""
    x, y = _xy(points)
    r = y - m * x - b
    return float(r @ r)


def gradient(points: np.ndarray, m: float, b: float) -> tuple[float, float]:
    """(dJ/dm, dJ/db) = (-2 sum (y - m x - b) x, -2 sum (y - m x - b))."""
    x, y = _xy(points)
    r = y - m * x - b
    return float(-2.0 * (r @ x)), float(-2.0 * r.sum())


def hessian(points: np.ndarray) -> np.ndarray:
    """J's Hessian in (m, b), constant because J is quadratic: 2 [[sum x^2, sum x], [sum x, n]]."""
    x, _ = _xy(points)
    return 2.0 * np.array([[x @ x, x.sum()], [x.sum(), float(len(x))]])


def stability_limit(points: np.ndarray) -> float:
    """The largest learning rate that does not diverge: 2 / lambda_max(Hessian).

    The error after a step is (I - alpha H) times the error before it, so a step shrinks it
    only while |1 - alpha lambda| < 1 for every eigenvalue lambda of H.
    """
    return float(2.0 / np.linalg.eigvalsh(hessian(points)).max())


def least_squares(points: np.ndarray) -> tuple[float, float]:
    """The (m, b) that minimises J, from the normal equations H theta = 2 X^T y."""
    x, y = _xy(points)
    rhs = 2.0 * np.array([x @ y, y.sum()])
    m, b = np.linalg.solve(hessian(points), rhs)
    return float(m), float(b)


@dataclass(frozen=True)
class Descent:
    """The path of gradient descent: row t holds (m, b, J, dJ/dm, dJ/db) at step t."""

    path: np.ndarray
    diverged: bool


def descend(
    points: np.ndarray, m: float, b: float, alpha: float, steps: int, max_steps: int = 1000
) -> Descent:
    """Run `steps` updates theta <- theta - alpha dJ/dtheta from (m, b); stop once it diverges."""
    if not (np.isfinite(alpha) and alpha > 0):
        raise ValueError(f"alpha: {alpha!r} is not allowed; allowed: a finite number > 0")
    if not (isinstance(steps, int) and 0 <= steps <= max_steps):
        raise ValueError(f"steps: {steps!r} is not allowed; allowed: an integer 0 .. {max_steps}")
    if not (np.isfinite(m) and np.isfinite(b)):
        raise ValueError(f"m, b: {(m, b)!r} is not allowed; allowed: finite numbers")
    rows = []
    diverged = False
    for t in range(steps + 1):
        dm, db = gradient(points, m, b)
        rows.append((m, b, loss(points, m, b), dm, db))
        if t == steps:
            break
        m, b = m - alpha * dm, b - alpha * db
        if not (abs(m) < DIVERGED_ABOVE and abs(b) < DIVERGED_ABOVE):
            diverged = True
            break
    return Descent(np.array(rows), diverged)


def loss_grid(
    points: np.ndarray, m_range: tuple[float, float], b_range: tuple[float, float], n: int
) -> np.ndarray:
    """J on an n x n grid, shape (n, n): row 0 at b = b_range[1], column 0 at m = m_range[0]."""
    x, y = _xy(points)
    m = np.linspace(m_range[0], m_range[1], n)
    b = np.linspace(b_range[1], b_range[0], n)
    # J(m, b) expanded into sums so the grid costs O(n^2), not O(n^2 * points).
    sxx, sx, sy, sxy, syy = x @ x, x.sum(), y.sum(), x @ y, y @ y
    mm, bb = np.meshgrid(m, b)
    return syy + mm * mm * sxx + len(x) * bb * bb - 2 * mm * sxy - 2 * bb * sy + 2 * mm * bb * sx
