"""The engine pool in this process: each worker trains its own sessions exactly as the engine
would, gets their points once, forgets them when told, and is replaced when it dies."""

from __future__ import annotations

import asyncio
import os
import signal

import numpy as np

from engine import FEATURES, Run
from server.core.flights import Flights
from server.core.pool import EnginePool
from server.core.worker import SINGLE_THREADED_BLAS

SETUPS = [
    {"seed": "0.12345"},
    {"seed": "0.2", "batchSize": 30, "networkShape": [5, 3]},  # 10 points carried each epoch
    {"seed": "0.3", "regularization": "L1", "regularizationRate": 0.03, "learningRate": 0.1},
    {"seed": "0.4", "problem": "regression", "regularization": "L2", "regularizationRate": 0.01},
]
LARGE = {"dataset": "spiral", "networkShape": [8] * 6, **{name: True for name in FEATURES}}


class Scheduler:
    """What the scheduler does with the pool: send each session a job, wait, apply the results.

    Sessions are plain strings: the pool treats them as opaque keys.
    """

    def __init__(self, pool: EnginePool) -> None:
        self.pool = pool
        self.woken = asyncio.Event()
        self.flights = Flights(pool, self.woken.set)

    def send(self, runs: dict[str, Run], n: int) -> None:
        entries = [
            (session, 0, run.training_data(), run.training_job(n)) for session, run in runs.items()
        ]
        self.flights.send(entries, 2 * self.pool.workers)

    async def landed(self) -> dict[str, object]:
        """Every result of the batches in flight, by session, once all are back or dropped."""
        results = {}
        async with asyncio.timeout(60):
            while self.flights.batches:
                await self.woken.wait()
                self.woken.clear()
                results.update({s: result for s, _, _, result in self.flights.landed()})
        return results

    async def train(self, runs: dict[str, Run], n: int, local: dict[str, Run]) -> None:
        """Train every run n epochs in the workers, and assert that each ends exactly where its
        twin in `local` does when stepped here."""
        self.send(runs, n)
        results = await self.landed()
        assert sorted(results) == sorted(runs)
        for session, run in runs.items():
            np.testing.assert_array_equal(
                run.apply_training(results[session]), local[session].step(n)
            )
            np.testing.assert_array_equal(run.network.params, local[session].network.params)


def started(workers: int, **kwargs: int) -> EnginePool:
    pool = EnginePool(workers, kwargs.pop("cache_size", 64), **kwargs)
    pool.start()
    return pool


def twins(configs: list[dict]) -> tuple[dict[str, Run], dict[str, Run]]:
    """Runs to train in the workers, and the same runs to step here, by session name."""
    names = [f"s{k}" for k in range(len(configs))]
    return (
        {name: Run.from_config(c) for name, c in zip(names, configs, strict=True)},
        {name: Run.from_config(c) for name, c in zip(names, configs, strict=True)},
    )


def test_sessions_train_exactly_like_the_engine_and_their_points_travel_once():
    async def go():
        pool = started(2)
        try:
            scheduler = Scheduler(pool)
            remote, local = twins(SETUPS)
            places = None
            for n in (5, 9, 1):
                await scheduler.train(remote, n, local)
                now = {session: pool.worker_of(session) for session in remote}
                assert places in (None, now)  # a session stays on its worker
                places = now
            assert pool.ready and sorted(places.values()) == [0, 0, 1, 1]
            for pid in pool.pids:  # NumPy's BLAS started no threads of its own
                assert os.listdir(f"/proc/{pid}/task") == [str(pid)]
            assert pool.data_sent == 4
            for runs in (remote, local):
                runs["s1"].regenerate()  # new points: sent again, once
                runs["s2"].update({"networkShape": [3]})  # same points: not sent again
            for n in (2, 3):
                await scheduler.train(remote, n, local)
            assert pool.data_sent == 5
            (bad,) = await pool.submit(0, [None])
            assert "AttributeError" in bad
        finally:
            pool.stop()

    asyncio.run(go())


def test_one_structure_shares_a_worker_while_loads_stay_even():
    async def go():
        pool = started(2)
        try:
            shapes = {"a": [4, 2], "b": [3]}
            for k in range(8):  # a, b, a, b, ...: each structure gets a worker of its own
                kind = "ab"[k % 2]
                run = Run.from_config({"seed": f"0.{k + 1}", "networkShape": shapes[kind]})
                pool.route(f"{kind}{k}", run.training_data(), run.training_job(1))
            workers = {kind: {pool.worker_of(f"{kind}{k}") for k in range(kind == "b", 8, 2)}
                       for kind in "ab"}  # fmt: skip
            assert workers["a"] in ({0}, {1}) and workers["b"] == {0, 1} - workers["a"]
            for k in range(7):  # one structure alone is spread evenly
                run = Run.from_config({"seed": f"0.{k + 11}", "networkShape": [6]})
                pool.route(f"c{k}", run.training_data(), run.training_job(1))
            loads = [sum(pool.worker_of(f"c{k}") == w for k in range(7)) for w in (0, 1)]
            assert sorted(loads) == [3, 4]
        finally:
            pool.stop()

    asyncio.run(go())


def test_a_hundred_large_sessions_come_and_go_and_the_cache_empties():
    async def go():
        pool = started(1, cache_mb=2)
        try:
            scheduler = Scheduler(pool)
            for wave in range(10):
                # Batch sizes differ: no two share a stack, each needs a trainer of its own.
                configs = [{**LARGE, "seed": f"0.{wave}{k}", "batchSize": k + 1} for k in range(10)]
                remote, local = twins(configs)
                remote = {f"{wave}-{name}": run for name, run in remote.items()}
                local = {f"{wave}-{name}": run for name, run in local.items()}
                await scheduler.train(remote, 2, local)
                (held,) = await pool.cache_stats()
                assert held["data"] == 10 and held["bytes"] <= 2 * 2**20
                assert 0 < held["trainers"] < 10  # bounded by bytes, not by count
                for session in remote:
                    pool.forget(session)
            assert await pool.cache_stats() == [{"data": 0, "trainers": 0, "bytes": 0}]
            assert pool.data_sent == 100
        finally:
            pool.stop()

    asyncio.run(go())


def test_a_killed_worker_is_replaced_and_its_sessions_go_on():
    async def go():
        pool = started(2)
        try:
            scheduler = Scheduler(pool)
            remote, local = twins(SETUPS)
            await scheduler.train(remote, 3, local)
            victim = pool.worker_of("s0")
            lost = {s for s in remote if pool.worker_of(s) == victim}
            pid = pool.pids[victim]
            os.kill(pid, signal.SIGKILL)
            scheduler.send(remote, 4)  # the victim's batch can never come back
            results = await scheduler.landed()
            assert set(results) == set(remote) - lost
            for session in results:
                remote[session].apply_training(results[session])
                local[session].step(4)
            assert pool.restarts == 1
            async with asyncio.timeout(60):
                await pool.until_ready()
            assert pool.pids[victim] not in (None, pid) and pool.alive
            for n in (2, 5):  # every session goes on where it was, its points sent again
                await scheduler.train(remote, n, local)
            assert pool.data_sent == 4 + len(lost)
            assert [held["data"] for held in await pool.cache_stats()] == [2, 2]
        finally:
            pool.stop()

    asyncio.run(go())


def test_the_command_runs_numpy_single_threaded(monkeypatch):
    """`playground` sets the variables before NumPy loads; workers inherit them."""
    from server import cli, transport

    seen = {}
    for name in SINGLE_THREADED_BLAS:
        monkeypatch.setenv(name, "4")
    # The server would start here: it only notes the environment it would have run in.
    monkeypatch.setattr(transport.PlaygroundServer, "run", lambda self: seen.update(os.environ))
    cli.main(["--port", "0", "--engine-workers", "0"])
    assert {name: seen[name] for name in SINGLE_THREADED_BLAS} == dict.fromkeys(
        SINGLE_THREADED_BLAS, "1"
    )
