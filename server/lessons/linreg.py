"""The linear-regression lesson's request: points, descent path and the J(m, b) contour grid."""

from __future__ import annotations

import numpy as np

from engine import linreg
from server.core.errors import echo

MAX_POINTS = 200
MAX_STEPS = 500
MAX_ABS = 100.0
GRID = 64
DEFAULTS = {"seed": 1, "n": 20, "noise": 0.4, "m0": -1.0, "b0": 2.0, "alpha": 0.01, "steps": 100}


class LessonError(ValueError):
    """A request field that is not allowed, with what is."""

    def __init__(self, field: str, value: object, allowed: str) -> None:
        super().__init__(f"{field}: {echo(value)!r} is not allowed; allowed: {allowed}")
        self.field, self.value, self.allowed = field, value, allowed


def _number(req: dict, key: str, low: float, high: float, *, integer: bool = False) -> float:
    value = req.get(key, DEFAULTS.get(key))
    kind = "an integer" if integer else "a finite number"
    ok = isinstance(value, int) if integer else isinstance(value, int | float)
    # The range is checked by comparison: NaN and infinities fail it, and an integer of 400
    # digits is compared exactly rather than overflowing a float conversion.
    if isinstance(value, bool) or not ok or not low <= value <= high:
        raise LessonError(key, value, f"{kind} {low:g} .. {high:g}")
    return value


def _points(req: dict) -> np.ndarray:
    given = req.get("points")
    if given is None:
        seed = _number(req, "seed", 0, 2**31 - 1, integer=True)
        n = _number(req, "n", 2, MAX_POINTS, integer=True)
        noise = _number(req, "noise", 0, 5)
        return linreg.generate_points(np.random.default_rng(seed), n=n, noise=noise)
    allowed = f"a list of 2 .. {MAX_POINTS} [x, y] pairs of finite numbers within ±{MAX_ABS:g}"
    if not isinstance(given, list) or not 2 <= len(given) <= MAX_POINTS:
        raise LessonError("points", given if not isinstance(given, list) else len(given), allowed)
    for p in given:
        if not (
            isinstance(p, list)
            and len(p) == 2
            and all(isinstance(v, int | float) and not isinstance(v, bool) for v in p)
            and all(-MAX_ABS <= v <= MAX_ABS for v in p)
        ):
            raise LessonError("points", p, allowed)
    points = np.array(given, dtype=np.float64)
    if np.ptp(points[:, 0]) == 0:
        raise LessonError("points", "all x equal", "at least two different x values")
    return points


def _span(center: float, reach: float) -> tuple[float, float]:
    half = max(1.0, 1.3 * reach)
    return center - half, center + half


def solve(req: dict) -> dict:
    """Validate a request (missing keys take DEFAULTS) and answer it; raises LessonError.

    `"grid": false` leaves out J's grid (the contour's ranges stay): the page computes it.
    """
    if not isinstance(req, dict):
        raise LessonError("body", type(req).__name__, "a JSON object")
    points = _points(req)
    m0 = _number(req, "m0", -MAX_ABS, MAX_ABS)
    b0 = _number(req, "b0", -MAX_ABS, MAX_ABS)
    alpha = _number(req, "alpha", 1e-6, 10)
    steps = _number(req, "steps", 0, MAX_STEPS, integer=True)
    run = linreg.descend(points, m0, b0, alpha, steps, max_steps=MAX_STEPS)
    m_star, b_star = linreg.least_squares(points)
    m_range = _span(m_star, abs(m0 - m_star))
    b_range = _span(b_star, abs(b0 - b_star))
    hessian = linreg.hessian(points)
    grid = {"n": GRID, "m": list(m_range), "b": list(b_range)}
    # J's grid is most of the answer (64 x 64 numbers); the page may draw it from the points.
    if req.get("grid", True) is not False:
        grid["J"] = linreg.loss_grid(points, m_range, b_range, GRID).ravel().tolist()
    return {
        "points": points.tolist(),
        "alpha": alpha,
        "start": [m0, b0],
        "hessian": hessian.tolist(),
        "eigenvalues": np.linalg.eigvalsh(hessian).tolist(),
        "limit": linreg.stability_limit(points),
        "least_squares": {"m": m_star, "b": b_star, "J": linreg.loss(points, m_star, b_star)},
        # Rows (m, b, J, dJ/dm, dJ/db); a diverging path stops at the first step past 1e12.
        "path": run.path.tolist(),
        "diverged": run.diverged,
        "grid": grid,
    }
