"""In-process, with stand-in sessions and clients: the order frames are built in, and the
scheduler's wake-ups."""

from __future__ import annotations

import asyncio
import time
from types import SimpleNamespace

import pytest

from server.core import scheduler as scheduling
from server.core.dispatch import Dispatch
from server.core.metrics import Metrics
from server.core.pacing import Pace
from server.core.scheduler import Scheduler
from server.core.shares import Shares
from server.settings import Settings


class Client:
    """A client of `session` that wants one frame; notes when it gets it in `built`."""

    def __init__(self, session: str, built: list) -> None:
        self.session, self.built, self.due = session, built, True

    def frame_due(self, now: float) -> bool:
        return self.due

    def next_due(self, now: float) -> float | None:
        return None

    def make_frame(self, now: float) -> int:
        self.due = False
        self.built.append(self.session)
        return 1


class Landing:
    """A session whose worker result is taken in: it trained `epochs`."""

    def __init__(self, epochs: int) -> None:
        self.epochs = epochs

    def take(self, version: int, result) -> int:
        return self.epochs


def result() -> SimpleNamespace:
    return SimpleNamespace(seconds=0.001, wall=0.001, stack=1)


def test_the_frames_of_sessions_whose_results_came_back_go_first_in_the_order_they_came():
    """A result's frame waits for the results that came back before it, not for the pass over
    every client to come round to its own: the last client in the list gets its frame first
    when its result came back first."""
    sessions = {name: Landing(3) for name in ("a", "b", "c")}
    paused = Landing(0)  # its result brought no epochs (it was paused meanwhile)
    shares = Shares()
    for session in [*sessions.values(), paused]:
        shares.add(session)
    pool = SimpleNamespace(workers=1, worker_of=lambda session: 0)
    paces = {session: Pace(0.0) for session in [*sessions.values(), paused]}
    flights = SimpleNamespace(sessions=set())
    dispatch = Dispatch(pool, flights, paces, shares, Metrics(), (1 / 30, 0.015), print)
    landed = [sessions["c"], paused, sessions["a"]]
    dispatch.apply([(session, 1, None, result()) for session in landed])
    assert list(dispatch.fresh) == [sessions["c"], sessions["a"]]

    scheduler = Scheduler(Settings(engine_workers=0), Metrics())
    scheduler.dispatch = dispatch
    built: list = []
    names = {session: name for name, session in sessions.items()}
    names[paused] = "paused"
    for session in [sessions["a"], sessions["b"], paused, sessions["c"]]:
        scheduler.add_outlet(Client(session, built))
    assert asyncio.run(scheduler._build_frames()) is True  # (server.core.framing)
    assert [names[session] for session in built] == ["c", "a", "b", "paused"]
    assert not dispatch.fresh
    dispatch.forget(sessions["b"])  # forgetting a session drops it from the fresh ones too
    dispatch.apply([(sessions["b"], 1, None, result())])
    dispatch.forget(sessions["b"])
    assert not dispatch.fresh


@pytest.mark.timeout(10)
def test_a_wake_during_a_round_is_not_lost(monkeypatch):
    """Something that happens while a round runs (a result lands, a message comes) wakes the
    scheduler: the next round starts at once, not after the idle wait."""
    monkeypatch.setattr(scheduling, "IDLE_WAIT_S", 30.0)
    scheduler = Scheduler(Settings(engine_workers=0), Metrics())
    rounds: list[float] = []
    second = asyncio.Event()

    async def round() -> bool:
        rounds.append(time.monotonic())
        if len(rounds) == 1:
            await asyncio.sleep(0)
            scheduler.wake()  # as a landing or a message does, mid-round
            return False  # nothing to do yet: the scheduler goes idle
        second.set()
        return False

    monkeypatch.setattr(scheduler, "round", round)

    async def go() -> None:
        task = asyncio.get_running_loop().create_task(scheduler._run())
        try:
            await asyncio.wait_for(second.wait(), 5)
        finally:
            task.cancel()

    asyncio.run(go())
    assert rounds[1] - rounds[0] < 5


class Broken(Client):
    """A client whose frame cannot be built (a bug): it is closed, with a reason."""

    closed: str | None = None

    def make_frame(self, now: float) -> int:
        raise ValueError("no frame")

    def close(self, reason: str) -> None:
        self.closed = reason


def test_a_frame_that_cannot_be_built_drops_its_client_and_the_others_get_theirs(caplog):
    scheduler = Scheduler(Settings(engine_workers=0), Metrics())
    built: list = []
    broken = Broken("a", built)
    for outlet in (broken, Client("b", built)):
        scheduler.add_outlet(outlet)
    assert asyncio.run(scheduler._build_frames()) is True
    assert built == ["b"]
    assert broken not in scheduler.outlets and len(scheduler.outlets) == 1
    assert broken.closed == "internal error while building a frame"
    assert "building a frame failed" in caplog.text
