"""Backprop against central differences, the lecture's worked example and the classic example."""

import numpy as np
import pytest

from engine import ACTIVATIONS, REGULARIZERS, Network
from engine.state import TrainingState
from engine.training import Trainer

SHAPES = [[2, 1], [2, 3, 1], [3, 4, 2], [7, 8, 8, 1], [2, 5, 3, 4, 2]]


def objective(net, X, Y, regularization, rate):
    """J = mean over samples of 1/2 sum (out - y)^2 + rate * sum R(w)."""
    out = net.forward(X)
    penalty = sum(REGULARIZERS[regularization].penalty(W).sum() for W in net.weights)
    return 0.5 * np.mean(np.sum((out - Y) ** 2, axis=1)) + rate * penalty


def numeric_gradient(net, X, Y, regularization, rate, h=1e-6):
    params = net.packed()
    grad = np.empty_like(params)
    for k in range(params.size):
        keep = params[k]
        params[k] = keep + h
        up = objective(net, X, Y, regularization, rate)
        params[k] = keep - h
        down = objective(net, X, Y, regularization, rate)
        params[k] = keep
        grad[k] = (up - down) / (2 * h)
    return grad


def random_network(shape, activation, output_activation, seed):
    rng = np.random.default_rng(seed)
    net = Network(shape, activation, output_activation)
    net.params[:] = rng.uniform(-1, 1, net.params.size)
    X = rng.uniform(-2, 2, (7, shape[0]))
    Y = rng.uniform(-1, 1, (7, shape[-1]))
    # shift the output biases so every output net input is > 0.2: a relu output stays alive
    Z_out = net.layer_outputs(X.T)[0][-1]
    net.biases[-1][:] += 0.2 - np.minimum(Z_out.min(axis=1), 0.0)
    return net, X, Y


@pytest.mark.parametrize("shape", SHAPES, ids=lambda s: "x".join(map(str, s)))
@pytest.mark.parametrize("regularization", list(REGULARIZERS))
@pytest.mark.parametrize("output_activation", list(ACTIVATIONS))
@pytest.mark.parametrize("activation", list(ACTIVATIONS))
def test_gradient_matches_central_difference(activation, output_activation, regularization, shape):
    net, X, Y = random_network(shape, activation, output_activation, seed=len(shape))
    rate = 0.0 if regularization == "none" else 0.03
    analytic = net.flat(*net.gradients(X, Y, regularization, rate))
    numeric = numeric_gradient(net, X, Y, regularization, rate)
    scale = np.abs(analytic) + np.abs(numeric)
    assert np.count_nonzero(analytic) > analytic.size // 2
    assert np.linalg.norm(analytic - numeric) / np.linalg.norm(scale) < 1e-6
    np.testing.assert_allclose(analytic, numeric, rtol=1e-6, atol=1e-9)


@pytest.mark.parametrize("output_activation", list(ACTIVATIONS))
@pytest.mark.parametrize("activation", list(ACTIVATIONS))
def test_training_kernel_steps_along_the_same_gradient(activation, output_activation):
    """The trainer's fast mini-batch pass: one full-batch update is theta - lr * gradient."""
    net, X, Y = random_network([3, 5, 4, 2], activation, output_activation, seed=3)
    before = net.params.copy()
    expected = before - 0.1 * net.flat(*net.gradients(X, Y))
    Trainer(net, X.T, Y.T, batch_size=len(X)).epoch(learning_rate=0.1)
    np.testing.assert_allclose(net.params, expected, rtol=1e-12, atol=1e-15)


def one_update(net, X, Y, regularization, rate, lr, stacked):
    """One full-batch update by the fast trainer: of `net` alone, or of `net` as the middle row
    of a stack of three whose other rows have their own parameters, data and rates."""
    if not stacked:
        Trainer(net, X.T, Y.T, len(X), regularization, rate).epoch(lr)
        return net.params, net.dead_mask
    shape, names = net.layer_sizes, (net.activation, net.output_activation)
    (a, Xa, Ya), (b, Xb, Yb) = (random_network(shape, *names, seed=s) for s in (7, 8))
    trainer = Trainer(
        net,
        np.stack([Xa.T, X.T, Xb.T]),
        np.stack([Ya.T, Y.T, Yb.T]),
        len(X),
        regularization,
        state=TrainingState.stack([TrainingState.of(n) for n in (a, net, b)]),
    )
    trainer.train([1, 1, 1], [3 * lr, lr, lr / 2], [2 * rate, rate, rate / 3])
    return trainer.state.params[1], trainer.state.dead[1]


@pytest.mark.parametrize("stacked", [False, True], ids=["alone", "stacked"])
@pytest.mark.parametrize("regularization", list(REGULARIZERS))
@pytest.mark.parametrize("output_activation", list(ACTIVATIONS))
@pytest.mark.parametrize("activation", list(ACTIVATIONS))
def test_an_update_is_the_reference_gradient_step(
    activation, output_activation, regularization, stacked
):
    """The fast trainer's update, alone or in a stack, is theta - lr * `Network.gradients` with
    the regulariser's term; a weight whose L1 step crosses zero is 0 and its link dies."""
    net, X, Y = random_network([3, 5, 4, 2], activation, output_activation, seed=3)
    lr, rate = 0.1, 0.0 if regularization == "none" else 0.2
    before = net.params.copy()
    mid = before - lr * net.flat(*net.gradients(X, Y))  # the data's step alone
    if regularization == "L1":  # just large enough that the weights nearest zero cross it
        turns = ~net.is_bias & (np.sign(mid) == np.sign(before))
        rate = 1.5 * np.abs(mid[turns]).min() / lr
    expected = before - lr * net.flat(*net.gradients(X, Y, regularization, rate))
    dies = (mid * expected < 0) if regularization == "L1" else np.zeros(before.shape, bool)
    expected[dies] = 0.0
    params, dead = one_update(net, X, Y, regularization, rate, lr, stacked)
    np.testing.assert_allclose(params, expected, rtol=1e-12, atol=1e-15)
    assert (dead == dies).all()
    assert dies.any() == (regularization == "L1")


def lecture_network(b3=0.048694033, b4=0.093878596):
    """The lecture's 2-2-2 sigmoid network with the spec's consistent full weight set."""
    net = Network([2, 2, 2], "sigmoid", "sigmoid")
    net.weights[0] = np.array([[0.15, 0.20], [0.25, 0.30]])  # w1 w2 / w3 w4
    net.weights[1] = np.array([[0.40, 0.45], [0.50, 0.55]])  # w5 w6 / w7 w8
    net.biases[0] = np.array([0.35, 0.35])
    net.biases[1] = np.array([b3, b4])
    return net, np.array([[0.05, 0.10]]), np.array([[0.01, 0.99]])


def test_lecture_example_with_the_lectures_error():
    """The lecture's E has no one-half, so its gradients are twice ours."""
    net, X, Y = lecture_network()
    out = net.forward(X)[0]
    assert out == pytest.approx([0.6352, 0.6723], abs=5e-5)
    dW, _ = net.gradients(X, Y)
    assert 2 * dW[1][0, 0] == pytest.approx(0.1718965, abs=5e-8)  # dE/dw5
    assert 2 * dW[0][0, 0] == pytest.approx(5.5401e-04, abs=5e-9)  # dE/dw1
    assert round(2 * dW[1][0, 0], 4) == 0.1719  # the lecture's printed value


def test_classic_example_and_one_update():
    net, X, Y = lecture_network(b3=0.60, b4=0.60)
    out = net.forward(X)[0]
    assert out == pytest.approx([0.75136507, 0.772928465], abs=1e-9)
    assert 0.5 * np.sum((out - Y[0]) ** 2) == pytest.approx(0.298371109, abs=1e-9)
    dW, _ = net.gradients(X, Y)
    assert dW[1][0, 0] == pytest.approx(0.082167041, abs=1e-9)
    assert dW[0][0, 0] == pytest.approx(0.000438568, abs=1e-9)
    trainer = Trainer(net, X.T, Y.T, batch_size=1)
    trainer.epoch(learning_rate=0.5)
    assert net.weights[1][0, 0] == pytest.approx(0.35891648, abs=1e-8)
    assert net.weights[0][0, 0] == pytest.approx(0.149780716, abs=1e-9)


def test_gradients_validate_their_inputs():
    net = Network([2, 3, 1])
    with pytest.raises(ValueError, match="X: .*shape \\(n_samples, 2\\)"):
        net.gradients(np.zeros((4, 3)), np.zeros((4, 1)))
    with pytest.raises(ValueError, match="regularization: 'L3'"):
        net.gradients(np.zeros((4, 2)), np.zeros((4, 1)), "L3", 0.1)
    with pytest.raises(ValueError, match="Y: "):
        net.gradients(np.zeros((4, 2)), np.zeros((3, 1)))
