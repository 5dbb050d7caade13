"""Every node of a network on an n x n grid over [-6, 6]^2, in one vectorised float32 pass."""

from __future__ import annotations

import zlib
from collections import OrderedDict

import numpy as np

from engine.activations import OUTPUT_ACTIVATIONS
from engine.errors import ConfigError
from engine.features import feature_matrix
from engine.network import Network

DOMAIN = 6.0
MAX_GRID_SIZE = 512
_CACHE_SIZE = 4  # feature matrices kept per run: the grid sizes in use (e.g. 100 and 25)


def quantise(values: np.ndarray) -> np.ndarray:
    """Grid values -> one byte each: round((clamp(v, -1, 1) + 1) * 127), 255 where not finite.
    Bytes pass through unchanged (grids quantised where they were computed)."""
    if isinstance(values, np.ndarray) and values.dtype == np.uint8:
        return values
    v = np.asarray(values, dtype=np.float32)
    finite = np.isfinite(v)
    if not finite.all():
        v = np.where(finite, v, 0.0)
    q = np.clip(v, -1.0, 1.0)
    q += 1.0
    q *= 127.0
    np.rint(q, out=q)
    q = q.astype(np.uint8)
    if not finite.all():
        q[~finite] = 255
    return q


def grid_coordinates(n: int) -> tuple[np.ndarray, np.ndarray]:
    """x of the columns (-6 .. 6) and y of the rows (+6 .. -6: row 0 at the top), float64."""
    steps = np.arange(n, dtype=np.float64) * (2 * DOMAIN / (n - 1))
    return -DOMAIN + steps, DOMAIN - steps


class GridEvaluator:
    """Evaluates node grids; caches the grid's feature matrices (a bounded LRU)."""

    def __init__(self) -> None:
        self._inputs: OrderedDict[tuple, np.ndarray] = OrderedDict()

    def inputs(self, names: list[str], n: int) -> np.ndarray:
        """A_0 on the grid: (len(names), n * n) float32, point p = row * n + column."""
        key = (tuple(names), n)
        cached = self._inputs.get(key)
        if cached is None:
            xs, ys = grid_coordinates(n)
            x = np.tile(xs, n)
            y = np.repeat(ys, n)
            cached = feature_matrix(list(names), x, y).astype(np.float32)
            self._inputs[key] = cached
            if len(self._inputs) > _CACHE_SIZE:
                self._inputs.popitem(last=False)
        else:
            self._inputs.move_to_end(key)
        return cached

    def node_grids(self, net: Network, names: list[str], n: int) -> np.ndarray:
        """float32 (n_nodes, n, n): inputs, hidden layer by layer, outputs; row 0 at y = +6."""
        params = net.packed()[None]
        return self.stack_node_grids(params, net.layer_sizes, net.activation_names, names, n)[0]

    def stack_node_grids(
        self,
        params: np.ndarray,
        layer_sizes: list[int],
        activations: list[str],
        names: list[str],
        n: int,
    ) -> np.ndarray:
        """float32 (S, n_nodes, n, n): `node_grids` of the networks of one structure holding
        each row of `params` (S, P), in `Network.params` layout, with one broadcast matmul per
        layer for all of them (a stack's pictures: engine.pictures); `activations`: each layer's,
        the output's last."""
        if not isinstance(n, int) or isinstance(n, bool) or not 2 <= n <= MAX_GRID_SIZE:
            raise ConfigError("n", n, f"an integer 2 .. {MAX_GRID_SIZE}")
        layers = list(layer_sizes)
        A = self.inputs(names, n)
        S = params.shape[0]
        out = np.empty((S, sum(layers), n * n), dtype=np.float32)
        out[:, : layers[0]] = A
        row, start = layers[0], 0
        with np.errstate(all="ignore"):
            for n_in, n_out, name in zip(layers[:-1], layers[1:], activations, strict=True):
                block = params[:, start : start + n_out * (n_in + 1)].reshape(S, n_out, n_in + 1)
                start += n_out * (n_in + 1)
                rows = out[:, row : row + n_out]
                np.matmul(block[:, :, :-1].astype(np.float32), A, out=rows)
                rows += block[:, :, -1:].astype(np.float32)
                A = OUTPUT_ACTIVATIONS[name].output(rows, out=rows)
                row += n_out
        return out.reshape(S, -1, n, n)


# Pictures on the wire: every image (the large grid, then each node's thumbnail) as the residual
# of the gradient predictor left + up - up-left (mod 256: lossless), then one zlib stream. Smooth
# heatmaps leave residuals of 0 and +-1 almost everywhere, which deflate packs 3-5x.
# zlib's run-length strategy: the residuals are runs of 0 and +-1, so matching only the previous
# byte finds nearly everything; on a trained default network's pictures (10,900 bytes) it makes
# 2.1 to 2.8 KB in 30 to 50 us, within 5 % of level 5's size at a third of its time.
PACK_LEVEL = 1


def residuals(images: np.ndarray) -> np.ndarray:
    """(k, n, n) uint8 -> the gradient predictor's residuals, uint8, same shape."""
    a = images.astype(np.int16)
    guess = np.zeros_like(a)
    guess[:, 1:, 1:] = a[:, 1:, :-1] + a[:, :-1, 1:] - a[:, :-1, :-1]
    guess[:, 0, 1:] = a[:, 0, :-1]
    guess[:, 1:, 0] = a[:, :-1, 0]
    return ((a - guess) & 0xFF).astype(np.uint8)


def _restored(values: np.ndarray) -> np.ndarray:
    """The inverse of `residuals`, row by row (each row needs the one above, restored)."""
    r = values.astype(np.int16)
    out = np.zeros_like(r)
    out[:, 0] = np.cumsum(r[:, 0], axis=1) & 0xFF
    for i in range(1, r.shape[1]):
        # x[i, j] = r[i, j] + x[i, j-1] + x[i-1, j] - x[i-1, j-1]: along j, a running sum of
        # r[i, j] + (x[i-1, j] - x[i-1, j-1]), starting from r[i, 0] + x[i-1, 0].
        step = r[:, i].copy()
        step[:, 0] += out[:, i - 1, 0]
        step[:, 1:] += out[:, i - 1, 1:] - out[:, i - 1, :-1]
        out[:, i] = np.cumsum(step, axis=1) & 0xFF
    return out.astype(np.uint8)


def pack_pictures(grid: np.ndarray, thumbs: np.ndarray) -> bytes:
    """The quantised (G, G) grid and (k, T, T) thumbnails as one zlib stream of residuals."""
    parts = [residuals(quantise(grid)[None]).tobytes()]
    if thumbs.size:
        parts.append(residuals(quantise(thumbs)).tobytes())
    return deflate(*parts)


def deflate(*parts: bytes) -> bytes:
    """Residuals as the one zlib stream the page inflates, each part (the large grid, the
    thumbnails) in blocks of its own: the thumbnails' residuals are larger than the grid's, and
    codes fitted to both took 2 to 7 % more bytes than codes fitted to each."""
    parts = [part for part in parts if part]
    packer = zlib.compressobj(PACK_LEVEL, zlib.DEFLATED, 15, 9, zlib.Z_RLE)
    out = [packer.compress(parts[0])] if parts else []
    for part in parts[1:]:
        out += [packer.flush(zlib.Z_BLOCK), packer.compress(part)]
    return b"".join([*out, packer.flush()])


def unpack_pictures(data: bytes, grid_size: int, thumb_size: int, nodes: int):
    """`pack_pictures`'s grid and thumbnails back, byte for byte; ValueError if malformed."""
    g, t = grid_size, thumb_size
    expected = g * g + nodes * t * t
    try:
        raw = zlib.decompress(data, bufsize=expected)
    except zlib.error as exc:
        raise ValueError(f"pictures: {exc}") from None
    if len(raw) != expected:
        raise ValueError(f"pictures: {len(raw)} bytes, the layout needs {expected}")
    flat = np.frombuffer(raw, np.uint8)
    grid = _restored(flat[: g * g].reshape(1, g, g))[0]
    thumbs = flat[g * g :].reshape(nodes, t, t)
    return grid, (_restored(thumbs) if nodes and t else thumbs)
