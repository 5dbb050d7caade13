"""Training through jobs (packed, trained elsewhere, applied) is bit-identical to Run.step."""

import pickle
import time

import numpy as np
import pytest

import engine.training
from engine import Run
from engine.grid import GridEvaluator
from engine.remote import TrainerCache, build_trainer, train_job
from engine.stack import train_stacked

SETUPS = {
    "default": {"seed": "0.12345"},
    # 250 training points in batches of 30: 10 are carried into the next epoch's first update.
    "leftovers": {"seed": "0.2", "batchSize": 30, "networkShape": [5, 3]},
    "l1_dead_links": {
        "seed": "0.3",
        "regularization": "L1",
        "regularizationRate": 0.03,
        "learningRate": 0.1,
        "batchSize": 7,
    },
    "l2_regression": {
        "seed": "0.4",
        "problem": "regression",
        "regularization": "L2",
        "regularizationRate": 0.01,
        "activation": "relu",
        "xSquared": True,
    },
    "diverges": {"seed": "0.5", "activation": "relu", "learningRate": 10, "problem": "regression"},
}
CHUNKS = [1, 2, 3, 7, 1, 11]  # 25 epochs in uneven jobs


def roundtrip(run, job, cache=None):
    """Train as a worker would: the run's data, the job and its result cross a process boundary
    as pickles; a cache is sent the data once, as a worker is."""
    data = pickle.loads(pickle.dumps(run.training_data()))
    if cache is not None:
        cache.add_data(data)
    result = train_job(pickle.loads(pickle.dumps(job)), data, cache)
    return pickle.loads(pickle.dumps(result))


def assert_same(a: Run, b: Run) -> None:
    assert a.epoch == b.epoch
    assert a.diverged == b.diverged
    np.testing.assert_array_equal(a.network.params, b.network.params)
    np.testing.assert_array_equal(a.network.dead_mask, b.network.dead_mask)
    assert a._trainer.state.carry_count[0] == b._trainer.state.carry_count[0]
    if a._trainer.state.carry_count[0]:
        np.testing.assert_array_equal(a._trainer.state.carry, b._trainer.state.carry)
    assert (a.train_loss, a.test_loss) == (b.train_loss, b.test_loss) or a.diverged


@pytest.mark.parametrize("cached", [False, True])
@pytest.mark.parametrize("name", list(SETUPS))
def test_jobs_train_exactly_like_step(name, cached):
    local, remote = Run.from_config(SETUPS[name]), Run.from_config(SETUPS[name])
    cache = TrainerCache(4) if cached else None
    for n in CHUNKS:
        expected = local.step(n)
        job = remote.training_job(n)
        if job is None:  # diverged: step trains nothing either
            assert remote.diverged and len(expected) == 0
            continue
        got = remote.apply_training(roundtrip(remote, job, cache))
        np.testing.assert_array_equal(got, expected)
        assert_same(local, remote)
    if name == "leftovers":
        assert remote._trainer.state.carry_count[0] == 10
    if name == "l1_dead_links":
        assert remote.network.dead_mask.any()
    if name == "diverges":
        assert remote.diverged and remote.epoch < sum(CHUNKS)


def test_edits_between_jobs_are_carried_by_the_next_job():
    local, remote = Run.from_config(SETUPS["leftovers"]), Run.from_config(SETUPS["leftovers"])
    cache = TrainerCache(4)
    for run in (local, remote):
        run.step(3)
        run.set_weight(0, 1, 0, 0.75)
        run.set_bias(1, 2, -0.5)
    local.step(4)
    remote.apply_training(roundtrip(remote, remote.training_job(4), cache))
    assert_same(local, remote)
    for run in (local, remote):  # new data: a new token, so the cached trainer is not reused
        run.regenerate()
    local.step(5)
    remote.apply_training(roundtrip(remote, remote.training_job(5), cache))
    assert_same(local, remote)
    assert len(cache) == 2


def test_a_stale_result_is_refused():
    run = Run.from_config({"seed": "0.6"})
    result = train_job(run.training_job(3), run.training_data())
    run.step(1)
    with pytest.raises(ValueError, match="changed"):
        run.apply_training(result)
    run.reset()
    with pytest.raises(ValueError, match="changed"):
        other = Run.from_config({"seed": "0.6"})
        run.apply_training(train_job(other.training_job(1), other.training_data()))


def test_the_cache_is_bounded():
    cache = TrainerCache(2)
    for seed in ("0.1", "0.2", "0.3"):
        run = Run.from_config({"seed": seed})
        train_job(run.training_job(1), run.training_data(), cache)
    assert len(cache) == 2


def test_the_cache_keeps_data_until_forgotten_and_trainers_within_its_bytes():
    runs = [Run.from_config({"seed": f"0.{k}", "networkShape": [8, 8, 8]}) for k in range(1, 6)]
    data = [run.training_data() for run in runs]
    one = build_trainer(runs[0].training_job(1), data[0]).nbytes
    cache = TrainerCache(100, max_bytes=sum(d.nbytes for d in data) + int(2.5 * one))
    for run, d in zip(runs, data, strict=True):
        cache.add_data(d)
        train_job(run.training_job(1), d, cache)
        assert cache.nbytes <= cache.max_bytes
    assert len(cache) == 2  # the two most recent trainers; all the data
    assert cache.stats() == {"data": 5, "trainers": 2, "bytes": cache.nbytes}
    cache.forget([d.token for d in data[3:]])
    assert cache.stats() == {"data": 3, "trainers": 0, "bytes": sum(d.nbytes for d in data[:3])}
    cache.forget([d.token for d in data])
    assert cache.stats() == {"data": 0, "trainers": 0, "bytes": 0}
    with pytest.raises(LookupError, match="no data"):
        cache.data(runs[0].training_job(1))


@pytest.mark.parametrize("cached", [False, True])
def test_a_job_draws_the_grids_of_the_state_it_ends_in(cached):
    """The grids a worker sends back are the bytes the server would have computed itself."""
    from engine.grid import pack_pictures, quantise

    config = {"seed": "0.5", "dataset": "spiral", "networkShape": [5, 3], "sinX": True}
    ours, theirs = Run.from_config(config), Run.from_config(config)
    cache = TrainerCache(4) if cached else None
    result = roundtrip(theirs, theirs.training_job(7, (40, 10)), cache)
    theirs.apply_training(result)
    ours.step(7)
    output, thumbs, packed = result.grids
    assert output.dtype == np.uint8 and output.shape == (40, 40)
    assert thumbs.shape == (3 + 5 + 3 + 1, 10, 10)  # x, y, sin x; hidden; output
    assert np.array_equal(output, quantise(ours.node_grids(40)[-1]))
    assert np.array_equal(thumbs, quantise(ours.node_grids(10)))
    assert packed == pack_pictures(output, thumbs)  # packed for the wire in the worker too
    assert roundtrip(ours, ours.training_job(1), cache).grids == ()  # only when asked for


def test_the_data_token_changes_with_the_points_or_the_features_only():
    """A worker keeps a session's points by this token: a new one means sending them again."""
    run = Run.from_config({"seed": "0.1"})
    token = run.training_data().token
    run.update({"networkShape": [3], "activation": "relu", "learningRate": 0.1})
    run.reset()
    run.step(2)
    assert run.training_data().token == token == run.training_job(1).data
    tokens = {token}
    for change in ({"xSquared": True}, {"dataset": "xor"}, {"seed": "0.2"}, None):
        if change is None:
            run.regenerate()
        else:
            run.update(change)
        data = run.training_data()
        assert data.token not in tokens and run.training_job(1).data == data.token
        tokens.add(data.token)
    assert data.A0.shape == (3, 500)  # x, y, x squared


@pytest.mark.parametrize("stacked", [False, True])
def test_a_result_charges_the_time_on_a_core_not_the_time_spent_waiting(monkeypatch, stacked):
    """A worker that waits for a core another process holds must not make its sessions look
    dear: `seconds` is the epochs' processor time, `wall` their real time. Waiting is played
    here by a sleep in every update."""
    real = engine.training.gradient_sum
    naps = []

    def waiting(*args, **kwargs):
        time.sleep(0.001)
        naps.append(0.001)
        return real(*args, **kwargs)

    monkeypatch.setattr(engine.training, "gradient_sum", waiting)
    runs = [Run.from_config({"seed": f"0.{k + 1}"}) for k in range(2 if stacked else 1)]
    jobs = [run.training_job(2) for run in runs]
    data = [run.training_data() for run in runs]
    if stacked:
        results = train_stacked(jobs, data, GridEvaluator())
    else:
        results = [train_job(jobs[0], data[0])]
    slept = sum(naps) / len(results)  # each result's share
    for result in results:
        assert result.wall >= result.seconds + 0.8 * slept, (result.wall, result.seconds, slept)
        assert 0 < result.seconds < 0.5 * slept, (result.seconds, slept)
