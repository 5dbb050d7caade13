"""A session's training clock in-process: epochs owed at its speed, forgiven backlogs, "max"."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from server.core.pacing import Pace

SLICE_S = 0.005
EPOCH_S = 0.0001  # what one epoch costs here: 50 fit in a slice


def measured_pace() -> Pace:
    pace = Pace(now=0.0)
    pace.measured(10, 10 * EPOCH_S)
    return pace


def snapshot(speed: int | str, steps_left: int = 0) -> SimpleNamespace:
    return SimpleNamespace(speed=speed, steps_left=steps_left)


def test_an_unmeasured_session_trains_one_epoch_to_learn_its_cost():
    pace = Pace(now=0.0)
    assert pace.owed(snapshot("max"), 1.0, SLICE_S) == 1
    pace.measured(4, 0.002)
    assert pace.seconds_per_epoch == pytest.approx(0.0005)


def test_the_cost_of_an_epoch_follows_the_measurements_smoothly():
    pace = measured_pace()
    pace.measured(1, 11 * EPOCH_S)
    assert pace.seconds_per_epoch == pytest.approx(0.7 * EPOCH_S + 0.3 * 11 * EPOCH_S)


def test_a_speed_gives_speed_times_elapsed_epochs():
    pace, snap = measured_pace(), snapshot(64)
    owed = [pace.owed(snap, t / 16, SLICE_S) for t in range(1, 17)]  # every 1/16 s for 1 s
    assert owed == [4] * 16


def test_a_slow_speed_owes_whole_epochs_when_they_are_due():
    pace, snap = measured_pace(), snapshot(2)
    owed = [pace.owed(snap, t / 10, SLICE_S) for t in range(1, 21)]  # every 100 ms for 2 s
    assert sum(owed) == 4 and set(owed) == {0, 1}
    assert pace.next_epoch_at(snap) > pace.stamp  # the next one is not due yet


def test_a_backlog_is_forgiven_not_replayed():
    pace, snap = measured_pace(), snapshot(60)
    assert pace.owed(snap, 10.0, SLICE_S) == 6  # ten busy seconds later: a tenth of a second's
    assert pace.owed(snap, 10.05, SLICE_S) == 3  # and then the speed again


def test_a_speed_never_trains_more_than_fits_in_the_slice():
    pace, snap = measured_pace(), snapshot(300)
    assert pace.owed(snap, 0.1, SLICE_S / 10) == 5  # 30 are owed, only 5 fit
    assert pace.owed(snap, 0.1, SLICE_S) == 25  # the rest comes with the next slice


@pytest.mark.parametrize("snap", [snapshot("max"), snapshot(1, steps_left=500)])
def test_max_speed_and_steps_fill_the_slice(snap):
    pace = measured_pace()
    assert pace.owed(snap, 0.001, SLICE_S) == 50
    assert pace.owed(snap, 0.002, SLICE_S) == 50
    assert pace.next_epoch_at(snap) == pace.stamp  # due at once


def test_slices_shorter_than_an_epoch_add_up():
    pace, snap = measured_pace(), snapshot("max")
    half = EPOCH_S / 2
    assert [pace.owed(snap, t * 0.001, half) for t in range(1, 5)] == [0, 1, 0, 1]
