"""Several arrays as one buffer, for what crosses the pipe to and from an engine worker.

A worker and the serving process pass hundreds of training states and results a second. NumPy
pickles each array on its own, which cost more than a small network's epoch for the handful of
small arrays a state or a result holds; one buffer and the arrays' shapes cost a fraction.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def pack(arrays: Sequence[np.ndarray | None], dtypes: Sequence[np.dtype]) -> tuple[tuple, bytes]:
    """(each array's shape, None for None; all their bytes as `dtypes`, in order). Put the arrays
    of 8-byte items first, so that they stay aligned in the buffer."""
    shapes = tuple(None if array is None else array.shape for array in arrays)
    parts = [
        np.ascontiguousarray(array, dtype).tobytes()
        for array, dtype in zip(arrays, dtypes, strict=True)
        if array is not None
    ]
    return shapes, b"".join(parts)


def unpack(dtypes: Sequence[np.dtype], shapes: tuple, blob: bytes) -> list[np.ndarray | None]:
    """`pack`'s arrays back: writable, sharing one buffer of their own."""
    buffer = bytearray(blob)
    arrays: list[np.ndarray | None] = []
    start = 0
    for dtype, shape in zip(dtypes, shapes, strict=True):
        if shape is None:
            arrays.append(None)
            continue
        array = np.ndarray(shape, dtype, buffer, start)  # fails if the buffer is too short
        arrays.append(array)
        start += array.nbytes
    if start != len(buffer):
        raise ValueError(f"a buffer of {len(buffer)} bytes for arrays of {start}")
    return arrays
