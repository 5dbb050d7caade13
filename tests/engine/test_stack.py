"""Sessions trained together in a stack end bit for bit where each would alone."""

import pickle
from dataclasses import fields, replace

import numpy as np
import pytest

from engine import Run
from engine.grid import GridEvaluator
from engine.remote import (
    MAX_STACK,
    TrainerCache,
    stack_groups,
    train_job,
    train_jobs,
    train_stacked,
)
from engine.state import TrainingState

# Each family shares a structure; its members differ in seed, data, learning rate, regularisation
# rate, history (carried points, dead links) and in how many epochs they are asked for.
FAMILIES = {
    "default": [
        {"seed": "0.1"},
        {"seed": "0.2", "learningRate": 0.3},
        {"seed": "0.3", "dataset": "xor", "learningRate": 0.01},
        {"seed": "0.4", "dataset": "spiral", "noise": 30},
        {"seed": "0.5", "dataset": "gauss"},
    ],
    "leftovers": [  # 250 training points in batches of 30: 10 are carried into the next epoch
        {"seed": str(s), "batchSize": 30, "networkShape": [5, 3], "learningRate": lr}
        for s, lr in (("0.6", 0.03), ("0.7", 0.1), ("0.8", 0.3))
    ],
    "l1": [
        {
            "seed": str(s),
            "regularization": "L1",
            "regularizationRate": rate,
            "learningRate": 0.1,
            "batchSize": 7,
        }
        for s, rate in (("0.9", 0.03), ("0.11", 0.01), ("0.12", 0.1))
    ],
    "l2_regression_relu": [
        {
            "seed": str(s),
            "problem": "regression",
            "regularization": "L2",
            "regularizationRate": rate,
            "activation": "relu",
            "xSquared": True,
            "regDataset": dataset,
        }
        for s, rate, dataset in (("0.13", 0.01, "reg-plane"), ("0.14", 0.003, "reg-gauss"))
    ],
    "sigmoid_one_by_one": [
        {"seed": s, "activation": "sigmoid", "batchSize": 1, "networkShape": [3]}
        for s in ("0.15", "0.16")
    ],
    "linear_deep": [
        {"seed": s, "activation": "linear", "networkShape": [8, 8, 6, 2], "x": False}
        for s in ("0.17", "0.18")
    ],
    "three_classes_adam": [  # softmax pictures: a class and how sure, per cell
        {"seed": s, "classes": 3, "dataset": "spiral", "optimizer": "adam", "learningRate": 0.01}
        for s in ("0.23", "0.24")
    ],
    "other_inputs": [  # one structure, two sets of inputs: pictures drawn one by one
        {"seed": "0.25", "x": True, "y": True},
        {"seed": "0.26", "x": False, "y": False, "xSquared": True, "ySquared": True},
    ],
    "one_diverges": [  # the second blows up; the first must not notice
        {"seed": "0.19", "activation": "relu", "problem": "regression", "learningRate": 0.01},
        {"seed": "0.21", "activation": "relu", "problem": "regression", "learningRate": 10},
        {"seed": "0.22", "activation": "relu", "problem": "regression", "learningRate": 0.03},
    ],
}
EPOCHS = [9, 12, 7, 12, 10]
ROUNDS = 3


def with_data(data) -> TrainerCache:
    """A worker's cache that has been sent these sessions' data (and keeps no trainers)."""
    cache = TrainerCache(0)
    for d in data:
        cache.add_data(d)
    return cache


def same_result(a, b) -> None:
    assert (a.epoch, a.n, a.diverged, int(a.state.carry_count[0])) == (
        b.epoch,
        b.n,
        b.diverged,
        int(b.state.carry_count[0]),
    )
    for name in ("params", "dead", "losses"):
        got = getattr(a, name) if name == "losses" else getattr(a.state, name)
        want = getattr(b, name) if name == "losses" else getattr(b.state, name)
        assert got.shape == want.shape, name
        assert got.tobytes() == want.tobytes(), name  # bit for bit, NaN and -0.0 included
    if a.state.carry_count[0]:
        assert a.state.carry.tobytes() == b.state.carry.tobytes()
    assert len(a.grids) == len(b.grids)
    for g, h in zip(a.grids, b.grids, strict=True):
        assert bytes(g) == bytes(h)
    assert (a.metrics is None) == (b.metrics is None)
    if a.metrics is not None:
        assert a.metrics.classes == b.metrics.classes
        if a.metrics.classes:
            assert a.metrics.confusion.dtype == b.metrics.confusion.dtype
            np.testing.assert_array_equal(a.metrics.confusion, b.metrics.confusion)
        else:
            np.testing.assert_array_equal(a.metrics.r2, b.metrics.r2)


@pytest.mark.parametrize("family", list(FAMILIES))
def test_a_stack_trains_each_session_as_it_would_alone(family):
    alone = [Run.from_config(c) for c in FAMILIES[family]]
    stacked = [Run.from_config(c) for c in FAMILIES[family]]
    for round_ in range(ROUNDS):
        epochs = [EPOCHS[(i + round_) % len(EPOCHS)] for i in range(len(alone))]
        jobs = [r.training_job(n, (20, 8)) for r, n in zip(stacked, epochs, strict=True)]
        live = [i for i, job in enumerate(jobs) if job is not None]
        data = [stacked[i].training_data() for i in live]
        results = train_stacked([jobs[i] for i in live], data, GridEvaluator())
        for i, result in zip(live, results, strict=True):
            assert result.token == jobs[i].token
            assert result.stack == len(live)
            expected = train_job(
                alone[i].training_job(epochs[i], (20, 8)), alone[i].training_data()
            )
            same_result(result, expected)
            np.testing.assert_array_equal(
                stacked[i].apply_training(result), alone[i].apply_training(expected)
            )
    if family == "leftovers":
        assert all(r._trainer.state.carry_count[0] == 10 for r in stacked)
    if family == "l1":
        assert any(r.network.dead_mask.any() for r in stacked)
    if family == "one_diverges":
        assert [r.diverged for r in stacked] == [False, True, False]


def test_train_jobs_groups_by_structure_and_keeps_the_order():
    configs = [c for family in FAMILIES.values() for c in family[:2]]
    runs = [Run.from_config(c) for c in configs]
    jobs = [r.training_job(5, (20, 8)) for r in runs]
    data = [r.training_data() for r in runs]
    cache = with_data(data)
    jobs.insert(3, None)  # not a job: its own error, nobody else's
    data.insert(3, None)
    results = train_jobs(jobs, cache)
    assert isinstance(results[3], str)
    for job, d, result in zip(jobs, data, results, strict=True):
        if job is not None:
            same_result(result, train_job(job, d))


def test_groups_share_a_structure_and_close_epoch_counts():
    base = Run.from_config({"seed": "0.1"})
    other = Run.from_config({"seed": "0.2", "networkShape": [3]})
    no_reg = Run.from_config({"seed": "0.3", "regularization": "L2", "regularizationRate": 0})
    jobs = [base.training_job(n) for n in (40, 30, 5, 21)]
    jobs += [other.training_job(40), no_reg.training_job(40)]
    groups = stack_groups(jobs)
    # A zero rate trains as "none" does, so that session joins the default ones.
    assert sorted(map(sorted, groups)) == [[0, 1, 3, 5], [2], [4]]
    many = stack_groups([base.training_job(3)] * (MAX_STACK + 1))
    assert sorted(map(len, many)) == [1, MAX_STACK]


def test_a_stack_with_a_bad_job_still_trains_the_good_ones():
    good, other = Run.from_config({"seed": "0.1"}), Run.from_config({"seed": "0.2"})
    job = other.training_job(3)
    bad = replace(job, state=replace(job.state, params=np.zeros((1, 5))))  # no stack takes it
    cache = with_data([good.training_data(), other.training_data()])
    results = train_jobs([good.training_job(3), bad], cache)
    same_result(results[0], train_job(good.training_job(3), good.training_data()))
    assert isinstance(results[1], str) and "shape" in results[1]


def test_a_job_for_other_epochs_is_the_same_job_but_for_its_epochs():
    job = Run.from_hash("seed=0.5").training_job(3, (10, 4))
    other = job.for_epochs(7)
    assert other.n == 7 and job.n == 3
    want = vars(replace(job, n=7))
    assert vars(other).keys() == want.keys() and other.state is job.state
    assert all(vars(other)[k] == v for k, v in want.items() if k != "state")


def test_the_training_states_names_are_its_fields_in_order():
    assert tuple(f.name for f in fields(TrainingState)) == TrainingState.NAMES


@pytest.mark.parametrize("rows, slots", [(1, 0), (3, 2)])
def test_a_state_travels_between_processes_whole_and_writable(rows, slots):
    state = TrainingState.zeros(rows, 11, slots)
    rng = np.random.default_rng(rows)
    state.params[:] = rng.normal(size=state.params.shape)
    state.params[0, 0] = np.nan
    state.dead[:] = rng.random(state.dead.shape) < 0.5
    state.carry[:] = rng.normal(size=state.carry.shape)
    state.carry_count[:] = np.arange(rows) + 3
    state.moments[:] = rng.normal(size=state.moments.shape)
    state.steps[:] = np.arange(rows) + 7
    back = pickle.loads(pickle.dumps(state, pickle.HIGHEST_PROTOCOL))
    for name in TrainingState.NAMES:
        got, want = getattr(back, name), getattr(state, name)
        assert (got.dtype, got.shape) == (want.dtype, want.shape), name
        assert got.tobytes() == want.tobytes(), name
        assert got.flags.writeable, name


def _same(got, want, where: str) -> None:
    """Equal values, arrays equal in dtype, shape and bytes (NaN included)."""
    if isinstance(want, np.ndarray):
        assert isinstance(got, np.ndarray), where
        assert (got.dtype, got.shape, got.tobytes()) == (want.dtype, want.shape, want.tobytes())
    elif isinstance(want, TrainingState):
        for name in TrainingState.NAMES:
            _same(getattr(got, name), getattr(want, name), f"{where}.{name}")
    elif isinstance(want, tuple) and not hasattr(want, "_fields"):
        assert isinstance(got, tuple) and len(got) == len(want), where
        for k, (g, w) in enumerate(zip(got, want, strict=True)):
            _same(g, w, f"{where}[{k}]")
    elif hasattr(want, "__dataclass_fields__"):
        assert type(got) is type(want), where
        for field in fields(want):
            _same(getattr(got, field.name), getattr(want, field.name), f"{where}.{field.name}")
    else:
        assert got == want, where


@pytest.mark.parametrize(
    "config, sizes, packed_only",
    [
        ({"seed": "0.6"}, (20, 8), False),  # classification: confusion counts, both pictures
        ({"seed": "0.6"}, (20, 8), True),  # the packing without the large picture
        ({"seed": "0.6", "problem": "regression"}, (20, 8), False),  # R² instead
        ({"seed": "0.6"}, (), False),  # no pictures, no metrics
        ({"seed": "0.6", "optimizer": "adam", "learningRate": 0.01}, (20, 8), False),  # moments
        (
            {"seed": "0.5", "activation": "relu", "learningRate": 10, "problem": "regression"},
            (20, 8),
            False,
        ),  # diverges: NaN losses, no pictures
    ],
)
def test_jobs_and_results_cross_the_pipe_field_for_field(config, sizes, packed_only):
    """A job and its result come out of a pickle as they went in: every field, every array's
    dtype, shape and bytes, and the arrays writable."""
    run = Run.from_config(config)
    job = run.training_job(3, sizes, packed_only=packed_only)
    result = train_job(job, run.training_data())
    for sent in (job, result):
        back = pickle.loads(pickle.dumps(sent, pickle.HIGHEST_PROTOCOL))
        _same(back, sent, type(sent).__name__)
        assert all(getattr(back.state, name).flags.writeable for name in TrainingState.NAMES)
    assert result.grids or not sizes or result.diverged


@pytest.mark.parametrize("family", ["default", "three_classes_adam", "other_inputs"])
def test_a_job_that_wants_only_the_packing_gets_the_same_packing_without_the_picture(family):
    runs = [Run.from_config(c) for c in FAMILIES[family]]
    data = [r.training_data() for r in runs]
    full = [r.training_job(4, (20, 8)) for r in runs]
    packed = [r.training_job(4, (20, 8), packed_only=True) for r in runs]
    alone = [train_job(job, d) for job, d in zip(packed, data, strict=True)]
    stacked = train_stacked(packed, data, GridEvaluator())
    for want, *got in zip(train_stacked(full, data, GridEvaluator()), alone, stacked, strict=True):
        for result in got:
            picture, thumbs, wire = result.grids
            assert picture is None and want.grids[0] is not None
            assert thumbs.tobytes() == want.grids[1].tobytes() and wire == want.grids[2]
