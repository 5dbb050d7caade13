"""In-process: the scheduler's wake-ups."""

from __future__ import annotations

import asyncio
import time

import pytest

from server.core import scheduler as scheduling
from server.core.metrics import Metrics
from server.core.scheduler import Scheduler
from server.settings import Settings


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
