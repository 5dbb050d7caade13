"""A session's loss history stays bounded and hands every reader the points it has not seen."""

from __future__ import annotations

import numpy as np

from server.core.history import History, thin


def points(first: int, count: int) -> np.ndarray:
    epochs = np.arange(first, first + count, dtype=float)
    return np.stack([epochs, 1 / epochs, 2 / epochs], axis=1)


def test_readers_get_every_point_after_their_cursor_once():
    history = History(limit=100)
    history.add(points(1, 10))
    seen, cursor = history.since(-1, most=50)
    assert seen[:, 0].tolist() == list(range(1, 11))
    history.add(points(11, 5))
    seen, cursor = history.since(cursor, most=50)
    assert seen[:, 0].tolist() == [11, 12, 13, 14, 15]
    seen, cursor = history.since(cursor, most=50)
    assert len(seen) == 0


def test_history_is_bounded_and_keeps_the_newest_point():
    history = History(limit=64)
    for start in range(1, 10_000, 37):
        history.add(points(start, 37))
        assert history.count <= 64
    last_epoch = max(range(1, 10_000, 37)) + 36
    assert history.rows[history.count - 1, 1] == last_epoch
    assert np.all(np.diff(history.rows[: history.count, 1]) > 0)


def test_a_batch_larger_than_the_limit_and_a_slow_reader_are_thinned():
    history = History(limit=10)
    history.add(points(1, 1))
    history.add(points(2, 10))
    assert history.count <= 10
    assert history.rows[history.count - 1, 1] == 11
    seen, _ = history.since(-1, most=3)
    assert len(seen) <= 3 and seen[-1, 0] == 11
    assert len(thin(points(1, 1000), 7)) <= 7
