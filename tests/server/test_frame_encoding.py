"""The frame's network section in-process: every weight, bias and dead link where the protocol
puts them, for networks of several shapes, and nothing that is not finite."""

from __future__ import annotations

import numpy as np
import pytest

from engine.grid import pack_pictures
from engine.network import Network
from server.core.frames import encode_frame
from tests.server.frames import decode


def frame_of(net: Network, **changes) -> dict:
    """encode_frame's arguments for `net`, a playing frame of blank pictures, with `changes`."""
    fields = dict(
        seq=1,
        epoch=2,
        train_loss=0.5,
        test_loss=0.25,
        diverged=False,
        playing=True,
        layers=list(net.layer_sizes),
        history=np.zeros((0, 3)),
        params=net.params,
        dead=net.dead_mask,
        grid=np.zeros((4, 4)),
        thumbs=np.zeros((sum(net.layer_sizes), 2, 2)),
        focus=-1,
    )
    return {**fields, **changes}


@pytest.mark.parametrize("layers", [[2, 1], [2, 4, 2, 1], [6, 8, 8, 3], [3, 1, 5, 1]])
def test_weights_biases_and_dead_links_decode_to_the_networks_own(layers):
    net = Network(layers, "tanh", "tanh")
    rng = np.random.default_rng(len(layers))
    net.params[:] = rng.normal(size=net.params.shape)
    net.dead_mask[:] = rng.random(net.params.shape) < 0.3
    net.dead_mask[net.is_bias] = False
    frame = decode(encode_frame(**frame_of(net)))
    for got, want in zip(frame.weights, net.weights, strict=True):
        np.testing.assert_array_equal(got, want)
    for got, want in zip(frame.biases, net.biases, strict=True):
        np.testing.assert_array_equal(got, want)
    for got, want in zip(frame.dead, net.dead, strict=True):
        np.testing.assert_array_equal(np.asarray(got, bool), want)


def test_parameters_that_are_not_finite_go_out_as_zero():
    net = Network([2, 2, 1], "tanh", "tanh")
    net.params[:] = 0.5
    net.params[[0, 3, -1]] = [np.nan, np.inf, -np.inf]
    frame = decode(encode_frame(**frame_of(net, train_loss=np.nan, diverged=True, playing=False)))
    values = np.concatenate([w.ravel() for w in frame.weights] + list(frame.biases))
    assert np.isfinite(values).all()
    assert frame.weights[0][0, 0] == 0.0 and frame.biases[-1][0] == 0.0
    assert frame.train_loss == 0.0


def test_a_packed_frame_needs_only_the_packing_and_the_grids_size():
    rng = np.random.default_rng(5)
    grid = rng.integers(0, 255, (12, 12), dtype=np.uint8)
    thumbs = rng.integers(0, 255, (5, 3, 3), dtype=np.uint8)
    net = Network([2, 2, 1], "tanh", "tanh")
    fields = frame_of(net, thumbs=thumbs, packed=pack_pictures(grid, thumbs))
    with_grid = encode_frame(**{**fields, "grid": grid})
    assert encode_frame(**{**fields, "grid": None, "grid_size": 12}) == with_grid
    frame = decode(with_grid)
    assert frame.grid.tobytes() == grid.tobytes() and frame.thumbs.tobytes() == thumbs.tobytes()
