"""A simulated engine pool for the fair-share tests: workers that train the items they are sent
in order, each taking as long as a cost model says, and results that come back after a round
trip; in between, the scheduler's own choices (server.core.planner, shares and seats), on a
simulated clock. No process, no NumPy: seconds of simulated time take milliseconds."""

from __future__ import annotations

import heapq
import itertools
from collections import defaultdict
from dataclasses import dataclass

from server.core.planner import ITEMS_PER_WORKER, Ready, plan
from server.core.seats import Seats
from server.core.shares import Shares


@dataclass(frozen=True)
class Kind:
    """What a setup costs a worker: an epoch alone; an epoch of a stack of K, fixed + K per
    member; and the grids each member's result draws."""

    alone: float
    fixed: float
    per_member: float
    grids: float

    def item_s(self, members: int, epochs: int) -> float:
        epoch = self.alone if members == 1 else self.fixed + self.per_member * members
        return epochs * epoch + members * self.grids


# Measured on this machine (bench/engine.py and timings of engine.remote.train_jobs).
DEFAULT = Kind(alone=0.00031, fixed=0.0006, per_member=0.00009, grids=0.00015)
WIDE = Kind(alone=0.00044, fixed=0.0009, per_member=0.00024, grids=0.0003)  # [8,8,8], spiral
LARGEST = Kind(alone=0.0115, fixed=0.012, per_member=0.0115, grids=0.002)  # 6 x 8, batch 1


class Sim:
    """`workers` workers; a result takes `trip_s` to come back and the next item as long to go."""

    def __init__(self, workers: int = 2, trip_s: float = 0.001, per_person: float = 1.0) -> None:
        self.now = 0.0
        self.trip_s = trip_s
        self.frame_s = 1 / 30
        self.shares = Shares(per_person)
        self.seats = Seats(workers, clock=lambda: self.now)
        self.kinds: dict[str, Kind] = {}
        self.names: dict[str, str] = {}  # session -> its kind's name (its stack key)
        self.cost: dict[str, float] = {}  # seconds per epoch as last charged (as Pace keeps it)
        self._events: list = []
        self._order = itertools.count()
        self._queues: list[list] = [[] for _ in range(workers)]
        self._idle = [True] * workers
        self._flying: list[list] = [[] for _ in range(workers)]
        self._ready_at: dict[str, float] = {}
        self.measure_from = 0.0
        self.seconds: dict[str, float] = defaultdict(float)  # charged after measure_from
        self.epochs: dict[str, int] = defaultdict(int)
        self.waits: dict[str, list[float]] = defaultdict(list)  # ready until its item starts
        self.results: dict[str, list[float]] = defaultdict(list)  # when each result landed

    def add(self, session: str, kind: Kind, name: str, person: str | None = None) -> None:
        self.kinds[session], self.names[session] = kind, name
        self.shares.add(session, person)
        self.shares.set_busy(session, True, self.now)
        self._ready_at[session] = self.now

    def run(self, seconds: float, measure_from: float = 0.0) -> None:
        self.measure_from = measure_from
        self._dispatch()
        while self._events and self._events[0][0] <= seconds:
            self.now, _, event, args = heapq.heappop(self._events)
            event(*args)

    def _at(self, when: float, event, *args) -> None:
        heapq.heappush(self._events, (when, next(self._order), event, args))

    def _dispatch(self) -> None:
        flying = {s for items in self._flying for item in items for s, _ in item}
        ready: dict[int, list[Ready]] = defaultdict(list)
        for session in self.kinds:
            if session in flying:
                continue
            seat = self.seats.seat(session, self.names[session], self.shares.weight(session))
            seat.busy_at = self.now
            cost, since = self.cost.get(session, 0.0), self._ready_at[session]
            ready[seat.worker].append(Ready(session, seat.key, cost, since=since))
        moved = self.seats.rebalance({r.session for rs in ready.values() for r in rs})
        if moved is not None:
            session, seat, left = moved
            (r,) = [r for r in ready[left] if r.session == session]
            ready[left].remove(r)
            ready[seat.worker].append(r)
        loads = self.seats.loads()
        for worker, candidates in ready.items():
            slots = ITEMS_PER_WORKER - len(self._flying[worker])
            here = [s for item in self._flying[worker] for s, _ in item]
            for item in plan(candidates, here, self.shares, slots, loads[worker], self.frame_s):
                self._flying[worker].append(item)
                self._at(self.now + self.trip_s / 2, self._arrive, worker, item)

    def _arrive(self, worker: int, item: list) -> None:
        self._queues[worker].append(item)
        self._start(worker)

    def _start(self, worker: int) -> None:
        if not self._idle[worker] or not self._queues[worker]:
            return
        item = self._queues[worker].pop(0)
        for session, _ in item:
            if self.now >= self.measure_from:
                self.waits[session].append(self.now - self._ready_at[session])
        kind = self.kinds[item[0][0]]
        took = kind.item_s(len(item), max(n for _, n in item))
        self._idle[worker] = False
        self._at(self.now + took, self._finish, worker, item, took)

    def _finish(self, worker: int, item: list, took: float) -> None:
        self._idle[worker] = True
        self._start(worker)
        self._at(self.now + self.trip_s / 2, self._land, worker, item, took)

    def _land(self, worker: int, item: list, took: float) -> None:
        self._flying[worker].remove(item)
        epochs = sum(n for _, n in item)
        for session, n in item:
            seconds = took * n / epochs  # each member's share of the stack, as engine.stack
            self.shares.charge(session, seconds, n)
            old = self.cost.get(session)
            self.cost[session] = seconds / n if not old else 0.7 * old + 0.3 * seconds / n
            self._ready_at[session] = self.now
            if self.now >= self.measure_from:
                self.seconds[session] += seconds
                self.epochs[session] += n
                self.results[session].append(self.now)
        self._dispatch()

    def busy_fraction(self, seconds: float) -> float:
        """Of the workers' time after `measure_from`, the share spent training."""
        return sum(self.seconds.values()) / (len(self._idle) * (seconds - self.measure_from))
