"""Issue 12's controls under classroom locks and challenges: a lock guards its new messages and
keys, a locked data set also guards own points, and a challenge's accuracy counts classes the way
the chosen loss and outputs give them."""

from __future__ import annotations

import asyncio

import pytest

from server.classroom.goals import accuracy
from server.classroom.pages import LOCK_LABELS
from server.classroom.rules import LOCKABLE, check_constraints, clean_locks, lock_refusal
from server.core.offload import Offload
from server.core.session import Session
from server.settings import Settings

CONFIG = {"classes": 2, "loss": "squared", "optimizer": "sgd", "ownData": False, "stopEpoch": 0}


@pytest.mark.parametrize(
    ("lock", "message"),
    [
        ("classes", {"type": "config", "config": {"classes": 3}}),
        ("loss", {"type": "config", "config": {"loss": "crossEntropy"}}),
        ("optimizer", {"type": "config", "config": {"optimizer": "adam"}}),
        ("optimizer", {"type": "config", "config": {"beta1": 0.5}}),
        ("stopEpoch", {"type": "config", "config": {"stopEpoch": 10}}),
        ("draw", {"type": "points", "add": [[0, 0, 1]]}),
        ("uploadData", {"type": "upload", "csv": "x,y,label\n0,0,a\n"}),
        ("importModel", {"type": "import", "model": {}}),
        ("replayButton", {"type": "replay"}),
        ("dataset", {"type": "points", "clear": True}),
        ("dataset", {"type": "upload", "csv": ""}),
        ("weights", {"type": "import", "model": {}}),
    ],
)
def test_each_new_lock_refuses_what_it_guards(lock, message):
    locks = clean_locks([lock])
    refusal = lock_refusal(locks, message, CONFIG)
    assert refusal is not None and lock in refusal.allowed
    assert lock_refusal(frozenset(), message, CONFIG) is None


def test_every_new_control_has_a_lock_with_a_label():
    for name in ("classes", "loss", "optimizer", "stopEpoch", "stopTestLoss", "draw"):
        assert name in LOCKABLE and LOCK_LABELS[name]
    for name in ("uploadData", "importModel", "replayButton"):
        assert name in LOCKABLE and LOCK_LABELS[name]


def test_an_unchanged_value_passes_a_lock():
    message = {"type": "config", "config": {**CONFIG, "learningRate": 0.1}}
    assert lock_refusal(clean_locks(["classes", "loss", "optimizer"]), message, CONFIG) is None


def test_challenge_constraints_apply_to_a_merged_config():
    config = {**CONFIG, "networkShape": [8, 8, 8], "x": True, "y": True}
    assert check_constraints(config, {"maxLayers": 2}) is not None


@pytest.mark.parametrize(
    "config",
    [
        {"seed": "0.12345", "dataset": "gauss", "loss": "crossEntropy"},  # one sigmoid output
        {"seed": "0.12345", "dataset": "gauss", "classes": 3, "loss": "crossEntropy"},  # softmax
    ],
)
def test_a_challenges_accuracy_counts_the_class_the_network_gives(config):
    async def go():
        session = await Session.create(Settings(engine_workers=0), Offload(1), config)
        await session.request_steps(100)
        session.train_here(100)
        return session.snapshot

    snap = asyncio.run(go())
    outputs = snap.network().forward(snap.test_points[:, :2])
    if outputs.shape[1] == 1:  # sigmoid: class 1 from 1/2 up
        right = (outputs[:, 0] >= 0.5) == (snap.test_points[:, 2] > 0)
    else:
        right = outputs.argmax(axis=1) == snap.test_points[:, 2]
    assert accuracy(snap) == right.mean() > 0.9
