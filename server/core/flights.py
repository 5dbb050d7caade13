"""Jobs in the engine workers, by batch: what is out, and what came back."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Callable
from typing import Any

from engine.remote import TrainingJob, TrainingResult, job_key
from server.core.pool import EnginePool, WorkerLost


class Flights:
    """Jobs in the workers, by batch; a session has at most one job in flight.

    Each entry is (session, the version its job was made at, the session's points, the job): the
    session decides whether the result still applies (a change made meanwhile wins). A batch
    comes back whole, so the scheduler sends small ones (`send_item`: one stack, a bounded time)
    and gets each session's result as soon as its own stack is done.
    """

    def __init__(self, pool: EnginePool, wake: Callable[[], None]) -> None:
        self.pool = pool
        self.wake = wake
        # (worker, [(session, version, data, job), ...], future of the results)
        self.batches: list[tuple[int, list[tuple[Any, int, Any, TrainingJob]], asyncio.Future]]
        self.batches = []
        self.sessions: set = set()
        self.any_landed = False

    def send(self, entries: list[tuple[Any, int, Any, TrainingJob]], most: int) -> None:
        """Send (session, version, data, job) entries to their sessions' workers, each worker's in
        as many batches as its share of `most` more in flight allows (at least one)."""
        by_worker: dict[int, list] = {}
        for entry in entries:
            session, _, data, job = entry
            by_worker.setdefault(self.pool.route(session, data, job), []).append(entry)
        share = (most + len(self.batches)) // self.pool.workers
        flying = Counter(worker for worker, _, _ in self.batches)
        for worker, group in by_worker.items():
            # Sessions of one structure travel together, so that the worker trains them as one
            # stack.
            group.sort(key=lambda entry: job_key(entry[-1]))
            count = max(1, min(len(group), share - flying[worker]))
            for i in range(count):
                batch = group[i * len(group) // count : (i + 1) * len(group) // count]
                future = self.pool.submit(worker, [job for *_, job in batch])
                future.add_done_callback(self._landed)
                self.batches.append((worker, batch, future))
                self.sessions.update(session for session, *_ in batch)

    def send_item(self, worker: int, entries: list[tuple[Any, int, Any, TrainingJob]]) -> None:
        """Send (session, version, data, job) entries, all of sessions seated on `worker`, as one
        batch."""
        for session, _, data, job in entries:
            routed = self.pool.route(session, data, job)
            if routed != worker:
                raise ValueError(f"session routed to worker {routed}, not {worker}")
        future = self.pool.submit(worker, [job for *_, job in entries])
        future.add_done_callback(self._landed)
        self.batches.append((worker, entries, future))
        self.sessions.update(session for session, *_ in entries)

    def on(self, worker: int) -> int:
        """Batches in flight on `worker`."""
        return sum(w == worker for w, _, _ in self.batches)

    def _landed(self, future: asyncio.Future) -> None:
        if not future.cancelled():
            future.exception()  # retrieved here, so that a dropped batch logs nothing
        self.any_landed = True
        self.wake()

    def landed(self) -> list[tuple[Any, int, Any, TrainingResult | str]]:
        """(session, version, data, result) of every batch that came back. A batch whose worker
        died is dropped: its sessions are free to train again."""
        out, flying = [], []
        self.any_landed = False
        for worker, batch, future in self.batches:
            if not future.done():
                flying.append((worker, batch, future))
                continue
            self.sessions.difference_update(session for session, *_ in batch)
            exc = None if future.cancelled() else future.exception()
            if future.cancelled() or isinstance(exc, WorkerLost):
                continue
            if exc is not None:
                self.pool.fail(exc)
                continue
            results = future.result()
            out += [(*entry[:3], result) for entry, result in zip(batch, results, strict=True)]
        self.batches = flying
        return out

    def drop(self) -> None:
        for _, _, future in self.batches:
            future.cancel()
        self.batches, self.sessions = [], set()
