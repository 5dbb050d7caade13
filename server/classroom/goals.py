"""Challenge goals: what a student's network reached, the best of it, and the leaderboard's order.

A goal is `{"kind": "testLoss", "target": X}` (test loss at most X), `{"kind": "accuracy",
"target": Y}` (test accuracy at least Y, a fraction) or `{"kind": "fewestWeights", "target": X}`
(the fewest weights reaching test loss at most X), as the Machine Learning Crash Course's
exercises are set. Without a goal the board ranks by the lowest test loss.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

from server.classroom.rules import RoomError
from server.core.snapshot import Snapshot

KINDS = ("testLoss", "accuracy", "fewestWeights")


def clean_goal(raw: object) -> dict | None:
    """A challenge's goal from an instructor's `push`, checked; None for no goal."""
    if raw is None:
        return None
    allowed = 'an object like {"kind": "testLoss", "target": 0.1}; kinds: ' + ", ".join(KINDS)
    if not isinstance(raw, dict) or raw.get("kind") not in KINDS:
        raise RoomError("goal", raw, allowed)
    target = raw.get("target")
    high = 1.0 if raw["kind"] == "accuracy" else 1e6
    number = isinstance(target, int | float) and not isinstance(target, bool)
    if not number or not math.isfinite(target) or not 0 < target <= high:
        raise RoomError("goal.target", target, f"a number above 0, at most {high:g}")
    return {"kind": raw["kind"], "target": float(target)}


def describe(goal: dict | None) -> str:
    """The goal in words, as the leaderboard and the student's page say it."""
    if goal is None:
        return "the lowest test loss"
    target = goal["target"]
    if goal["kind"] == "testLoss":
        return f"test loss at most {target:g}"
    if goal["kind"] == "accuracy":
        return f"test accuracy at least {target * 100:g} %"
    return f"the fewest weights reaching test loss at most {target:g}"


@dataclass
class Reached:
    """One network's figures at one moment of a challenge."""

    test_loss: float
    accuracy: float | None  # None for regression
    weights: int  # links that carry a weight (dead ones do not)
    layers: list[int]
    epoch: int
    seconds: float  # since the challenge began


def measure(snap: Snapshot, seconds: float) -> Reached:
    """The figures of a snapshot: its test loss, test accuracy (classification) and size."""
    weights = int(
        sum(w.size - int(d.sum()) for w, d in zip(snap.weights, snap.dead_links, strict=True))
    )
    return Reached(
        test_loss=float(snap.losses[1]),
        accuracy=accuracy(snap),
        weights=weights,
        layers=list(snap.layers),
        epoch=snap.epoch,
        seconds=round(seconds, 1),
    )


def accuracy(snap: Snapshot) -> float | None:
    """The share of test points the network classes right (None for regression): for the
    original's one tanh output the side of its 0, for a sigmoid the side of 1/2, for K classes
    the largest output (engine.task, as the page's accuracy)."""
    if snap.config.get("problem") != "classification" or not len(snap.test_points):
        return None
    return snap.metrics().accuracy()[1]


def reached(goal: dict | None, r: Reached) -> bool:
    if goal is None:
        return False
    if goal["kind"] == "accuracy":
        return r.accuracy is not None and r.accuracy >= goal["target"]
    return r.test_loss <= goal["target"]


def _order(goal: dict | None, r: Reached) -> tuple:
    """Smaller is better: reached first, then by the goal's own measure."""
    done = reached(goal, r)
    if goal is None or goal["kind"] == "testLoss":
        return (not done, r.seconds if done else r.test_loss)
    if goal["kind"] == "accuracy":
        return (not done, r.seconds if done else -(r.accuracy or 0.0))
    return (not done, r.weights if done else r.test_loss, r.seconds)


def better(goal: dict | None, new: Reached, old: Reached | None) -> bool:
    """Whether `new` is a better result than the best so far."""
    if not math.isfinite(new.test_loss):
        return False
    return old is None or _order(goal, new) < _order(goal, old)


def board(goal: dict | None, entries: list[tuple[str, Reached]]) -> list[dict]:
    """The leaderboard: (name, best result) ranked by the goal, each with whether it reached it."""
    ranked = sorted(entries, key=lambda entry: _order(goal, entry[1]))
    out = []
    for rank, (name, r) in enumerate(ranked, 1):
        row = {"rank": rank, "name": name, "reached": reached(goal, r), **asdict(r)}
        row["testLoss"] = row.pop("test_loss")
        out.append(row)
    return out
