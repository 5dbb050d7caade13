"""The frame's network section in-process: every weight, bias and dead link where the protocol
puts them, for networks of several shapes, and nothing that is not finite."""

from __future__ import annotations

import numpy as np
import pytest

from engine.grid import pack_pictures
from engine.network import Network
from server.core.frames import (
    FLAG_HISTORY,
    PACK_HISTORY_MIN,
    encode_frame,
    pack_history,
    unpack_history,
)
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


def test_packed_history_rows_come_back_bit_for_bit_whatever_their_steps():
    rng = np.random.default_rng(7)
    rows = rng.integers(0, 2**32, (50, 3), dtype=np.uint64).astype("<u4")  # steps wrap around
    rows[:, 0] = np.cumsum(rng.integers(1, 9, 50))  # epochs thinned: gaps of 1 to 8
    assert unpack_history(pack_history(rows), 50).tobytes() == rows.tobytes()
    assert unpack_history(pack_history(rows[:1]), 1).tobytes() == rows[:1].tobytes()
    with pytest.raises(ValueError, match="51 points need 612"):
        unpack_history(pack_history(rows), 51)
    with pytest.raises(ValueError, match="history"):
        unpack_history(b"not zlib", 50)


def a_loss_curve(n: int, first: int = 1) -> np.ndarray:
    epochs = np.arange(first, first + n, dtype=float)
    return np.stack([epochs, 0.5 / np.sqrt(epochs), 0.6 / np.sqrt(epochs)], axis=1)


def test_a_packed_frames_long_history_goes_packed_and_decodes_to_the_same_points():
    rng = np.random.default_rng(3)
    grid = rng.integers(0, 255, (12, 12), dtype=np.uint8)
    thumbs = np.zeros((5, 3, 3), dtype=np.uint8)
    net = Network([2, 2, 1], "tanh", "tanh")
    packed = frame_of(net, grid=grid, thumbs=thumbs, packed=pack_pictures(grid, thumbs))
    curve = a_loss_curve(100, first=40)
    long = encode_frame(**{**packed, "history": curve})
    assert long[5] & FLAG_HISTORY
    frame = decode(long)
    np.testing.assert_array_equal(frame.history, curve.astype(np.float32))
    plain_rows = decode(encode_frame(**{**packed, "history": curve, "packed": None}))
    np.testing.assert_array_equal(plain_rows.history, frame.history)
    empty = encode_frame(**packed)
    assert len(long) - len(empty) <= 12 * 100 // 2  # 100 rows of 12 bytes took half or less
    assert frame.grid.tobytes() == grid.tobytes()
    short = encode_frame(**{**packed, "history": a_loss_curve(PACK_HISTORY_MIN - 1)})
    assert not short[5] & FLAG_HISTORY  # too few rows to gain: they go as they are
    assert decode(short).history.shape == (PACK_HISTORY_MIN - 1, 3)
