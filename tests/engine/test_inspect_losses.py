"""The inspector under cross-entropy and softmax: its factors still multiply to the network's own
gradient, its paths still add up, and it writes out the loss it uses."""

import numpy as np
import pytest

from engine.inspect import inspect
from engine.network import Network

CASES = [
    ("crossEntropy", "sigmoid", 1),
    ("crossEntropy", "sigmoid", 2),
    ("crossEntropy", "softmax", 3),
    ("squared", "softmax", 3),
]


def problem(loss, output, n_out):
    rng = np.random.default_rng(n_out)
    net = Network([2, 3, 2, n_out], "tanh", output)
    net.params[:] = rng.uniform(-1, 1, net.params.size)
    X = rng.normal(size=(5, 2))
    Y = (
        np.eye(n_out)[rng.integers(0, n_out, 5)]
        if output == "softmax"
        else rng.uniform(size=(5, n_out))
    )
    return net, X, Y


@pytest.mark.parametrize(("loss", "output", "n_out"), CASES)
@pytest.mark.parametrize("point", [1, "batch"])
def test_factors_multiply_to_the_gradient(loss, output, n_out, point):
    net, X, Y = problem(loss, output, n_out)
    if point != "batch":
        X, Y = X[point : point + 1], Y[point : point + 1]
    dW, db = net.gradients(X, Y, loss=loss)
    for l, W in enumerate(net.weights):
        for j in range(W.shape[0]):
            for i in [None, *range(W.shape[1])]:
                r = inspect(net, X, Y, l, j, i, loss=loss)
                want = db[l][j] if i is None else dW[l][j, i]
                assert r["gradient"] == pytest.approx(want, abs=1e-10, rel=1e-9)
                if point != "batch":
                    assert r["dE_dout"] * r["dout_dnet"] * r["dnet_dw"] == pytest.approx(
                        want, abs=1e-10, rel=1e-9
                    )
                    if "paths" in r:
                        total = sum(p["product"] for p in r["paths"]["shown"])
                        assert total == pytest.approx(want, abs=1e-10, rel=1e-9)


def test_cross_entropy_is_written_out_and_its_output_factor_is_out_minus_t():
    net, X, Y = problem("crossEntropy", "softmax", 3)
    r = inspect(net, X[:1], Y[:1], 2, 1, 0, loss="crossEntropy")
    assert r["loss"] == "E = −Σ t ln out" and r["combined"] and r["dE_dnet_formula"] == "out − t"
    out = r["forward"][-1]["out"][1]
    assert r["dE_dout"] == pytest.approx(out - Y[0, 1]) and r["dout_dnet"] == 1.0
    assert r["error"] == pytest.approx(-np.log(r["forward"][-1]["out"][int(Y[0].argmax())]))
    net, X, Y = problem("crossEntropy", "sigmoid", 1)
    r = inspect(net, X[:1], Y[:1], 2, 0, 1, loss="crossEntropy")
    assert r["loss"] == "E = −[t ln out + (1 − t) ln(1 − out)]"
    assert r["dE_dout_formula"] == "−t / out + (1 − t) / (1 − out)" and not r["combined"]
    out, t = r["forward"][-1]["out"][0], Y[0, 0]
    assert r["dE_dout"] == pytest.approx(-t / out + (1 - t) / (1 - out))
    assert r["dE_dout"] * r["dout_dnet"] == pytest.approx(out - t)
    square = inspect(net, X[:1], Y[:1], 2, 0, 1)
    assert square["loss"] == "E = ½ Σ (t − out)²" and square["loss_name"] == "squared"


def test_a_loss_the_output_cannot_take_is_refused():
    net, X, Y = problem("squared", "softmax", 3)
    with pytest.raises(ValueError, match="output_activation"):
        inspect(Network([2, 1], "tanh", "tanh"), X[:1], Y[:1, :1], 0, 0, 0, loss="crossEntropy")
