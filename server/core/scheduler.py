"""One task trains every busy session and builds every due frame, round robin, in short slices.

Each round gives every busy session one slice of training (its speed's due epochs, or as many as
fit in the slice at "max"), then builds a frame for every client that is ready for one, yielding
to the event loop after each piece of work. When many sessions play, the slices shrink so a round
stays short: everyone slows evenly, frames keep coming, nobody starves, no handler waits long.

With engine workers, training leaves this process: each busy session has one job (a slice) in a
worker at a time; a round applies the results that came back (unless the session changed in the
meantime: then the change wins and the result is dropped), sends the next slices, and builds
frames while the workers train.

Either way the training time is shared fairly (server.core.shares): every playing person gets an
equal share, whatever their network costs, and one person's tabs share one. Here, each round's
slices are sized by weight; in the workers (server.core.dispatch), the sessions furthest behind
go first, in stacks of one structure cut to a bounded time, so a cheap session
never waits long behind an expensive one. Each session's real pace is measured, and its page is
told when it trains slower than its speed, and why.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Hashable

from server.core.dispatch import Dispatch
from server.core.flights import Flights
from server.core.framing import FrameBuilder
from server.core.metrics import Metrics
from server.core.offload import Offload
from server.core.outlet import Outlet
from server.core.pacing import Pace
from server.core.pool import EnginePool
from server.core.session import Session
from server.core.shares import PACE_WINDOW_S, Shares, pace_note, worth_telling
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


class Scheduler:
    """Owns the compute: training slices and frame building, all in one task on the event loop."""

    def __init__(self, settings: Settings, metrics: Metrics) -> None:
        self.settings = settings
        self.metrics = metrics
        self.sessions: dict[Session, Pace] = {}
        self.shares = Shares(settings.person_share)
        self.outlets: dict[Outlet, None] = {}  # an ordered set
        self.frames = FrameBuilder(self.outlets, metrics)
        self._wake = asyncio.Event()
        self._task: asyncio.Task | None = None
        self.round_s = 0.0
        self.pool: EnginePool | None = None
        self.flights: Flights | None = None
        self.offload = Offload(settings.rebuild_threads)
        self.dispatch: Dispatch | None = None  # with engine workers

    def add_session(self, session: Session, person: Hashable | None = None) -> None:
        """Train `session` when it plays; `person` (server.core.shares.person_of) is who it
        belongs to, if known: one person's playing sessions share one share."""
        self.sessions.setdefault(session, Pace(time.monotonic()))
        self.shares.add(session, person)

    def remove_session(self, session: Session) -> None:
        self.sessions.pop(session, None)
        self.shares.remove(session)
        if self.dispatch is not None:
            self.dispatch.forget(session)
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
                bounds = (1.0 / max(1, self.settings.default_fps), self.settings.stack_ms / 1000)
                parts = (self.pool, self.flights, self.sessions, self.shares, self.metrics)
                self.dispatch = Dispatch(*parts, bounds, self._failed)
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
            self.pool = self.flights = self.dispatch = None
        self.offload.stop()

    async def _run(self) -> None:
        while True:
            # Cleared before the round looks: a wake during the round (a landing, a message)
            # is not lost, and the wait after it returns at once.
            self._wake.clear()
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
        held = self.dispatch.held if self.dispatch is not None else ()
        for session, pace in self.sessions.items():
            snap = session.snapshot
            if snap.busy and session not in flying and session not in held:
                # (a landing job wakes us, for those in flight and those waiting for a turn)
                wait = min(wait, pace.next_epoch_at(snap) - now)
        for outlet in self.outlets:
            due = outlet.next_due(now)
            if due is not None:
                wait = min(wait, due - now)
        if wait <= 0:
            await asyncio.sleep(0)
            return
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wake.wait(), max(wait, 0.001))

    def _slice_s(self, busy: float) -> float:
        # A round should last about one frame interval, whatever the number of sessions; when
        # frames alone would fill it, training still gets as much time as frames did, so an
        # overloaded server trades frame rate for epochs evenly rather than starving either.
        target = 1.0 / max(1, self.settings.default_fps)
        overloaded = self.frame_s * TRAIN_SHARE / (1 - TRAIN_SHARE)
        training = min(max(target - self.frame_s, overloaded), MAX_ROUND_S - self.frame_s)
        share = training / max(1, busy)
        return min(self.settings.slice_ms / 1000.0, max(MIN_SLICE_S, share))

    frame_s = 0.0  # time spent building frames in the last round
    _round_busy: list[tuple[Session, Pace]] = []  # this round's busy sessions (with workers)

    async def round(self) -> bool:
        """One pass: training (here, or results in and slices out), then every due frame."""
        started = time.monotonic()
        pool = self.pool if self.pool is not None and self.pool.ready else None
        busy = self._round_busy = self._busy()
        if pool is not None and len(busy) < 2 and not self.flights.batches:
            # One session uses one core wherever it trains: here it saves the round trips.
            pool = None
        if pool is None:
            if self.dispatch is not None:
                self.dispatch.held.clear()
            if self.flights is not None and self.flights.batches and not self.pool.ready:
                self.flights.landed()  # a broken pool's last batches: nothing to apply
                self.flights.drop()
            weight = sum(self.shares.weight(session) for session, _ in busy)
            worked = await self._train_here(busy, self._slice_s(weight))
        else:
            worked = self._train_remote(pool, busy)
        frames_started = time.monotonic()
        worked = await self._build_frames(pool) or worked
        self.frame_s = time.monotonic() - frames_started
        self.round_s = time.monotonic() - started
        self.metrics.tick(time.monotonic())
        return worked

    def _busy(self) -> list[tuple[Session, Pace]]:
        """The sessions that train, their persons' shares brought up to date, and their pace
        measured and told."""
        now = time.monotonic()
        busy = []
        for session, pace in list(self.sessions.items()):
            snap = session.snapshot
            account = self.shares[session]
            if snap.busy != account.busy:
                self.shares.set_busy(session, snap.busy, now)
                account.shown = None
            if not snap.busy:
                continue
            busy.append((session, pace))
            if now - account.since >= PACE_WINDOW_S and self.shares.pace(session, now):
                note = pace_note(account, snap.speed) if snap.playing else None
                if worth_telling(account.shown, note) and session.note_pace(note):
                    account.shown = note
        return busy

    def _failed(self, session: Session) -> None:
        log.exception("training failed; the session is paused")
        session.fail()

    async def _train_here(self, busy: list[tuple[Session, Pace]], slice_s: float) -> bool:
        worked = False
        for session, pace in busy:
            if session not in self.sessions or not session.snapshot.busy:
                continue  # closed or paused while we yielded
            # Round robin, each slice its weight's part: one person's tabs share one slice.
            weighted = slice_s * self.shares.weight(session)
            n = pace.owed(session.snapshot, time.monotonic(), weighted)
            if n <= 0:
                continue
            t0 = time.monotonic()
            try:
                done = session.train_here(n)
            except Exception:  # a bug in one session must not stop the others
                self._failed(session)
                continue
            spent = time.monotonic() - t0
            self.shares.charge(session, spent, done)
            if done:
                pace.measured(done, spent)
                self.metrics.epochs += done
                self.metrics.training_seconds += spent
            worked = True
            await step_aside(time.monotonic() - t0)
        return worked

    def _train_remote(self, pool: EnginePool, busy: list, again: bool = False) -> bool:
        """Apply the results that came back, send the next slices to the round's `busy`
        sessions; whether anything moved. `again`: called within the round as batches land
        (then no session moves to another worker: that waits for the next round)."""
        worked = self.dispatch.apply(self.flights.landed())
        if len(busy) < 2 and not self.flights.batches:
            return worked  # one session alone trains here (see `round`)
        return self.dispatch.send(busy, rebalance=not again) or worked

    async def _build_frames(self, pool: EnginePool | None = None) -> bool:
        """Every due frame (server.core.framing), the results that land meanwhile taken in."""
        return await self.frames.build(lambda: self._take_in(pool))

    def _take_in(self, pool: EnginePool | None) -> dict[Session, None] | None:
        """Take in what landed and send the next items (the workers stay busy while frames take
        long); the sessions that took a result, whose frames go first."""
        if pool is not None and self.flights.any_landed and pool.ready:
            self._train_remote(pool, self._round_busy, again=True)
        return self.dispatch.fresh if self.dispatch is not None else None


async def step_aside(busy_s: float) -> None:
    """Let pending messages be read, handled and answered before the next long slice of work."""
    for _ in range(TURNS_PER_YIELD if busy_s > LONG_SLICE_S else 1):
        await asyncio.sleep(0)
