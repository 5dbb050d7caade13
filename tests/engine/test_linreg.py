"""Linear regression by gradient descent: the lecture's J, its gradient, its stability limit."""

import numpy as np
import pytest

from engine import linreg


@pytest.fixture
def points():
    return linreg.generate_points(np.random.default_rng(7), n=25, noise=0.4)


def test_gradient_matches_central_difference(points):
    m, b, h = 0.3, -0.2, 1e-6
    dm, db = linreg.gradient(points, m, b)
    num_dm = (linreg.loss(points, m + h, b) - linreg.loss(points, m - h, b)) / (2 * h)
    num_db = (linreg.loss(points, m, b + h) - linreg.loss(points, m, b - h)) / (2 * h)
    assert dm == pytest.approx(num_dm, rel=1e-6)
    assert db == pytest.approx(num_db, rel=1e-6)


def test_least_squares_is_polyfit(points):
    m, b = linreg.least_squares(points)
    pm, pb = np.polyfit(points[:, 0], points[:, 1], 1)
    assert m == pytest.approx(pm, abs=1e-10)
    assert b == pytest.approx(pb, abs=1e-10)


def test_descent_converges_to_polyfit_below_the_limit(points):
    alpha = 0.9 * linreg.stability_limit(points)
    run = linreg.descend(points, 0.0, 0.0, alpha, 1000)
    m, b = run.path[-1, :2]
    pm, pb = np.polyfit(points[:, 0], points[:, 1], 1)
    assert not run.diverged
    assert m == pytest.approx(pm, abs=1e-6)
    assert b == pytest.approx(pb, abs=1e-6)
    # Below the limit every step lowers J (the error shrinks along each eigenvector).
    assert np.all(np.diff(run.path[:, 2]) <= 1e-9)


def test_descent_diverges_just_above_the_limit(points):
    alpha = 1.02 * linreg.stability_limit(points)
    run = linreg.descend(points, 0.0, 0.0, alpha, 1000)
    assert run.diverged
    assert run.path[-1, 2] > 1e6 * run.path[0, 2]


def test_stability_limit_is_two_over_the_largest_hessian_eigenvalue():
    pts = np.array([[0.0, 1.0], [1.0, 2.0], [2.0, 2.5], [3.0, 4.0]])
    h = 2 * np.array([[0 + 1 + 4 + 9, 6.0], [6.0, 4.0]])
    assert np.allclose(linreg.hessian(pts), h)
    assert linreg.stability_limit(pts) == pytest.approx(2 / np.linalg.eigvalsh(h).max())


def test_loss_grid_matches_loss(points):
    grid = linreg.loss_grid(points, (-1.0, 3.0), (-2.0, 1.0), 5)
    assert grid.shape == (5, 5)
    assert grid[0, 0] == pytest.approx(linreg.loss(points, -1.0, 1.0))
    assert grid[4, 2] == pytest.approx(linreg.loss(points, 1.0, -2.0))


@pytest.mark.parametrize(
    "call, field",
    [
        (lambda p: linreg.descend(p, 0, 0, -1.0, 5), "alpha"),
        (lambda p: linreg.descend(p, 0, 0, 0.01, 5000), "steps"),
        (lambda p: linreg.loss(p[:1], 0, 0), "points"),
        (lambda p: linreg.loss(np.array([[0, 1], [np.nan, 2]]), 0, 0), "points"),
    ],
)
def test_bad_input_names_the_field(points, call, field):
    with pytest.raises(ValueError, match=field):
        call(points)
