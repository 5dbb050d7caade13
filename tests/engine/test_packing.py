"""Pictures packed for the wire: lossless for any bytes, several times smaller for heatmaps."""

from __future__ import annotations

import zlib

import numpy as np
import pytest

from engine import Run
from engine.grid import deflate, pack_pictures, quantise, residuals, unpack_pictures


@pytest.mark.parametrize("seed", range(20))
def test_any_bytes_come_back_exactly(seed):
    rng = np.random.default_rng(seed)
    g, t, nodes = int(rng.integers(1, 40)), int(rng.integers(1, 12)), int(rng.integers(0, 9))
    grid = rng.integers(0, 256, (g, g), dtype=np.uint8)
    thumbs = rng.integers(0, 256, (nodes, t, t), dtype=np.uint8)
    back_grid, back_thumbs = unpack_pictures(pack_pictures(grid, thumbs), g, t, nodes)
    assert np.array_equal(back_grid, grid) and np.array_equal(back_thumbs, thumbs)


@pytest.mark.parametrize(
    ("config", "ratio"),
    [({}, 4), ({"dataset": "spiral", "networkShape": [8, 8], "xTimesY": True}, 2.5)],
)
def test_a_trained_networks_pictures_pack_several_times_smaller(config, ratio):
    run = Run.from_config({"seed": "0.12345", **config})
    run.step(300)
    grid, thumbs = quantise(run.node_grids(100)[-1]), quantise(run.node_grids(10))
    packed = pack_pictures(grid, thumbs)
    assert len(packed) < (grid.size + thumbs.size) / ratio
    back_grid, back_thumbs = unpack_pictures(packed, 100, 10, thumbs.shape[0])
    assert np.array_equal(back_grid, grid) and np.array_equal(back_thumbs, thumbs)


def test_a_damaged_stream_is_refused():
    packed = pack_pictures(np.zeros((4, 4), np.uint8), np.zeros((2, 3, 3), np.uint8))
    with pytest.raises(ValueError, match="pictures"):
        unpack_pictures(packed[:-2], 4, 3, 2)
    with pytest.raises(ValueError, match="layout needs"):
        unpack_pictures(packed, 4, 3, 3)


def test_the_grid_and_the_thumbnails_get_codes_of_their_own():
    run = Run.from_config({"seed": "0.12345"})
    sizes = []
    for epochs in (20, 100, 300):
        run.step(epochs - run.epoch)
        grid, thumbs = quantise(run.node_grids(100)[-1]), quantise(run.node_grids(10))
        parts = residuals(grid[None]).tobytes(), residuals(thumbs).tobytes()
        split = deflate(*parts)
        assert zlib.decompress(split) == b"".join(parts)  # one stream, as the page reads it
        assert deflate(*parts, b"") == split  # an empty part adds nothing
        sizes.append((len(split), len(deflate(b"".join(parts)))))
    assert all(split <= together for split, together in sizes)
    assert sum(split for split, _ in sizes) < 0.98 * sum(together for _, together in sizes)
