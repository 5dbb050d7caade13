"""In-process: the event loop's lag as /metrics reports it, and forks bounded per student."""

from __future__ import annotations

import asyncio
import time

import pytest

from server.classroom import actions
from server.classroom.fanout import FollowerOutlet
from server.classroom.rules import RoomError
from server.classroom.seats import LocalSeat
from server.classroom.service import Classroom
from server.core.looplag import LoopLag, probe
from server.core.metrics import Metrics, render
from server.core.scheduler import Scheduler
from server.settings import Settings


def test_the_lag_histogram_is_cumulative_and_the_max_covers_ten_seconds():
    lag = LoopLag()
    for when, value in enumerate([0.0004, 0.003, 0.3, 0.02, 9.0]):
        lag.observe(value, float(when))
    rows = dict(lag.cumulative())
    assert rows["0.001"] == 1 and rows["0.005"] == 2 and rows["0.025"] == 3
    assert rows["0.5"] == 4 and rows["5"] == 4 and rows["+Inf"] == 5 == lag.samples
    assert lag.recent_max(4.0) == 9.0
    assert lag.recent_max(14.5) == 0.0  # everything is older than the window
    lag.observe(0.01, 15.0)
    assert lag.recent_max(15.0) == 0.01


def test_a_blocked_loop_shows_in_the_probe_and_in_metrics():
    async def go():
        metrics = Metrics()
        task = asyncio.create_task(probe(metrics.loop_lag, 0.01))
        await asyncio.sleep(0.05)
        time.sleep(0.2)  # what NumPy on the event loop would do to everyone
        await asyncio.sleep(0.05)
        task.cancel()
        return metrics

    metrics = asyncio.run(go())
    assert metrics.loop_lag.recent_max() >= 0.15
    text = render(metrics, 0, 0)
    assert 'playground_event_loop_lag_seconds_bucket{le="0.1"}' in text
    lines = dict(line.rsplit(" ", 1) for line in text.splitlines() if not line.startswith("#"))
    slow = float(lines['playground_event_loop_lag_seconds_bucket{le="+Inf"}'])
    fast = float(lines['playground_event_loop_lag_seconds_bucket{le="0.1"}'])
    assert slow - fast == 1  # the one late wake-up
    assert float(lines["playground_event_loop_lag_max_seconds"]) >= 0.15


def test_a_student_has_one_fork_in_flight_at_most_and_a_few_a_minute():
    async def go():
        settings = Settings(engine_workers=0, forks_per_minute=2)
        classroom = Classroom(settings, Scheduler(settings, Metrics()))
        room, _ = await classroom.create_room("10.0.0.1")
        member, _ = room.add_member("Ada", settings.max_room_members)
        outlet = FollowerOutlet(settings, classroom.broker)
        outlet.listen(room.listened(member))
        ctx = classroom.attach(room, member, LocalSeat(outlet))
        await actions.fork(classroom, room, member, ctx)
        with pytest.raises(RoomError) as flood:
            await actions.fork(classroom, room, member, ctx)  # while the first is built
        assert flood.value.field == "fork" and "one fork at a time" in flood.value.allowed
        await asyncio.wait_for(asyncio.gather(*classroom._jobs), 10)
        assert member.session is not None and not member.forking
        await actions.fork(classroom, room, member, ctx)  # the next one is welcome
        await asyncio.wait_for(asyncio.gather(*classroom._jobs), 10)
        with pytest.raises(RoomError) as third:  # ... but not a third within the minute
            await actions.fork(classroom, room, member, ctx)
        assert "at most 2 forks a minute" in third.value.allowed
        classroom.close_room(room, "done")
        classroom._task.cancel()
        classroom.scheduler.offload.stop()

    asyncio.run(go())
