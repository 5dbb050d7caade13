"""K-class data sets, networks of K softmax outputs, and the new training rules in stacks: each
session still ends bit for bit where it would alone."""

import numpy as np
import pytest

from engine import ConfigError, Run, SeedRandom
from engine.datasets import MULTICLASS, generate, spiral
from engine.grid import GridEvaluator
from engine.remote import train_job, train_stacked
from engine.task import CLASS_STRIDE, Task


@pytest.mark.parametrize("K", [3, 5, 8])
@pytest.mark.parametrize("name", list(MULTICLASS))
def test_k_class_sets_are_seeded_balanced_and_labelled(name, K):
    train, test = generate(SeedRandom("0.5"), name, 0.0, 50, K)
    points = np.concatenate([train, test])
    assert points.shape == (500, 3) and len(train) == 250
    counts = np.bincount(points[:, 2].astype(int), minlength=K)
    assert len(counts) == K and counts.max() - counts.min() <= (1 if name != "circle" else 40)
    again = generate(SeedRandom("0.5"), name, 0.0, 50, K)
    assert all(a.tobytes() == b.tobytes() for a, b in zip((train, test), again, strict=True))
    other = generate(SeedRandom("0.6"), name, 0.0, 50, K)
    assert other[0].tobytes() != train.tobytes()
    noisy = np.concatenate(generate(SeedRandom("0.5"), name, 0.3, 70, K))
    assert noisy.tobytes() != points.tobytes()
    assert len(generate(SeedRandom("0.5"), name, 0.3, 70, K)[0]) == 350


def test_the_k_arm_spiral_is_the_originals_with_two_arms():
    from engine.datasets import spiral_classes

    mine = spiral_classes(SeedRandom("1"), 500, 0.2, 2)
    original = spiral(SeedRandom("1"), 500, 0.2)
    np.testing.assert_array_equal(mine[:, :2], original[:, :2])
    np.testing.assert_array_equal(mine[:, 2], (original[:, 2] < 0).astype(float))


def test_blobs_sit_around_their_centres_and_rings_by_radius():
    from engine.datasets import circle_classes, gauss_classes

    blobs = gauss_classes(SeedRandom("2"), 600, 0.0, 3)
    for k in range(3):
        centre = blobs[blobs[:, 2] == k, :2].mean(axis=0)
        angle = 2 * np.pi * k / 3
        np.testing.assert_allclose(centre, [3.5 * np.sin(angle), 3.5 * np.cos(angle)], atol=0.2)
    rings = circle_classes(SeedRandom("3"), 600, 0.0, 4)
    radius = np.hypot(rings[:, 0], rings[:, 1])
    np.testing.assert_array_equal(np.floor(radius / 1.25), rings[:, 2])


def test_xor_has_two_classes_only():
    with pytest.raises(ConfigError, match="dataset: 'xor'"):
        Run.from_config({"classes": 3, "dataset": "xor"})


def test_a_k_class_run_has_k_softmax_outputs_and_one_hot_targets():
    run = Run.from_config({"classes": 4, "dataset": "gauss", "seed": "0.7"})
    assert run.network.layer_sizes == [2, 4, 2, 4] and run.network.output_activation == "softmax"
    labels = np.concatenate([run.train_points, run.test_points])[:, 2]
    np.testing.assert_array_equal(run._Y_all.argmax(axis=0), labels)
    assert set(labels.tolist()) == {0.0, 1.0, 2.0, 3.0}
    run.step(30)
    grids = run.node_grids(10)
    assert grids.shape[0] == 2 + 4 + 2 + 4
    np.testing.assert_allclose(grids[-4:].sum(axis=0), 1.0, atol=1e-5)


def test_the_class_picture_codes_class_and_confidence():
    task = Task(3, "crossEntropy")
    p = np.array(
        [[[0.85, 1 / 3], [0.1, 0.2]], [[0.075, 1 / 3], [0.8, 0.3]], [[0.075, 1 / 3], [0.1, 0.5]]]
    )
    picture = task.picture(p)
    assert picture[0, 0] == 0 * CLASS_STRIDE + 23  # (0.85 - 1/3) / (2/3) = 0.775 of 30 levels
    assert picture[0, 1] == 0  # all equal: class 0, no confidence
    assert picture[1, 0] == 1 * CLASS_STRIDE + 21  # 0.7 of 30
    assert picture[1, 1] // CLASS_STRIDE == 2
    p[0, 0, 0] = np.nan
    assert task.picture(p)[0, 0] == 255


def test_binary_cross_entropy_shows_outputs_as_the_original_does():
    run = Run.from_config({"loss": "crossEntropy", "seed": "0.12345"})
    assert run.network.output_activation == "sigmoid"
    assert set(run._Y_all.ravel().tolist()) == {0.0, 1.0}
    run.step(300)
    raw = run.node_grids(12)[-1]
    shown = run.task.shown(run.node_grids(12))[-1]
    np.testing.assert_allclose(shown, 2 * raw - 1, atol=1e-6)
    assert run.metrics().accuracy()[1] > 0.9


STACKS = {
    "softmax_ce_adam": [
        {"seed": s, "classes": 3, "dataset": "spiral", "loss": "crossEntropy", "optimizer": "adam",
         "networkShape": [6, 4], "learningRate": lr, "batchSize": 30}
        for s, lr in (("0.1", 0.01), ("0.2", 0.03), ("0.3", 0.003))
    ],
    "softmax_squared_momentum_l1": [
        {"seed": s, "classes": 4, "dataset": "gauss", "optimizer": "momentum", "momentum": 0.7,
         "regularization": "L1", "regularizationRate": 0.01, "learningRate": lr, "batchSize": 7}
        for s, lr in (("0.4", 0.03), ("0.5", 0.1))
    ],
    "binary_ce_stops": [
        {"seed": s, "loss": "crossEntropy", "learningRate": 0.1, "stopTestLoss": 0.3}
        for s in ("0.6", "0.7", "0.8")
    ],
    "regression_adam_l2": [
        {"seed": s, "problem": "regression", "optimizer": "adam", "regularization": "L2",
         "regularizationRate": 0.003, "learningRate": 0.01}
        for s in ("0.9", "0.11")
    ],
}  # fmt: skip


def same(a, b):
    assert (a.epoch, a.n, a.diverged, len(a.losses)) == (b.epoch, b.n, b.diverged, len(b.losses))
    for name in ("params", "dead", "moments", "steps", "carry", "carry_count"):
        assert getattr(a.state, name).tobytes() == getattr(b.state, name).tobytes(), name
    assert a.losses.tobytes() == b.losses.tobytes()
    assert [bytes(g) for g in a.grids] == [bytes(g) for g in b.grids]
    assert a.metrics.as_dict() == b.metrics.as_dict()


@pytest.mark.parametrize("family", list(STACKS))
def test_new_rules_stack_bit_for_bit(family):
    configs = STACKS[family]
    alone = [Run.from_config(c) for c in configs]
    stacked = [Run.from_config(c) for c in configs]
    for round_ in range(3):
        epochs = [7 + 3 * ((i + round_) % 3) for i in range(len(configs))]
        stops = [c.get("stopTestLoss") for c in configs]
        jobs = [
            r.training_job(n, (20, 8), stop)
            for r, n, stop in zip(stacked, epochs, stops, strict=True)
        ]
        data = [r.training_data() for r in stacked]
        results = train_stacked(jobs, data, GridEvaluator())
        for i, result in enumerate(results):
            job = alone[i].training_job(epochs[i], (20, 8), stops[i])
            expected = train_job(job, alone[i].training_data())
            same(result, expected)
            np.testing.assert_array_equal(
                stacked[i].apply_training(result), alone[i].apply_training(expected)
            )
    if family == "binary_ce_stops":
        assert any(r.stopped for r in stacked)
        for r in stacked:
            assert r.stopped == (r.test_loss <= 0.3)
    if family == "softmax_squared_momentum_l1":
        assert any(r.network.dead_mask.any() for r in stacked)
    # ... and what the stack trained is what `step` trains in the run itself.
    mine = Run.from_config(configs[0])
    mine.step(sum(7 + 3 * (r % 3) for r in range(3)), configs[0].get("stopTestLoss"))
    if not alone[0].stopped:
        assert mine.network.params.tobytes() == alone[0].network.params.tobytes()


def test_a_stop_at_a_test_loss_ends_the_epoch_it_is_reached():
    run = Run.from_config({"seed": "0.12345"})
    rows = Run.from_config({"seed": "0.12345"}).step(200)
    first = int(np.argmax(rows[:, 2] <= 0.2))
    got = run.step(200, stop=0.2)
    assert len(got) == first + 1 and run.stopped and run.epoch == first + 1
    assert got[-1, 2] <= 0.2 < got[-2, 2]
    run.step(3)
    assert not run.stopped
