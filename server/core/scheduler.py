"""One task trains every busy session and builds every due frame, round robin, in short slices.

Each round gives every busy session one slice of training (its speed's due epochs, or as many as
fit in the slice at "max"), then builds a frame for every client that is ready for one, yielding
to the event loop after each piece of work. When many sessions play, the slices shrink so a round
stays short: everyone slows evenly, frames keep coming, nobody starves, no handler waits long.

With engine workers, training leaves this process: each busy session has one job (a slice) in a
worker at a time; a round applies the results that came back (unless the session changed in the
meantime: then the change wins and the result is dropped), sends the next slices, and builds
frames while the workers train.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from typing import Protocol

from server.core.metrics import Metrics
from server.core.offload import Offload
from server.core.pacing import Pace
from server.core.pool import EnginePool, Flights
from server.core.session import Session
from server.settings import Settings

log = logging.getLogger(__name__)
MIN_SLICE_S = 0.0002
# When the CPU cannot give everyone their speed and frame rate, training gets this share of it
# and frames the rest: frame rates fall before training speed does.
TRAIN_SHARE = 2 / 3
# ... but a round (every busy session trains once, every ready client gets a frame) should not
# last longer than this, so that frames keep coming at a few per second even to hundreds.
MAX_ROUND_S = 0.15
# A message needs three turns of the event loop to be answered (read it, handle it, write the
# answer), so after each slice of work the scheduler steps aside for that many turns.
TURNS_PER_YIELD = 3
LONG_SLICE_S = 0.001
IDLE_WAIT_S = 0.25
# A job in a worker costs a round trip: a session alone gets long slices to amortise it, and
# slices never get so short that round trips cost this process more than frames do. A slice is a
# session's share of a worker's time: in a stack (engine.stack) many shares train at once, so
# even 0.5 ms shares make stacks long enough to amortise their batch's round trip.
REMOTE_SLICE_S = 0.015
MIN_REMOTE_SLICE_S = 0.0005
# Batches in flight per worker: one round trip per batch, and some balance between workers.
BATCHES_PER_WORKER = 2


class Outlet(Protocol):
    """Anything that turns a session's state into frames: one client, or a room's fan-out."""

    def frame_due(self, now: float) -> bool: ...

    def next_due(self, now: float) -> float | None: ...

    def make_frame(self, now: float) -> int: ...


class Scheduler:
    """Owns the compute: training slices and frame building, all in one task on the event loop."""

    def __init__(self, settings: Settings, metrics: Metrics) -> None:
        self.settings = settings
        self.metrics = metrics
        self.sessions: dict[Session, Pace] = {}
        self.outlets: dict[Outlet, None] = {}  # an ordered set
        self._wake = asyncio.Event()
        self._task: asyncio.Task | None = None
        self.round_s = 0.0
        self.pool: EnginePool | None = None
        self.flights: Flights | None = None
        self.offload = Offload(settings.rebuild_threads)

    def add_session(self, session: Session) -> None:
        self.sessions.setdefault(session, Pace(time.monotonic()))

    def remove_session(self, session: Session) -> None:
        self.sessions.pop(session, None)
        if self.pool is not None:
            self.pool.forget(session)  # its worker drops its data

    def add_outlet(self, outlet: Outlet) -> None:
        self.outlets[outlet] = None
        self.wake()

    def remove_outlet(self, outlet: Outlet) -> None:
        self.outlets.pop(outlet, None)

    def wake(self) -> None:
        """Something changed (a message, an ack): look again at once."""
        self._wake.set()

    def session_changed(self, session: Session) -> None:
        """A session's network changed: its old per-epoch cost no longer holds."""
        pace = self.sessions.get(session)
        if pace is not None:
            pace.seconds_per_epoch = 0.0
            pace.stamp = time.monotonic()
        self.wake()

    @property
    def playing(self) -> int:
        return sum(1 for s in self.sessions if s.snapshot.playing)

    def start(self) -> None:
        workers = self.settings.engine_workers
        if workers > 0:
            self.pool = EnginePool(
                workers, self.settings.max_sessions, self.settings.worker_cache_mb
            )
            try:
                self.pool.start()
            except OSError:
                log.exception("engine workers did not start; training runs in this process")
                self.pool = None
            else:
                self.flights = Flights(self.pool, self.wake)
        self._task = asyncio.get_running_loop().create_task(self._run(), name="scheduler")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        if self.pool is not None:
            self.flights.drop()
            self.pool.stop()
            self.pool = self.flights = None
        self.offload.stop()

    async def _run(self) -> None:
        while True:
            try:
                worked = await self.round()
            except Exception:  # keep serving everyone else
                log.exception("scheduler round failed")
                worked = False
            if not worked:
                await self._idle()

    async def _idle(self) -> None:
        now = time.monotonic()
        wait = IDLE_WAIT_S
        flying = self.flights.sessions if self.flights is not None else ()
        for session, pace in self.sessions.items():
            snap = session.snapshot
            if snap.busy and session not in flying:  # a landing job wakes us
                wait = min(wait, pace.next_epoch_at(snap) - now)
        for outlet in self.outlets:
            due = outlet.next_due(now)
            if due is not None:
                wait = min(wait, due - now)
        self._wake.clear()
        if wait <= 0:
            await asyncio.sleep(0)
            return
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wake.wait(), max(wait, 0.001))

    def _slice_s(self, busy: int) -> float:
        # A round should last about one frame interval, whatever the number of sessions; when
        # frames alone would fill it, training still gets as much time as frames did, so an
        # overloaded server trades frame rate for epochs evenly rather than starving either.
        target = 1.0 / max(1, self.settings.default_fps)
        overloaded = self.frame_s * TRAIN_SHARE / (1 - TRAIN_SHARE)
        training = min(max(target - self.frame_s, overloaded), MAX_ROUND_S - self.frame_s)
        share = training / max(1, busy)
        return min(self.settings.slice_ms / 1000.0, max(MIN_SLICE_S, share))

    frame_s = 0.0  # time spent building frames in the last round

    def _remote_slice_s(self, busy: int, workers: int) -> float:
        # Every busy session should get a result (so a new frame) about once per frame interval:
        # the workers' time in one is split evenly between the busy sessions.
        target = 1.0 / max(1, self.settings.default_fps)
        share = target * min(workers, busy) / max(1, busy)
        return min(REMOTE_SLICE_S, max(MIN_REMOTE_SLICE_S, share))

    async def round(self) -> bool:
        """One pass: training (here, or results in and slices out), then every due frame."""
        started = time.monotonic()
        pool = self.pool if self.pool is not None and self.pool.ready else None
        busy = self._busy()
        if pool is not None and len(busy) < 2 and not self.flights.batches:
            # One session uses one core wherever it trains: here it saves the round trips.
            pool = None
        if pool is None:
            if self.flights is not None and self.flights.batches and not self.pool.ready:
                self.flights.landed()  # a broken pool's last batches: nothing to apply
                self.flights.drop()
            worked = await self._train_here(busy, self._slice_s(len(busy)))
        else:
            worked = self._train_remote(pool)
        frames_started = time.monotonic()
        worked = await self._build_frames(pool) or worked
        self.frame_s = time.monotonic() - frames_started
        self.round_s = time.monotonic() - started
        self.metrics.tick(time.monotonic())
        return worked

    def _busy(self) -> list[tuple[Session, Pace]]:
        return [(s, p) for s, p in list(self.sessions.items()) if s.snapshot.busy]

    def _failed(self, session: Session) -> None:
        log.exception("training failed; the session is paused")
        session.fail()

    async def _train_here(self, busy: list[tuple[Session, Pace]], slice_s: float) -> bool:
        worked = False
        for session, pace in busy:
            if session not in self.sessions or not session.snapshot.busy:
                continue  # closed or paused while we yielded
            n = pace.owed(session.snapshot, time.monotonic(), slice_s)
            if n <= 0:
                continue
            t0 = time.monotonic()
            try:
                done = session.train_here(n)
            except Exception:  # a bug in one session must not stop the others
                self._failed(session)
                continue
            if done:
                pace.measured(done, time.monotonic() - t0)
                self.metrics.epochs += done
            worked = True
            await step_aside(time.monotonic() - t0)
        return worked

    def _train_remote(self, pool: EnginePool) -> bool:
        """Apply the results that came back, send the next slices; whether anything moved."""
        worked = self._apply(self.flights.landed())
        flying = self.flights.sessions
        busy = self._busy()
        if len(busy) < 2 and not self.flights.batches:
            return worked  # one session alone trains here (see `round`)
        idle = [(s, p) for s, p in busy if s not in flying]
        if idle:
            worked = self._dispatch(pool, idle, len(busy)) or worked
        return worked

    def _dispatch(self, pool: EnginePool, idle: list[tuple[Session, Pace]], busy: int) -> bool:
        """Send a slice of every busy session with nothing in flight to the workers."""
        slice_s = self._remote_slice_s(busy, pool.workers)
        now = time.monotonic()
        entries = []
        for session, pace in idle:
            if session.changing:
                continue  # its owner is mid-change: it gets a slice once that is done
            n = pace.owed(session.snapshot, now, slice_s)
            if n <= 0:
                continue
            try:
                made = session.job(n)
            except Exception:
                self._failed(session)
                continue
            if made is not None:
                version, job = made
                entries.append((session, version, session.training_data(), job))
        if not entries:
            return False
        most = pool.workers * BATCHES_PER_WORKER - len(self.flights.batches)
        try:
            self.flights.send(entries, most)
        except Exception as exc:  # a broken or closed pool: train here from the next round
            pool.fail(exc)
        return True

    def _apply(self, landed: list) -> bool:
        """Take in the results that came back, unless their session changed meanwhile."""
        for session, version, _, result in landed:
            pace = self.sessions.get(session)
            if pace is None:
                continue  # closed meanwhile
            try:
                done = session.take(version, result)
            except Exception:
                self._failed(session)
                continue
            if done:
                pace.measured(done, result.seconds)
                self.metrics.epochs += done
                if result.stack > 1:
                    self.metrics.epochs_stacked += done
        return bool(landed)

    async def _build_frames(self, pool: EnginePool | None = None) -> bool:
        worked = False
        for outlet in list(self.outlets):
            if pool is not None and self.flights.any_landed and pool.ready:
                self._train_remote(pool)  # keep the workers busy while frames take long
            now = time.monotonic()
            if outlet in self.outlets and outlet.frame_due(now):
                try:
                    self.metrics.frames_built += 1
                    outlet.make_frame(now)
                except Exception:
                    log.exception("building a frame failed; the client is dropped")
                    self.outlets.pop(outlet, None)
                    close = getattr(outlet, "close", None)
                    if close is not None:
                        close("internal error while building a frame")
                worked = True
                await asyncio.sleep(0)
        return worked


async def step_aside(busy_s: float) -> None:
    """Let pending messages be read, handled and answered before the next long slice of work."""
    for _ in range(TURNS_PER_YIELD if busy_s > LONG_SLICE_S else 1):
        await asyncio.sleep(0)
