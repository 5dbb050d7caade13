"""Where each session trains: its engine worker, chosen so that workers' loads stay even and
sessions of one structure meet in stacks, and changed when the loads drift apart.

A worker's load is the weight of the sessions that want its time (server.core.shares: one
person's many tabs together weigh one session), so that every worker gives each unit of weight
the same time. Pure bookkeeping: the pool (server.core.pool) sends the points where they go.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Hashable
from dataclasses import dataclass

BUSY_S = 2.0  # a session that wanted time this recently counts in its worker's load
MOVE_GAIN = 0.25  # a move must even two workers' loads by this share of a session at least


@dataclass
class Seat:
    """Where a session trains: its worker, its structure then, the data that worker has for it."""

    worker: int
    key: str
    data: tuple | None = None
    busy_at: float = 0.0
    weight: float = 1.0  # its share (server.core.shares), which its worker's load counts


class Seats:
    """Every session's seat on one of `workers` workers."""

    def __init__(self, workers: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.workers = workers
        self.clock = clock
        self.moves = 0  # sessions moved to another worker to even the loads
        self._seats: dict[Hashable, Seat] = {}

    def __iter__(self):
        return iter(self._seats.items())

    def get(self, session: Hashable) -> Seat | None:
        return self._seats.get(session)

    def seat(self, session: Hashable, key: str, weight: float | None = None) -> Seat:
        """Where `session` trains (placed now if new); `key` is its structure's (job_key), and
        `weight` its share, if known."""
        seat = self._seats.get(session)
        if seat is None:
            seat = self._seats[session] = Seat(self._place(key), key)
        seat.key = key
        if weight is not None:
            seat.weight = weight
        return seat

    def pop(self, session: Hashable) -> Seat | None:
        return self._seats.pop(session, None)

    def loads(self) -> list[float]:
        """Each worker's load: the weight of the sessions that wanted its time lately."""
        now = self.clock()
        loads = [0.0] * self.workers
        for seat in self._seats.values():
            if now - seat.busy_at < BUSY_S:
                loads[seat.worker] += seat.weight
        return loads

    def _place(self, key: str) -> int:
        """A new session's worker: of the least loaded, the one with the most sessions of its
        structure. For that, loads may differ by an eighth (one session at least)."""
        now = self.clock()
        loads, same = self.loads(), [0] * self.workers
        for seat in self._seats.values():
            if now - seat.busy_at < BUSY_S:
                same[seat.worker] += seat.key == key
        lowest = min(loads)
        allowed = [w for w in range(self.workers) if loads[w] < lowest + max(1, lowest / 8)]
        return max(allowed, key=lambda w: (same[w], -loads[w], -w))

    def rebalance(self, movable: set) -> tuple[Hashable, Seat, int] | None:
        """Move one of the `movable` sessions (wanting time, no job out) from the most loaded
        worker to the least, if that evens their loads by a quarter of a session's share at least.
        (session, its seat, the worker it left), if one moved; its seat holds no data now."""
        loads = self.loads()
        heavy = max(range(self.workers), key=loads.__getitem__)
        light = min(range(self.workers), key=loads.__getitem__)
        gap = loads[heavy] - loads[light]
        keys = {seat.key for seat in self._seats.values() if seat.worker == light}
        best, best_rank = None, (MOVE_GAIN, False)
        for session in movable:
            seat = self._seats.get(session)
            if seat is None or seat.worker != heavy:
                continue
            gain = gap - abs(gap - 2 * seat.weight)
            rank = (round(gain, 6), seat.key in keys)
            if rank >= best_rank:
                best, best_rank = session, rank
        if best is None:
            return None
        seat = self._seats[best]
        left = seat.worker
        seat.worker = light
        self.moves += 1
        return best, seat, left
