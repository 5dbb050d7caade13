"""The session owner in-process: one serialized path for changes, snapshots for readers."""

from __future__ import annotations

import asyncio
import threading

import numpy as np
import pytest

from engine.remote import train_job
from server.core.offload import Offload
from server.core.protocol import ProtocolError
from server.core.session import Session
from server.settings import Settings

SEED = {"seed": "0.12345"}


def run(coro):
    return asyncio.run(coro)


async def new_session(config: dict | None = None) -> Session:
    offload = Offload(1)
    return await Session.create(Settings(engine_workers=0), offload, {**SEED, **(config or {})})


def test_a_result_made_before_an_edit_is_dropped_the_edit_wins():
    async def go():
        session = await new_session()
        await session.set_playing(True)
        version, job = session.job(5)
        result = train_job(job, session.training_data())  # as a worker would, meanwhile
        await session.set_weight(0, 0, 0, 0.5)
        assert session.take(version, result) == 0
        snap = session.snapshot
        assert snap.epoch == 0 and snap.weights[0][0, 0] == 0.5
        # A result made after the edit is taken in.
        version, job = session.job(5)
        assert session.take(version, train_job(job, session.training_data())) == 5
        assert session.snapshot.epoch == 5

    run(go())


def test_a_result_is_taken_exactly_as_training_here_would_train():
    async def go():
        here, there = await new_session(), await new_session()
        for session in (here, there):
            await session.request_steps(7)
        assert here.train_here(7) == 7
        version, job = there.job(7)
        assert there.take(version, train_job(job, there.training_data())) == 7
        a, b = here.snapshot, there.snapshot
        assert a.params.tobytes() == b.params.tobytes()
        assert a.losses == b.losses and a.epoch == b.epoch == 7
        assert not a.busy and not b.busy  # the steps are done

    run(go())


def test_a_snapshot_never_changes_after_it_is_published():
    async def go():
        session = await new_session()
        before = session.snapshot
        params = before.params.copy()
        with pytest.raises(ValueError):
            before.params[0] = 1.0  # read-only
        await session.set_playing(True)
        session.train_here(10)
        after = session.snapshot
        assert after is not before and after.version > before.version
        assert before.params.tobytes() == params.tobytes() and before.epoch == 0
        assert after.epoch == 10 and after.params.tobytes() != params.tobytes()

    run(go())


def test_new_data_is_built_off_the_event_loop_and_training_waits_for_it():
    async def go():
        session = await new_session()
        await session.set_playing(True)
        loop_thread = threading.get_ident()
        built_in: list[int] = []
        original = session._update

        def update(accepted: dict) -> str:
            built_in.append(threading.get_ident())
            return original(accepted)

        session._update = update
        change = asyncio.create_task(session.configure({"dataset": "xor"}))
        await asyncio.sleep(0)  # the change has started and waits for its thread
        assert session.changing
        assert session.job(5) is None and session.train_here(5) == 0  # training waits
        assert await change == "data"
        assert built_in and built_in[0] != loop_thread
        assert session.snapshot.config["dataset"] == "xor" and not session.changing
        assert session.train_here(3) == 3

    run(go())


def test_changes_are_applied_one_at_a_time_in_the_order_they_came():
    async def go():
        session = await new_session()
        first = asyncio.create_task(session.configure({"dataset": "spiral"}))
        second = asyncio.create_task(session.configure({"learningRate": 0.1}))
        third = asyncio.create_task(session.set_weight(0, 0, 0, 0.25))
        await asyncio.gather(first, second, third)
        snap = session.snapshot
        assert snap.config["dataset"] == "spiral" and snap.config["learningRate"] == 0.1
        # The weight edit came after the new data (which draws new weights), so it holds.
        assert snap.weights[0][0, 0] == 0.25

    run(go())


def test_a_refused_change_leaves_the_session_and_its_snapshot_as_they_were():
    async def go():
        session = await new_session()
        before = session.snapshot
        with pytest.raises(ProtocolError) as refused:
            await session.configure({"noise": 33.7, "dataset": "xor"})
        assert refused.value.field == "noise"
        assert session.snapshot is before and not session.changing

    run(go())


def test_a_diverging_session_pauses_and_publishes_finite_losses():
    async def go():
        config = {"activation": "relu", "learningRate": 10, "problem": "regression"}
        session = await new_session(config)
        await session.set_playing(True)
        for _ in range(50):
            session.train_here(20)
            if session.snapshot.diverged:
                break
        snap = session.snapshot
        assert snap.diverged and not snap.playing and not snap.busy
        assert all(np.isfinite(snap.losses))
        with pytest.raises(ProtocolError):
            await session.set_playing(True)

    run(go())
