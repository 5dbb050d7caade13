"""Engine worker processes: each trains its own sessions' jobs while this process serves them.

A session is placed on one worker when first seen (server.core.seats) and stays there while the
loads stay even: that worker gets the session's points once (per data token) and then only small
jobs that refer to them; a session moved to even the loads sends them to its new worker. Sessions
of one structure are placed together where the load allows, since a worker trains the jobs of one
structure in a batch as one stack. A worker that dies is started again, and the sessions it
trained send their points to the new one and go on.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import os
import time
from collections.abc import Hashable

from engine.remote import TrainingData, TrainingJob, job_key
from server.core.seats import Seat, Seats
from server.core.worker import SINGLE_THREADED_BLAS, WorkerProcess

log = logging.getLogger(__name__)
# Workers run at a lower priority than the serving process: when the CPU is short, messages and
# frames go first and training takes what is left, so a full server slows training, not the page.
WORKER_NICE = 5
MAX_RESTART_DELAY_S = 5.0  # between attempts, for a worker that keeps dying before it runs


class WorkerLost(Exception):
    """The worker that had a batch died: its sessions train again, on its successor."""


class EnginePool:
    """Worker processes that are `ready` once all run; each trains the sessions placed on it."""

    def __init__(self, workers: int, cache_size: int, cache_mb: int = 64) -> None:
        self.workers = workers
        self.restarts = 0  # workers started again after they died
        self.data_sent = 0  # sessions' points sent to a worker
        self._args = (cache_size, cache_mb * 2**20, WORKER_NICE)
        self._procs: list[WorkerProcess | None] = [None] * workers
        self.seats = Seats(workers)
        self._held: list[dict[tuple, set]] = [{} for _ in range(workers)]  # token -> sessions
        self._waiting: dict[int, tuple[int, asyncio.Future]] = {}  # request -> (worker, answer)
        self._requests = itertools.count()
        self._early_deaths = [0] * workers
        self._loop: asyncio.AbstractEventLoop | None = None
        self._alive = asyncio.Event()
        self._stopped = False

    def start(self) -> None:
        """Start the workers without waiting for them: until they run, sessions train here."""
        self._loop = asyncio.get_running_loop()
        os.environ.update(SINGLE_THREADED_BLAS)  # what the spawned workers inherit
        for index in range(self.workers):
            self._spawn(index)

    def _spawn(self, index: int) -> None:
        if not self._stopped:
            self._procs[index] = WorkerProcess(index, self._args, self._received, self._exited)

    @property
    def alive(self) -> bool:
        """Whether every worker runs and has said so (not while one starts or starts again)."""
        return all(p is not None and p.started and not p.exited for p in self._procs)

    @property
    def ready(self) -> bool:
        return self._loop is not None and not self._stopped and self.alive

    async def until_ready(self) -> None:
        """Wait until every worker runs (at start, or after one died)."""
        await self._alive.wait()

    @property
    def pids(self) -> list[int | None]:
        """Each worker's process id (None while one is being replaced)."""
        return [None if proc is None else proc.pid for proc in self._procs]

    # -- sessions -----------------------------------------------------------------------------

    def route(self, session: Hashable, data: TrainingData, job: TrainingJob) -> int:
        """The worker for `session`'s job: where the session was placed (placed now if new),
        which gets the job's data (`data`, the session's points) first if it does not have it."""
        seat = self.seats.get(session)
        if seat is None:  # (the scheduler seats a session, by its job's key, before it routes)
            seat = self.seat(session, job_key(job))
        seat.busy_at = time.monotonic()
        if seat.data != job.data:
            self._release(seat.worker, session, seat.data)
            seat.data = job.data
        holders = self._held[seat.worker].get(job.data)
        if holders is None:
            if data.token != job.data:
                raise ValueError(f"the session's data {data.token} is not the job's {job.data}")
            self._send(seat.worker, ("data", data))
            self.data_sent += 1
            holders = self._held[seat.worker][job.data] = set()
        holders.add(session)
        return seat.worker

    def seat(self, session: Hashable, key: str, weight: float | None = None) -> Seat:
        """Where `session` trains (server.core.seats: placed now if new)."""
        return self.seats.seat(session, key, weight)

    def loads(self) -> list[float]:
        return self.seats.loads()

    def rebalance(self, movable: set) -> Hashable | None:
        """Move one of the `movable` sessions to even the workers' loads (server.core.seats);
        the session moved, if any. Its old worker forgets its points; its new one gets them with
        its next job."""
        moved = self.seats.rebalance(movable)
        if moved is None:
            return None
        session, seat, left = moved
        self._release(left, session, seat.data)
        seat.data = None
        return session

    def worker_of(self, session: Hashable) -> int | None:
        seat = self.seats.get(session)
        return None if seat is None else seat.worker

    def forget(self, session: Hashable) -> None:
        """The session ended: its worker drops its data and the trainers built on it."""
        seat = self.seats.pop(session)
        if seat is not None:
            self._release(seat.worker, session, seat.data)

    def _release(self, worker: int, session: Hashable, token: tuple | None) -> None:
        holders = self._held[worker].get(token)
        if holders is None:
            return
        holders.discard(session)
        if not holders:
            del self._held[worker][token]
            if self._procs[worker] is not None:
                self._send(worker, ("forget", [token]))

    # -- requests -----------------------------------------------------------------------------

    def _send(self, worker: int, message: tuple) -> None:
        proc = self._procs[worker]
        if proc is None:
            raise WorkerLost(f"engine worker {worker} is starting again")
        proc.send(message)

    def _ask(self, worker: int, *message: object) -> asyncio.Future:
        request = next(self._requests)
        answer = self._loop.create_future()
        self._send(worker, (message[0], request, *message[1:]))
        self._waiting[request] = (worker, answer)
        return answer

    def submit(self, worker: int, jobs: list[TrainingJob]) -> asyncio.Future:
        """Train `jobs` (of sessions routed to `worker`) there: one round trip for the batch."""
        return self._ask(worker, "train", jobs)

    async def cache_stats(self) -> list[dict[str, int]]:
        """What each worker's cache holds ({"data", "trainers", "bytes"}), after every message
        sent before this one."""
        return list(await asyncio.gather(*(self._ask(w, "stats") for w in range(self.workers))))

    def _received(self, proc: WorkerProcess, message: tuple) -> None:
        if proc is not self._procs[proc.index]:
            return  # from a worker that was replaced
        if message[0] == "hello":
            proc.started = True
            self._early_deaths[proc.index] = 0
            if self.alive:
                self._alive.set()
            return
        _, answer = self._waiting.pop(message[1], (None, None))
        if answer is not None and not answer.done():
            answer.set_result(message[2])

    def _exited(self, proc: WorkerProcess) -> None:
        proc.exited = True
        index = proc.index
        if self._stopped or self._procs[index] is not proc:
            return
        self._procs[index] = None
        self._alive.clear()
        proc.close()
        self.restarts += 1
        for request, (worker, answer) in list(self._waiting.items()):
            if worker == index:
                del self._waiting[request]
                if not answer.done():
                    answer.set_exception(WorkerLost(f"engine worker {index} died"))
        self._held[index].clear()  # its successor gets each session's points again
        self._early_deaths[index] += not proc.started
        deaths = self._early_deaths[index]
        delay = min(MAX_RESTART_DELAY_S, 0.1 * 2**deaths) if deaths else 0.0
        log.warning(
            "engine worker %d (pid %s) exited with %s; another starts in %.1f s",
            index,
            proc.pid,
            proc.exitcode,
            delay,
        )
        self._loop.call_later(delay, self._spawn, index)

    def fail(self, reason: object) -> None:
        """Something between this process and the workers broke (a batch could not be sent or
        came back broken): start every worker again; their sessions' points follow."""
        log.warning("engine workers start again: %s", reason)
        for proc in self._procs:
            if proc is not None:
                proc.kill()

    def stop(self) -> None:
        """End the workers and wait for them: no process or thread is left behind."""
        self._stopped = True
        procs = [proc for proc in self._procs if proc is not None]
        self._procs = [None] * self.workers
        for proc in procs:
            proc.stop()  # all at once, then wait for each
        for proc in procs:
            proc.close()
        for _, answer in self._waiting.values():
            answer.cancel()
        self._waiting.clear()
