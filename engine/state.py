"""What training changes, as one object: parameters, dead links, the carried leftover gradient and
the optimizer's state."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from engine.buffers import pack, unpack
from engine.network import Network


@dataclass
class TrainingState:
    """What training changes, one row per network in `Network.params` layout.

    params (K, P) float64; dead (K, P) bool, the links L1 killed; carry (K, P), the gradient sum
    of the leftover points carried into the next update, and carry_count (K,) int64, how many;
    moments (K, S, P), the optimizer's S moment vectors (none for sgd), and steps (K,) int64, the
    updates made (adam's t).
    """

    params: np.ndarray
    dead: np.ndarray
    carry: np.ndarray
    carry_count: np.ndarray
    moments: np.ndarray | None = None
    steps: np.ndarray | None = None

    # The fields, in order (dataclasses.fields would cost more than copying them).
    NAMES = ("params", "dead", "carry", "carry_count", "moments", "steps")

    def __post_init__(self) -> None:
        K, P = np.shape(self.params)
        if self.moments is None:
            self.moments = np.zeros((K, 0, P))
        if self.steps is None:
            self.steps = np.zeros(K, dtype=np.int64)

    @classmethod
    def zeros(cls, K: int, P: int, slots: int = 0) -> TrainingState:
        z = np.zeros
        return cls(
            z((K, P)), z((K, P), dtype=bool), z((K, P)), z(K, dtype=np.int64), z((K, slots, P))
        )

    @classmethod
    def of(cls, net: Network, slots: int = 0) -> TrainingState:
        """One row whose params and dead links are the network's own (views), carrying nothing."""
        net.packed()
        P = net.params.shape[0]
        return cls(
            net.params[None],
            net.dead_mask[None],
            np.zeros((1, P)),
            np.zeros(1, np.int64),
            np.zeros((1, slots, P)),
        )

    def __reduce__(self) -> tuple:
        # Pickled as one buffer (engine.buffers): a worker and the serving process pass hundreds
        # of states a second.
        return _unpickled, pack(self.aligned(), ALIGNED)

    def aligned(self) -> tuple[np.ndarray, ...]:
        """The arrays with 8-byte items first (as `engine.buffers.pack` wants them), in the order
        `of_aligned` takes them back."""
        return self.params, self.carry, self.moments, self.carry_count, self.steps, self.dead

    @classmethod
    def of_aligned(cls, arrays: Sequence[np.ndarray]) -> TrainingState:
        params, carry, moments, carry_count, steps, dead = arrays
        return cls(params, dead, carry, carry_count, moments, steps)

    def clear(self) -> None:
        """Forget what training carries between updates (leftover points, moments, t)."""
        self.carry[:] = 0.0
        self.carry_count[:] = 0
        self.moments[:] = 0.0
        self.steps[:] = 0

    @classmethod
    def stack(cls, states: Sequence[TrainingState]) -> TrainingState:
        """The rows of all `states`, in order, as one state (copies)."""
        return cls(*(np.concatenate([getattr(s, name) for s in states]) for name in cls.NAMES))

    def row(self, k: int) -> TrainingState:
        """A copy of row k as a state of one row."""
        return TrainingState(*(getattr(self, name)[k : k + 1].copy() for name in self.NAMES))

    def copy(self) -> TrainingState:
        return TrainingState(*(getattr(self, name).copy() for name in self.NAMES))

    def assign(self, other: TrainingState, rows: slice | int = slice(None)) -> None:
        """Copy `other`'s values into these `rows`, in place (views into a network stay views)."""
        rows = slice(rows, rows + 1) if isinstance(rows, int) else rows
        for name in self.NAMES:
            mine, theirs = getattr(self, name)[rows], np.asarray(getattr(other, name))
            if theirs.shape != mine.shape:  # np.copyto would broadcast a wrong shape silently
                raise ValueError(f"{name}: shape {theirs.shape}, expected {mine.shape}")
            np.copyto(mine, theirs)


_F8, _I8 = np.dtype(np.float64), np.dtype(np.int64)
ALIGNED = (_F8, _F8, _F8, _I8, _I8, np.dtype(np.bool_))  # the dtypes of `TrainingState.aligned`


def _unpickled(specs: tuple, blob: bytes) -> TrainingState:
    """The state `TrainingState.__reduce__` pickled (writable arrays of their own)."""
    return TrainingState.of_aligned(unpack(ALIGNED, specs, blob))
