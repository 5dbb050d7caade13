"""Training exactly as the original: batches, leftovers, regularisation, dead links, divergence."""

import numpy as np
import pytest

from engine import Network, Run
from engine.training import Trainer

DEFAULT_LINK = (
    "#activation=tanh&batchSize=10&dataset=circle&regDataset=reg-plane&learningRate=0.03&"
    "regularizationRate=0&noise=0&networkShape=4,2&seed=0.12345&showTestData=false&"
    "discretize=false&percTrainData=50&x=true&y=true&xTimesY=false&xSquared=false&"
    "ySquared=false&cosX=false&sinX=false&cosY=false&sinY=false&collectStats=false&"
    "problem=classification&initZero=false&hideText=false"
)


def test_seed_0_12345_matches_the_original():
    run = Run.from_hash(DEFAULT_LINK)
    assert run.train_points[0].tolist() == [4.618077316847547, -1.8354395887379444, -1.0]
    assert run.network.n_weights == 18
    first = run.network.weights[0].ravel()[:4]
    np.testing.assert_allclose(
        first, [0.151190120454, 0.339542244844, 0.334641918778, -0.065765966974], atol=1e-12
    )
    assert run.epoch == 0
    assert run.train_loss == pytest.approx(0.5015807430, abs=1e-10)
    assert run.test_loss == pytest.approx(0.5181059111, abs=1e-10)
    assert all(b.tolist() == [0.1] * len(b) for b in run.network.biases)


@pytest.mark.parametrize("seed", ["0.11111", "0.22222", "0.33333"])
def test_default_setup_learns_the_circle_by_epoch_300(seed):
    run = Run.from_config({"seed": seed})
    rows = run.step(300)
    assert rows.shape == (300, 3)
    assert rows[-1, 0] == 300 == run.epoch
    assert run.test_loss < 0.02
    assert rows[-1, 2] == run.test_loss


def small_problem(n_points, seed=0, activation="tanh", output="tanh"):
    rng = np.random.default_rng(seed)
    net = Network([2, 3, 2, 1], activation, output)
    net.params[:] = rng.uniform(-0.5, 0.5, net.params.size)
    X = rng.uniform(-3, 3, (n_points, 2))
    Y = np.where(X[:, :1] * X[:, 1:] > 0, 1.0, -1.0)
    return net, X, Y


@pytest.mark.parametrize(
    ("n_points", "batch_size", "activation", "regularization", "rate", "lr"),
    [
        (250, 30, "tanh", "none", 0.0, 0.03),  # 8 updates, 10 points carried over
        (50, 1, "relu", "L2", 0.01, 0.03),  # stochastic gradient descent
        (47, 47, "sigmoid", "none", 0.0, 0.3),  # batch gradient descent
        (60, 7, "tanh", "L1", 0.03, 0.1),  # L1 kills links on the way
        (30, 40, "linear", "L2", 0.1, 0.01),  # batch larger than the data: never updates
    ],
)
def test_matches_the_originals_per_sample_loop(
    original_loop, n_points, batch_size, activation, regularization, rate, lr
):
    net, X, Y = small_problem(n_points, activation=activation)
    loop = original_loop(net, batch_size, regularization, rate)
    trainer = Trainer(net, X.T, Y.T, batch_size, regularization, rate)
    for _ in range(4):
        trainer.epoch(lr)
        loop.epoch(X.tolist(), Y.tolist(), lr)
    weights, biases, dead = loop.arrays()
    for l in range(3):
        np.testing.assert_allclose(net.weights[l], weights[l], rtol=1e-12, atol=1e-14)
        np.testing.assert_allclose(net.biases[l], biases[l], rtol=1e-12, atol=1e-14)
        assert (net.dead[l] == dead[l]).all()
    if regularization == "L1":
        assert any(d.any() for d in dead)


def test_leftover_points_join_the_next_epochs_first_update():
    """40 points, batch 30: epoch 1 updates on points 0..29 and carries 30..39; epoch 2's first
    update is the mean over all 40 points at the weights epoch 1 left."""
    net, X, Y = small_problem(40)
    lr = 0.1
    start = net.params.copy()
    g_first = net.flat(*net.gradients(X[:30], Y[:30]))
    trainer = Trainer(net, X.T, Y.T, batch_size=30)
    trainer.epoch(lr)
    np.testing.assert_allclose(net.params, start - lr * g_first, rtol=1e-13)
    after_one = net.params.copy()
    g_all = net.flat(*net.gradients(X, Y))
    trainer.epoch(lr)
    np.testing.assert_allclose(net.params, after_one - lr * g_all, rtol=1e-13)


def test_l1_kills_links_and_they_stay_dead():
    run = Run.from_config(
        {"seed": "0.4", "regularization": "L1", "regularizationRate": 0.03, "learningRate": 0.1}
    )
    run.step(30)
    net = run.network
    dead = [d.copy() for d in net.dead]
    assert sum(int(d.sum()) for d in dead) > 0
    for W, d in zip(net.weights, dead, strict=True):
        assert (W[d] == 0.0).all()
    run.step(30)
    for W, d, now in zip(net.weights, dead, net.dead, strict=True):
        assert now[d].all()  # still dead
        assert (W[d] == 0.0).all()
    # a user edit gives a dead link a value; it keeps it and stays dead (not trained)
    layer = next(l for l, d in enumerate(net.dead) if d.any())
    to, frm = map(int, np.argwhere(net.dead[layer])[0])
    run.set_weight(layer, to, frm, 0.7)
    run.step(10)
    assert net.weights[layer][to, frm] == 0.7 and net.dead[layer][to, frm]


@pytest.mark.parametrize("regularization", ["L1", "L2"])
def test_regulariser_applies_to_weights_once_per_update_never_to_biases(regularization):
    net, X, Y = small_problem(20)
    lr, rate = 0.05, 0.5
    weight = ~net.is_bias
    w_old = net.params[weight]
    b_old = net.params[net.is_bias]
    g = net.flat(*net.gradients(X, Y))
    Trainer(net, X.T, Y.T, 20, regularization, rate).epoch(lr)  # one update of 20 points
    r = np.sign(w_old) if regularization == "L1" else w_old
    expected = w_old - lr * g[weight] - lr * rate * r
    if regularization == "L1":
        crossed = (w_old - lr * g[weight]) * expected < 0
        expected[crossed] = 0.0
        assert (net.dead_mask[weight] == crossed).all()
    else:
        assert not net.dead_mask.any()
    assert not net.dead_mask[net.is_bias].any()
    np.testing.assert_allclose(net.params[weight], expected, rtol=1e-13, atol=1e-16)
    np.testing.assert_allclose(net.params[net.is_bias], b_old - lr * g[net.is_bias], rtol=1e-13)


def test_learning_rate_changes_without_reset():
    run = Run.from_config({"seed": "0.7"})
    run.step(5)
    params = run.network.params.copy()
    assert run.update({"learningRate": 0.3}) == "learningRate"
    assert run.epoch == 5 and (run.network.params == params).all()
    run.step(1)
    assert run.epoch == 6


def test_diverged_run_stops_training_without_raising():
    run = Run.from_config(
        {"seed": "0.9", "problem": "regression", "activation": "linear", "learningRate": 10}
    )
    rows = run.step(200)
    assert run.diverged
    assert 0 < len(rows) < 200
    assert not np.isfinite(rows[-1, 1:]).all()
    epoch = run.epoch
    assert run.step(5).shape == (0, 3)
    assert run.epoch == epoch
    run.reset()
    assert not run.diverged and run.epoch == 0


def test_step_zero_and_bad_counts():
    run = Run.from_config({"seed": "0.1"})
    assert run.step(0).shape == (0, 3)
    for bad in (-1, 1.5, "3", True):
        with pytest.raises(ValueError, match="^n: "):
            run.step(bad)
