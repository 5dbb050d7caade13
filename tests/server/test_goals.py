"""Challenge goals in-process: checking them, measuring a network, ranking the board."""

from __future__ import annotations

import asyncio
import dataclasses

import pytest

from server.classroom.goals import Reached, accuracy, better, board, clean_goal, describe, measure
from server.classroom.rules import RoomError
from server.core.offload import Offload
from server.core.session import Session
from server.settings import Settings


def result(loss: float, seconds: float, acc: float | None = 0.5, weights: int = 16) -> Reached:
    return Reached(loss, acc, weights, [2, 4, 2, 1], 100, seconds)


@pytest.mark.parametrize(
    "raw",
    [
        "testLoss",
        {"kind": "lowestLoss", "target": 0.1},
        {"kind": "testLoss"},
        {"kind": "testLoss", "target": 0},
        {"kind": "testLoss", "target": float("nan")},
        {"kind": "accuracy", "target": 1.5},
        {"kind": "accuracy", "target": True},
    ],
)
def test_a_bad_goal_is_refused_naming_what_is_allowed(raw):
    with pytest.raises(RoomError) as refused:
        clean_goal(raw)
    assert refused.value.field in ("goal", "goal.target") and refused.value.allowed


def test_goals_are_described_in_words():
    assert clean_goal(None) is None
    assert describe(clean_goal({"kind": "testLoss", "target": 0.1})) == "test loss at most 0.1"
    accuracy_goal = clean_goal({"kind": "accuracy", "target": 0.95})
    assert describe(accuracy_goal) == "test accuracy at least 95 %"
    fewest = clean_goal({"kind": "fewestWeights", "target": 0.177})
    assert describe(fewest) == "the fewest weights reaching test loss at most 0.177"


def test_a_test_loss_goal_ranks_who_reached_it_first_then_the_lowest_loss():
    goal = {"kind": "testLoss", "target": 0.1}
    entries = [
        ("late", result(0.05, seconds=90)),
        ("close", result(0.11, seconds=10)),
        ("early", result(0.09, seconds=30)),
        ("far", result(0.4, seconds=5)),
    ]
    rows = board(goal, entries)
    assert [r["name"] for r in rows] == ["early", "late", "close", "far"]
    assert [r["reached"] for r in rows] == [True, True, False, False]
    assert rows[0]["rank"] == 1 and rows[0]["testLoss"] == 0.09 and rows[0]["seconds"] == 30


def test_the_best_of_a_reached_goal_is_when_it_was_first_reached():
    goal = {"kind": "testLoss", "target": 0.1}
    first = result(0.09, seconds=30)
    assert better(goal, first, result(0.2, seconds=20))
    assert not better(goal, result(0.01, seconds=60), first)  # later, even if lower
    assert not better(goal, result(float("nan"), seconds=1), None)


def test_fewest_weights_ranks_reached_networks_by_their_size():
    goal = {"kind": "fewestWeights", "target": 0.2}
    entries = [
        ("big", result(0.1, seconds=5, weights=40)),
        ("small", result(0.15, seconds=50, weights=8)),
        ("tiny but bad", result(0.3, seconds=1, weights=2)),
    ]
    assert [r["name"] for r in board(goal, entries)] == ["small", "big", "tiny but bad"]
    assert better(goal, result(0.19, seconds=70, weights=6), entries[1][1])


def test_an_accuracy_goal_and_no_goal():
    goal = {"kind": "accuracy", "target": 0.9}
    entries = [("a", result(0.3, 40, acc=0.95)), ("b", result(0.2, 10, acc=0.85))]
    assert [r["name"] for r in board(goal, entries)] == ["a", "b"]
    assert [r["name"] for r in board(None, entries)] == ["b", "a"]  # the lowest test loss


def test_a_trained_network_is_measured_on_its_test_points():
    async def go():
        settings = Settings(engine_workers=0)
        config = {"seed": "0.12345", "dataset": "gauss"}
        session = await Session.create(settings, Offload(1), config)
        before = measure(session.snapshot, 0.0)
        await session.request_steps(50)
        session.train_here(50)
        after = measure(session.snapshot, 12.3)
        return before, after, session.snapshot

    before, after, snap = asyncio.run(go())
    assert after.accuracy == pytest.approx(1.0, abs=0.02)  # two well separated blobs
    assert after.test_loss < before.test_loss and after.epoch == 50 and after.seconds == 12.3
    assert after.weights == 2 * 4 + 4 * 2 + 2 * 1 and after.layers == [2, 4, 2, 1]
    # The same as counting the output's sign on each test point by hand.
    out = snap.network().forward(snap.test_points[:, :2])[:, 0]
    assert after.accuracy == ((out >= 0) == (snap.test_points[:, 2] > 0)).mean()
    as_regression = dataclasses.replace(snap, config={**snap.config, "problem": "regression"})
    assert accuracy(as_regression) is None
