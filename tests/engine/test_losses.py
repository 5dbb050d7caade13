"""Losses and softmax: central differences over every loss x output activation x regulariser, and
softmax / cross-entropy against a reference written here independently, per sample in plain
Python, with values worked by hand."""

import math

import numpy as np
import pytest

from engine import REGULARIZERS, Network
from engine.activations import ACTIVATIONS
from engine.losses import LOSSES, check_output
from engine.state import TrainingState
from engine.training import Trainer

# Every loss with every output activation it takes, and the widths that make sense for it.
PAIRS = [
    (loss, output, n_out)
    for loss, entry in LOSSES.items()
    for output in entry.outputs
    for n_out in (1, 3)
    if not (output == "softmax" and n_out == 1)
]


def reference_loss(out, t, loss, output="softmax"):
    """E of one sample from scratch: lists of floats."""
    pairs = list(zip(out, t, strict=True))
    if loss == "squared":
        return 0.5 * sum((o - y) ** 2 for o, y in pairs)
    if output == "sigmoid":
        return -sum(y * math.log(o) + (1 - y) * math.log(1 - o) for o, y in pairs)
    return -sum(y * math.log(o) for o, y in pairs)


def reference_softmax(z):
    top = max(z)
    e = [math.exp(v - top) for v in z]
    return [v / sum(e) for v in e]


def objective(net, X, Y, loss, regularization, rate):
    out, output = net.forward(X), net.output_activation
    data = np.mean(
        [reference_loss(o, y, loss, output) for o, y in zip(out.tolist(), Y.tolist(), strict=True)]
    )
    penalty = sum(REGULARIZERS[regularization].penalty(W).sum() for W in net.weights)
    return data + rate * penalty


def problem(shape, activation, output, loss, seed):
    rng = np.random.default_rng(seed)
    net = Network(shape, activation, output)
    net.params[:] = rng.uniform(-1, 1, net.params.size)
    X = rng.uniform(-2, 2, (6, shape[0]))
    n_out = shape[-1]
    if output == "softmax":
        Y = np.eye(n_out)[rng.integers(0, n_out, 6)]
    elif loss == "crossEntropy":
        Y = rng.uniform(0, 1, (6, n_out))  # a probability each, as the lecture's 0.01 and 0.99
    else:
        Y = rng.uniform(-1, 1, (6, n_out))
    Z_out = net.layer_outputs(X.T)[0][-1]
    net.biases[-1][:] += 0.2 - np.minimum(Z_out.min(axis=1), 0.0)  # a relu output stays alive
    return net, X, Y


@pytest.mark.parametrize("regularization", list(REGULARIZERS))
@pytest.mark.parametrize(("loss", "output", "n_out"), PAIRS, ids=lambda p: str(p))
@pytest.mark.parametrize("activation", list(ACTIVATIONS))
def test_every_loss_and_output_against_central_differences(
    activation, loss, output, n_out, regularization
):
    net, X, Y = problem([3, 4, n_out], activation, output, loss, seed=n_out + len(loss))
    rate = 0.0 if regularization == "none" else 0.03
    analytic = net.flat(*net.gradients(X, Y, regularization, rate, loss))
    params, h = net.packed(), 1e-6
    numeric = np.empty_like(params)
    for k in range(params.size):
        keep = params[k]
        params[k] = keep + h
        up = objective(net, X, Y, loss, regularization, rate)
        params[k] = keep - h
        down = objective(net, X, Y, loss, regularization, rate)
        params[k] = keep
        numeric[k] = (up - down) / (2 * h)
    assert np.count_nonzero(analytic) > analytic.size // 2
    np.testing.assert_allclose(analytic, numeric, rtol=1e-5, atol=1e-8)


@pytest.mark.parametrize("stacked", [False, True], ids=["alone", "stacked"])
@pytest.mark.parametrize(("loss", "output", "n_out"), PAIRS, ids=lambda p: str(p))
def test_the_trainers_fused_step_is_the_chain_rules(loss, output, n_out, stacked):
    """The trainer computes dE/dnet = out - t for cross-entropy at once and applies softmax's
    Jacobian under the squared error; its full-batch step is theta - lr * the written-out chain
    rule of `Network.gradients`, alone and as the middle row of a stack."""
    net, X, Y = problem([3, 5, n_out], "tanh", output, loss, seed=7)
    expected = net.params - 0.1 * net.flat(*net.gradients(X, Y, loss=loss))
    if not stacked:
        Trainer(net, X.T, Y.T, len(X), loss=loss).epoch(0.1)
        got = net.params
    else:
        a, Xa, Ya = problem([3, 5, n_out], "tanh", output, loss, seed=8)
        b, Xb, Yb = problem([3, 5, n_out], "tanh", output, loss, seed=9)
        trainer = Trainer(
            net,
            np.stack([Xa.T, X.T, Xb.T]),
            np.stack([Ya.T, Y.T, Yb.T]),
            len(X),
            state=TrainingState.stack([TrainingState.of(n) for n in (a, net, b)]),
            loss=loss,
        )
        trainer.train([1, 1, 1], [0.3, 0.1, 0.05])
        got = trainer.state.params[1]
    np.testing.assert_allclose(got, expected, rtol=1e-10, atol=1e-13)


def test_softmax_and_cross_entropy_by_hand():
    """Logits (1, 2, 3): softmax = e^z / sum e^z = (0.0900306, 0.2447285, 0.6652410); with target
    class 2, E = -ln 0.6652410 = 0.4076060 and dE/dz = out - t = (0.0900, 0.2447, -0.3348)."""
    net = Network([1, 3], "tanh", "softmax")
    net.weights[0] = np.array([[0.0], [0.0], [0.0]])
    net.biases[0] = np.array([1.0, 2.0, 3.0])
    out = net.forward(np.array([[0.5]]))[0]
    np.testing.assert_allclose(out, [0.09003057, 0.24472847, 0.66524096], atol=5e-9)
    np.testing.assert_allclose(out, reference_softmax([1.0, 2.0, 3.0]), rtol=1e-15)
    t = np.array([0.0, 0.0, 1.0])
    assert LOSSES["crossEntropy"].point_sum(out[:, None], t[:, None])[0] == pytest.approx(
        0.40760596, abs=1e-8
    )
    _, db = net.gradients(np.array([[0.5]]), t[None], loss="crossEntropy")
    np.testing.assert_allclose(db[0], [0.09003057, 0.24472847, -0.33475904], atol=5e-9)
    # Softmax under the squared error: dE/dz_j = a_j ((a_j - t_j) - sum_k (a_k - t_k) a_k).
    a = reference_softmax([1.0, 2.0, 3.0])
    inner = sum((ak - tk) * ak for ak, tk in zip(a, t, strict=True))
    by_hand = [aj * ((aj - tj) - inner) for aj, tj in zip(a, t, strict=True)]
    _, db = net.gradients(np.array([[0.5]]), t[None], loss="squared")
    np.testing.assert_allclose(db[0], by_hand, rtol=1e-12)


def test_binary_cross_entropy_by_hand():
    """One sigmoid output, net 0.5: out = 0.6224593; target 1: E = -ln 0.6224593 = 0.4740770,
    target 0: E = -ln(1 - 0.6224593) = 0.9740770; dE/dnet = out - t."""
    net = Network([1, 1], "tanh", "sigmoid")
    net.weights[0] = np.array([[0.0]])
    net.biases[0] = np.array([0.5])
    out = net.forward(np.array([[1.0]]))
    assert out[0, 0] == pytest.approx(0.62245933, abs=1e-8)
    E = LOSSES["crossEntropy"].point_sum(out.T, np.array([[1.0]]), "sigmoid")[0]
    assert math.isclose(E, 0.47407698, abs_tol=1e-8)
    E = LOSSES["crossEntropy"].point_sum(out.T, np.array([[0.0]]), "sigmoid")[0]
    assert math.isclose(E, 0.97407698, abs_tol=1e-8)
    _, db = net.gradients(np.array([[1.0]]), np.array([[0.0]]), loss="crossEntropy")
    assert db[0][0] == pytest.approx(0.62245933, abs=1e-8)


def test_trainer_reports_the_mean_loss_of_the_reference():
    net, X, Y = problem([3, 4, 3], "relu", "softmax", "crossEntropy", seed=3)
    trainer = Trainer(net, X.T, Y.T, 2, loss="crossEntropy", n_train=4)
    ((train, test, ok),) = trainer.measure()
    out = net.forward(X).tolist()
    expect = [reference_loss(o, y, "crossEntropy") for o, y in zip(out, Y.tolist(), strict=True)]
    assert ok
    assert train == pytest.approx(sum(expect[:4]) / 4, rel=1e-13)
    assert test == pytest.approx(sum(expect[4:]) / 2, rel=1e-13)


def test_a_saturated_output_gives_a_large_finite_loss():
    net = Network([1, 2], "tanh", "softmax")
    net.biases[0] = np.array([0.0, 800.0])  # out = (0, 1) exactly
    trainer = Trainer(
        net, np.ones((1, 2)), np.array([[1.0, 1.0], [0.0, 0.0]]), 1, loss="crossEntropy"
    )
    ((train, _, ok),) = trainer.measure()
    assert ok and train == pytest.approx(-math.log(1e-15))


def test_a_loss_takes_only_the_outputs_it_can_train():
    with pytest.raises(ValueError, match="output_activation: 'tanh'"):
        check_output("crossEntropy", "tanh", 1)
    with pytest.raises(ValueError, match="loss: 'hinge'"):
        check_output("hinge", "tanh", 1)
    with pytest.raises(ValueError, match="loss"):
        Network([2, 1], "tanh", "tanh").gradients(np.zeros((1, 2)), np.zeros((1, 1)), loss="L9")
