"""Requests that compute run off the event loop, and one address can queue only so many."""

from __future__ import annotations

import asyncio
import json
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from served import get, serve

from server.core.compute import Compute
from server.core.errors import RequestError
from server.settings import Settings

TRAIN = "/lessons/api/backprop/train?iterations=5000"


def test_healthz_answers_all_along_while_six_trainings_run(tmp_path):
    # One compute thread; each convention's curve is trained once (about 0.3 s), then served
    # from memory. Were trainings run on the event loop, /healthz could only answer in the gaps
    # between them, a few times at most.
    with serve(tmp_path, engine_workers=0, max_compute_per_ip=6) as server:
        done = threading.Event()
        answered = []

        def probe() -> None:
            while not done.is_set():
                status, body = get(server.port, "/healthz")
                answered.append(status == 200 and body == b"ok")

        paths = [TRAIN + f"&convention={c}" for c in ("lecture", "half") * 3]
        with ThreadPoolExecutor(7) as pool:
            prober = pool.submit(probe)
            trainings = [pool.submit(get, server.port, path) for path in paths]
            results = [t.result(timeout=60) for t in trainings]
            done.set()
            prober.result(timeout=30)
        assert [status for status, _ in results] == [200] * 6
        assert len(json.loads(results[0][1])["errors"]) == 5001
        assert all(answered) and len(answered) >= 15, len(answered)
        assert server.tracebacks() == []


def test_one_address_past_its_share_gets_429(tmp_path):
    with serve(tmp_path, engine_workers=0, max_compute_per_ip=2) as server:
        with ThreadPoolExecutor(6) as pool:
            results = list(pool.map(lambda _: get(server.port, TRAIN), range(6)))
        statuses = sorted(status for status, _ in results)
        assert set(statuses) <= {200, 429} and 200 in statuses and 429 in statuses, statuses
        refusal = json.loads(next(body for status, body in results if status == 429))
        assert refusal["field"] == "requests" and "2 computing requests" in refusal["allowed"]


def test_compute_bounds_per_address_and_in_all():
    async def go():
        settings = Settings(max_compute_per_ip=1, max_compute_queue=2)
        compute = Compute(settings)
        gate = threading.Event()
        first = asyncio.create_task(compute.run("a", gate.wait, 10))
        second = asyncio.create_task(compute.run("b", gate.wait, 10))
        await asyncio.sleep(0)  # both admitted: each address has one, the total is two
        with pytest.raises(RequestError) as same_address:
            await compute.run("a", gate.wait, 10)
        with pytest.raises(RequestError) as everyone:
            await compute.run("c", gate.wait, 10)
        assert same_address.value.status == 429 and everyone.value.status == 503
        gate.set()
        assert await asyncio.wait_for(asyncio.gather(first, second), 10) == [True, True]
        assert compute.total == 0 and not compute.in_flight
        assert await compute.run("a", int, "7") == 7  # a freed share is usable again
        compute.stop()

    asyncio.run(go())
