"""The dispatch's measure of each worker's time on a core, in-process with stand-in parts."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from server.core.dispatch import MIN_ON_CORE, Dispatch


def dispatch(seats: dict) -> Dispatch:
    pool = SimpleNamespace(workers=2, worker_of=seats.get)
    return Dispatch(pool, None, {}, None, None, (1 / 30, 0.015), lambda session: None)


def landed(session: str, seconds: float, wall: float):
    return (session, 1, None, SimpleNamespace(seconds=seconds, wall=wall))


def test_a_worker_that_waits_for_a_core_gets_items_cut_to_the_time_it_has():
    d = dispatch({"a": 0, "b": 0, "c": 1})
    assert d.on_core == [1.0, 1.0]
    for _ in range(40):  # worker 0 is on a core half the time, worker 1 all of it
        d._time_on_core([landed("a", 0.002, 0.004), landed("b", 0.001, 0.002)])
        d._time_on_core([landed("c", 0.003, 0.003)])
    assert d.on_core[0] == pytest.approx(0.5, abs=0.01)
    assert d.on_core[1] == pytest.approx(1.0)


def test_errors_short_batches_and_unseated_sessions_say_nothing():
    d = dispatch({"a": 0})
    d._time_on_core([("a", 1, None, "ValueError: broken")])
    d._time_on_core([landed("a", 0.00001, 0.0005)])  # under MIN_WALL_S
    d._time_on_core([landed("gone", 0.001, 0.01)])  # no seat any more
    assert d.on_core == [1.0, 1.0]
    for _ in range(100):  # nearly never on a core: floored
        d._time_on_core([landed("a", 0.0, 0.01)])
    assert d.on_core[0] == pytest.approx(MIN_ON_CORE, abs=0.01)
