"""Engine worker processes: they train batches of sessions' jobs while this process serves them.

Workers are spawned (never forked from a process running an event loop with threads) and hold no
session: each job carries its whole training state, and its result goes back to the scheduler.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import os
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from typing import Any

from engine import remote
from engine.remote import TrainingData, TrainingJob, TrainingResult

log = logging.getLogger(__name__)
# Workers run at a lower priority than the serving process: when the CPU is short, messages and
# frames go first and training takes what is left, so a full server slows training, not the page.
WORKER_NICE = 5


class EnginePool:
    """A process pool that is `ready` once its workers run, and gives up for good if one dies."""

    def __init__(self, workers: int, cache_size: int) -> None:
        self.workers = workers
        self.cache_size = cache_size
        self.broken = False
        self._pool: ProcessPoolExecutor | None = None
        self._warming: list[asyncio.Future] = []

    def start(self) -> None:
        """Start the workers without waiting for them: until they run, sessions train here."""
        self._pool = ProcessPoolExecutor(
            self.workers,
            multiprocessing.get_context("spawn"),
            initializer=remote.init_worker,
            initargs=(self.cache_size, os.getpid(), WORKER_NICE),
        )
        loop = asyncio.get_running_loop()
        warm = [loop.run_in_executor(self._pool, remote.ready) for _ in range(self.workers)]
        self._warming = warm

    @property
    def ready(self) -> bool:
        if self._pool is None or self.broken:
            return False
        if self._warming:
            if not all(f.done() for f in self._warming):
                return False
            failed = [f for f in self._warming if f.cancelled() or f.exception()]
            self._warming = []
            if failed:
                self.fail("a worker did not start")
                return False
        return True

    def submit(
        self, jobs: list[TrainingJob], data: list[TrainingData]
    ) -> asyncio.Future[list[TrainingResult | str]]:
        """Train `jobs` on `data` in one worker (one round trip for the whole batch)."""
        loop = asyncio.get_running_loop()
        return loop.run_in_executor(self._pool, remote.train_shipped, jobs, data)

    def fail(self, reason: object) -> None:
        """A worker died or the pool broke: stop using it; sessions train in this process."""
        if self.broken:
            return
        self.broken = True
        log.warning("engine workers stopped (%s); training continues in the server process", reason)
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)

    def stop(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None


class Flights:
    """Jobs in the workers, by batch; a session has at most one job in flight.

    Each entry remembers the session's `version` and run when its job was made: the result
    applies only if both still hold (a change made meanwhile wins, the result is dropped).
    """

    def __init__(self, pool: EnginePool, wake: Callable[[], None]) -> None:
        self.pool = pool
        self.wake = wake
        self.batches: list[tuple[list[tuple[Any, int, Any, TrainingJob]], asyncio.Future]] = []
        self.sessions: set = set()
        self.any_landed = False

    def send(self, entries: list[tuple[Any, int, Any, TrainingJob]], most: int) -> None:
        """Send (session, version, run, job) entries in up to `most` batches (at least one)."""
        count = max(1, min(len(entries), most))
        # Sessions of one structure travel together, so that a worker trains them as one stack.
        entries = sorted(entries, key=lambda entry: remote.job_key(entry[-1]))
        for i in range(count):
            batch = entries[i * len(entries) // count : (i + 1) * len(entries) // count]
            data = [run.training_data() for _, _, run, _ in batch]
            future = self.pool.submit([job for *_, job in batch], data)
            future.add_done_callback(self._landed)
            self.batches.append((batch, future))
            self.sessions.update(session for session, *_ in batch)

    def _landed(self, future: asyncio.Future) -> None:
        if not future.cancelled():
            future.exception()  # retrieved here, so that a dropped batch logs nothing
        self.any_landed = True
        self.wake()

    def landed(self) -> list[tuple[Any, int, Any, TrainingResult | str]]:
        """(session, version, run, result) of every batch that came back; the pool is given up
        if one was lost (its sessions train again, elsewhere)."""
        out, flying = [], []
        self.any_landed = False
        for batch, future in self.batches:
            if not future.done():
                flying.append((batch, future))
                continue
            self.sessions.difference_update(session for session, *_ in batch)
            exc = None if future.cancelled() else future.exception()
            if future.cancelled() or exc is not None:
                self.pool.fail(exc or "cancelled")
                continue
            results = future.result()
            out += [(*entry[:3], result) for entry, result in zip(batch, results, strict=True)]
        self.batches = flying
        return out

    def drop(self) -> None:
        for _, future in self.batches:
            future.cancel()
        self.batches, self.sessions = [], set()
