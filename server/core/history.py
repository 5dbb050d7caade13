"""A session's loss history: bounded, thinned when full, read from a cursor by each client."""

from __future__ import annotations

import numpy as np


class History:
    """Loss points, each with an ever-growing index so readers can ask for "everything since i".

    Bounded: when full, every other point is dropped (the newest is always kept).
    """

    def __init__(self, limit: int) -> None:
        self.limit = max(2, limit)
        self.rows = np.empty((self.limit, 4))  # index, epoch, train loss, test loss
        self.count = 0
        self.total = 0

    def add(self, points: np.ndarray) -> None:
        k = len(points)
        if not k:
            return
        new = np.empty((k, 4))
        new[:, 0] = np.arange(self.total, self.total + k)
        new[:, 1:] = points
        self.total += k
        new = thin(new, self.limit)
        while self.count + len(new) > self.limit:
            if self.count <= 1:
                self.count = 0
                break
            kept = thin(self.rows[: self.count], self.count // 2)
            self.count = len(kept)
            self.rows[: self.count] = kept
        self.rows[self.count : self.count + len(new)] = new
        self.count += len(new)

    def clear(self) -> None:
        self.count = 0

    def since(self, cursor: int, most: int) -> tuple[np.ndarray, int]:
        """(points after index `cursor`, at most `most` of them, as (H, 3)), and the new cursor."""
        rows = self.rows[: self.count]
        start = np.searchsorted(rows[:, 0], cursor, side="right")
        return thin(rows[start:], most)[:, 1:], self.total - 1


def thin(rows: np.ndarray, most: int) -> np.ndarray:
    """Keep every other row, newest first, until at most `most` rows remain."""
    while len(rows) > max(1, most):
        rows = rows[::-1][::2][::-1]
    return rows
