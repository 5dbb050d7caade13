"""Every node on the n x n grid: layout, values against the float64 forward pass, validation."""

import numpy as np
import pytest

from engine import ConfigError, Run
from engine.features import feature_matrix
from engine.grid import grid_coordinates


@pytest.fixture(scope="module")
def run():
    run = Run.from_config({"seed": "0.42", "networkShape": [5, 3], "sinY": True, "xTimesY": True})
    run.step(20)
    return run


def test_shape_dtype_and_node_order(run):
    grids = run.node_grids(25)
    assert grids.shape == (4 + 5 + 3 + 1, 25, 25) and grids.dtype == np.float32
    xs, ys = grid_coordinates(25)
    assert xs[0] == -6 and xs[-1] == 6 and ys[0] == 6 and ys[-1] == -6
    # inputs first, in input order: x, y, x*y, sin y; row 0 at y = +6
    np.testing.assert_allclose(grids[0], np.tile(xs, (25, 1)), atol=1e-6)
    np.testing.assert_allclose(grids[1], np.tile(ys[:, None], (1, 25)), atol=1e-6)
    np.testing.assert_allclose(grids[2][3, 7], xs[7] * ys[3], rtol=1e-6)
    np.testing.assert_allclose(grids[3][3, 7], np.sin(ys[3]), rtol=1e-6)


@pytest.mark.parametrize("n", [2, 25, 100])
def test_every_node_matches_the_float64_forward_pass(run, n):
    grids = run.node_grids(n)
    xs, ys = grid_coordinates(n)
    x, y = np.tile(xs, n), np.repeat(ys, n)
    A0 = feature_matrix(run.input_names, x, y)
    _, As = run.network.layer_outputs(A0)
    expected = np.concatenate([A0, *As]).reshape(-1, n, n)
    np.testing.assert_allclose(grids, expected, atol=2e-5)
    out = run.network.forward(A0.T)[:, 0].reshape(n, n)
    np.testing.assert_allclose(grids[-1], out, atol=2e-5)


def test_grid_follows_weight_edits(run):
    before = run.node_grids(10)[-1].copy()
    run.set_bias(2, 0, run.network.biases[2][0] + 0.5)
    assert not np.allclose(run.node_grids(10)[-1], before)


@pytest.mark.parametrize("n", [1, 0, 513, 10.0, "100"])
def test_bad_grid_size(run, n):
    with pytest.raises(ConfigError, match="^n: "):
        run.node_grids(n)
