"""The chain-rule decomposition agrees with the network's own gradients, layer by layer."""

import math

import numpy as np
import pytest

from engine.inspect import inspect
from engine.network import Network
from engine.random import SeedRandom


@pytest.fixture
def deep():
    net = Network([3, 4, 3, 3, 2], activation="tanh", output_activation="sigmoid")
    net.initialize(SeedRandom("inspect"))
    rng = np.random.default_rng(3)
    for l in range(len(net.weights)):
        net.weights[l] = rng.normal(0, 0.8, net.weights[l].shape)
        net.biases[l] = rng.normal(0, 0.3, net.biases[l].shape)
    X = rng.normal(size=(6, 3))
    Y = rng.uniform(size=(6, 2))
    return net, X, Y


def every_parameter(net):
    for l, W in enumerate(net.weights):
        for j in range(W.shape[0]):
            yield l, j, None
            for i in range(W.shape[1]):
                yield l, j, i


@pytest.mark.parametrize("point", [0, 3, "batch"])
def test_every_parameter_of_every_layer_matches_gradients(deep, point):
    net, X, Y = deep
    if point != "batch":
        X, Y = X[point : point + 1], Y[point : point + 1]
    dW, db = net.gradients(X, Y)
    checked = 0
    for l, j, i in every_parameter(net):
        result = inspect(net, X, Y, l, j, i, learning_rate=0.1)
        expected = db[l][j] if i is None else dW[l][j, i]
        assert result["gradient"] == pytest.approx(expected, abs=1e-9, rel=1e-9)
        assert result["updated"] == pytest.approx(result["value"] - 0.1 * expected, abs=1e-12)
        if point == "batch":
            terms = [p["dE_dw"] for p in result["per_point"]]
            assert np.mean(terms) == pytest.approx(expected, abs=1e-9)
        else:
            product = result["dE_dout"] * result["dout_dnet"] * result["dnet_dw"]
            assert product == pytest.approx(expected, abs=1e-9)
        checked += 1
    assert checked == sum(W.size + W.shape[0] for W in net.weights)


def test_hidden_delta_is_the_sum_over_the_next_layer_and_over_every_path(deep):
    net, X, Y = deep
    x, y = X[:1], Y[:1]
    dW, _ = net.gradients(x, y)
    for l in range(len(net.weights) - 1):
        result = inspect(net, x, y, l, 1, 2)
        assert sum(k["product"] for k in result["next_layer"]) == pytest.approx(
            result["dE_dout"], abs=1e-12
        )
        paths = result["paths"]
        assert paths["count"] == math.prod(W.shape[0] for W in net.weights[l + 1 :])
        assert len(paths["shown"]) == paths["count"]
        total = sum(p["product"] for p in paths["shown"])
        assert total == pytest.approx(dW[l][1, 2], abs=1e-9)


def test_forward_values_are_the_networks(deep):
    net, X, Y = deep
    result = inspect(net, X[:1], Y[:1], 0, 0, 0)
    assert result["forward"][-1]["out"] == pytest.approx(net.forward(X[:1])[0].tolist())
    assert result["forward"][0]["out"] == pytest.approx(X[0].tolist())


def test_too_many_paths_are_counted_not_listed(deep):
    net, X, Y = deep
    result = inspect(net, X[:1], Y[:1], 0, 0, 0, max_paths=5)
    assert result["paths"] == {"count": 18, "shown": []}


def test_lecture_convention_doubles_the_gradient_and_matches_the_lecture():
    net = Network([2, 2, 2], activation="sigmoid", output_activation="sigmoid")
    net.weights[0] = np.array([[0.15, 0.20], [0.25, 0.30]])
    net.weights[1] = np.array([[0.40, 0.45], [0.50, 0.55]])
    net.biases[0] = np.array([0.35, 0.35])
    net.biases[1] = np.array([0.048694033, 0.093878596])
    X, Y = np.array([[0.05, 0.10]]), np.array([[0.01, 0.99]])
    w5 = inspect(net, X, Y, 1, 0, 0, convention="lecture")
    w1 = inspect(net, X, Y, 0, 0, 0, convention="lecture")
    half = inspect(net, X, Y, 0, 0, 0, convention="half")
    assert w5["dE_dout"] == pytest.approx(1.2504043, abs=1e-7)
    assert w5["dout_dnet"] == pytest.approx(0.2317204, abs=1e-7)
    assert w5["gradient"] == pytest.approx(0.1718965, abs=1e-7)
    assert w1["gradient"] == pytest.approx(5.5401e-04, abs=1e-8)
    assert half["gradient"] == pytest.approx(w1["gradient"] / 2, rel=1e-12)


@pytest.mark.parametrize(
    "args, field",
    [((2, 0, 0), "layer"), ((0, 5, 0), "to"), ((0, 0, 9), "from"), ((-1, 0, None), "layer")],
)
def test_bad_parameter_names_the_field(args, field):
    net = Network([2, 3, 1])
    with pytest.raises(ValueError, match=field):
        inspect(net, np.zeros((1, 2)), np.zeros((1, 1)), *args)
