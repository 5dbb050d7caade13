"""Training in the engine workers, fairly: which busy sessions' slices go to which worker now,
and taking in the results that come back.

The sessions furthest behind their fair share (server.core.shares) go first, in stacks of one
structure cut to a bounded time (server.core.planner), so that a cheap session never waits long
behind an expensive one; the workers' loads are kept even (server.core.seats). Every session is
charged the processor time its results took (real time would count the moments a worker waited
for a core), which is what the shares and the pace its page sees count.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from engine.remote import job_key
from server.core.flights import Flights
from server.core.metrics import Metrics
from server.core.pacing import Pace
from server.core.planner import ITEMS_PER_WORKER, Ready, plan
from server.core.pool import EnginePool
from server.core.session import Session
from server.core.shares import Shares

log = logging.getLogger(__name__)
MIN_WALL_S = 0.001  # shorter batches say little about a worker's time on a core
MIN_ON_CORE = 0.1  # a worker measured below this share is taken to have at least this much


class Dispatch:
    """The scheduler's side of the engine workers: `send` slices out, `apply` results in.

    `sessions` is the scheduler's (each session's Pace); `bounds` is (a frame interval, the longest
    item of work), in seconds; `failed(session)` pauses a session whose training failed (called
    while its exception is handled).
    """

    def __init__(
        self,
        pool: EnginePool,
        flights: Flights,
        sessions: dict[Session, Pace],
        shares: Shares,
        metrics: Metrics,
        bounds: tuple[float, float],
        failed: Callable[[Session], None],
    ) -> None:
        self.pool, self.flights = pool, flights
        self.sessions, self.shares, self.metrics = sessions, shares, metrics
        self.frame_s, self.item_s = bounds  # a frame interval; the longest item (stack_ms)
        self.failed = failed
        # Each worker's share of real time on a core (processor time over real time, averaged
        # over its results): sessions are charged processor time, which a worker waiting for
        # a core does not inflate, and items are cut to this share of their real-time bounds.
        self.on_core = [1.0] * pool.workers
        self.jobs: dict[Session, tuple] = {}  # each ready session's next job, while it holds
        # Ready sessions a fairer turn holds back: a landing wakes the scheduler for them.
        self.held: set[Session] = set()
        # When each session's last result came back: of the sessions fairness lets go, the one
        # that waited longest goes first (server.core.planner), so frames come at an even pace.
        self.landed_at: dict[Session, float] = {}
        # The sessions that took in a result, in landing order, until the scheduler builds
        # their frames (first, before its pass over every client).
        self.fresh: dict[Session, None] = {}

    def forget(self, session: Session) -> None:
        self.jobs.pop(session, None)
        self.held.discard(session)
        self.landed_at.pop(session, None)
        self.fresh.pop(session, None)

    def send(self, busy: list[tuple[Session, Pace]], rebalance: bool = True) -> bool:
        """Send each worker with room in its pipe its next items (server.core.planner) from the
        busy sessions with nothing in flight; whether any went. `rebalance`: one session may
        move to another worker to even their loads."""
        pool = self.pool
        flying = self.flights.sessions
        free = [self.flights.on(w) < ITEMS_PER_WORKER for w in range(pool.workers)]
        if not any(free):  # nothing can go before a landing, which wakes the scheduler
            self.held = {session for session, _ in busy if session not in flying}
            return False
        self.held = set()
        now = time.monotonic()
        ready: dict[int, list[Ready]] = {}
        for session, pace in busy:
            if session in flying or session.changing or session not in self.sessions:
                continue  # mid-change (it gets a slice once that is done), or closed
            seat = pool.seats.get(session)
            if seat is not None and not free[seat.worker] and not rebalance:
                self.held.add(session)  # its worker has no room now
                continue
            snap = session.snapshot
            cap = snap.steps_left or pace.allowance(snap, now)
            job = self._job(session) if cap != 0 else None
            if job is None:
                continue
            seat = pool.seat(session, job[2], self.shares.weight(session))
            seat.busy_at = now  # it wants time: it counts in its worker's load
            cost = pace.seconds_per_epoch
            since = self.landed_at.get(session, 0.0)
            ready.setdefault(seat.worker, []).append(Ready(session, seat.key, cost, cap, since))
        movable = {r.session for group in ready.values() for r in group}
        self.held |= movable
        moved = pool.rebalance(movable) if movable and rebalance else None
        if moved is not None:  # its next job goes to its new worker
            (r,) = [r for group in ready.values() for r in group if r.session is moved]
            for group in ready.values():
                if r in group:
                    group.remove(r)
            ready.setdefault(pool.worker_of(moved), []).append(r)
        loads = pool.loads()
        sent = False
        for worker, candidates in ready.items():
            slots = ITEMS_PER_WORKER - self.flights.on(worker)
            if slots <= 0:
                continue
            here = [
                s
                for w, batch, _ in self.flights.batches
                if w == worker
                for s, *_ in batch
                if s in self.sessions  # (not closed meanwhile)
            ]
            share = self.on_core[worker]
            bounds = (self.frame_s * share, self.item_s * share)
            items = plan(candidates, here, self.shares, slots, loads[worker], *bounds)
            for item in items:
                sent = self._send(worker, item) or sent
        return sent

    def _job(self, session: Session) -> tuple | None:
        """(version, job, its stack key) of the session's next slice (its epochs set when sent),
        made once for as long as the session does not change."""
        made = self.jobs.get(session)
        if made is None or made[0] != session.snapshot.version:
            try:
                made = session.job(1)
                if made is not None:
                    made = (*made, job_key(made[1]))
            except Exception:
                self.failed(session)
                made = None
            if made is None:
                self.jobs.pop(session, None)
                return None
            self.jobs[session] = made
        return made

    def _send(self, worker: int, item: list[tuple[Session, int]]) -> bool:
        entries = []
        for session, n in item:
            version, job, _ = self.jobs.pop(session)
            self.held.discard(session)
            self.sessions[session].spend(n)
            entries.append((session, version, session.training_data(), job.for_epochs(n)))
        try:
            self.flights.send_item(worker, entries)
        except Exception as exc:  # a broken or closed pool: train here from the next round
            for session, *_ in entries:
                self.shares.charge(session, 0.0, 0)
            self.pool.fail(exc)
            return False
        return True

    def apply(self, landed: list) -> bool:
        """Take in the results that came back, unless their session changed meanwhile; charge
        each session the time it took either way."""
        now = time.monotonic()
        for session, version, _, result in landed:
            pace = self.sessions.get(session)
            if pace is None:
                continue  # closed meanwhile
            self.landed_at[session] = now
            seconds = 0.0 if isinstance(result, str) else result.seconds
            try:
                done = session.take(version, result)
            except Exception:
                self.shares.charge(session, seconds, 0)
                self.failed(session)
                continue
            self.shares.charge(session, seconds, done)
            if done:
                self.fresh[session] = None
                pace.measured(done, result.seconds)
                self.metrics.epochs += done
                self.metrics.training_seconds += seconds
                if result.stack > 1:
                    self.metrics.epochs_stacked += done
        self._time_on_core(landed)
        flying = self.flights.sessions
        for session, account in self.shares.accounts.items():
            if account.owing and session not in flying:  # charged ahead, but its batch was lost
                self.shares.charge(session, 0.0, 0)
        return bool(landed)

    def _time_on_core(self, landed: list) -> None:
        """Update each worker's share of real time on a core from the results that came back."""
        times: dict[int, list[float]] = {}
        for session, _, _, result in landed:
            worker = self.pool.worker_of(session)
            if worker is not None and not isinstance(result, str) and result.wall > 0:
                spent = times.setdefault(worker, [0.0, 0.0])
                spent[0] += result.seconds
                spent[1] += result.wall
        for worker, (seconds, wall) in times.items():
            if worker < len(self.on_core) and wall >= MIN_WALL_S:
                share = min(1.0, max(MIN_ON_CORE, seconds / wall))
                self.on_core[worker] = 0.8 * self.on_core[worker] + 0.2 * share
