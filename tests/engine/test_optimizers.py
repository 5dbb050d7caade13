"""Momentum and Adam against a reference written here independently (plain Python floats, one
parameter at a time, the textbook formulas), and by hand for Adam's first step."""

import math

import numpy as np
import pytest

from engine import Network
from engine.optimizers import OPTIMIZERS
from engine.training import Trainer

HYPER = {"momentum": 0.8, "beta1": 0.85, "beta2": 0.99, "epsilon": 1e-7}


class Reference:
    """theta, one float each, updated by the named rule from the mean gradient g."""

    def __init__(self, name, theta):
        self.name, self.theta = name, list(theta)
        self.v = [0.0] * len(theta)
        self.m = [0.0] * len(theta)
        self.t = 0

    def update(self, g, lr):
        self.t += 1
        for i, gi in enumerate(g):
            if self.name == "sgd":
                step = -lr * gi
            elif self.name == "momentum":
                self.v[i] = HYPER["momentum"] * self.v[i] + gi
                step = -lr * self.v[i]
            else:
                b1, b2 = HYPER["beta1"], HYPER["beta2"]
                self.m[i] = b1 * self.m[i] + (1 - b1) * gi
                self.v[i] = b2 * self.v[i] + (1 - b2) * gi * gi
                m_hat = self.m[i] / (1 - b1**self.t)
                v_hat = self.v[i] / (1 - b2**self.t)
                step = -lr * m_hat / (math.sqrt(v_hat) + HYPER["epsilon"])
            self.theta[i] += step


def problem(seed=0):
    rng = np.random.default_rng(seed)
    net = Network([2, 4, 3], "tanh", "softmax")
    net.params[:] = rng.uniform(-0.5, 0.5, net.params.size)
    X = rng.uniform(-3, 3, (12, 2))
    Y = np.eye(3)[rng.integers(0, 3, 12)]
    return net, X, Y


@pytest.mark.parametrize("name", list(OPTIMIZERS))
def test_each_optimizer_follows_the_reference(name):
    """Six full-batch updates of a softmax / cross-entropy network."""
    net, X, Y = problem()
    reference = Reference(name, net.params.tolist())
    probe = Network([2, 4, 3], "tanh", "softmax")
    trainer = Trainer(net, X.T, Y.T, len(X), loss="crossEntropy", optimizer=name, hyper=HYPER)
    for _ in range(6):
        probe.params[:] = reference.theta
        reference.update(probe.flat(*probe.gradients(X, Y, loss="crossEntropy")).tolist(), 0.05)
        trainer.train([1], [0.05])
    np.testing.assert_allclose(net.params, reference.theta, rtol=1e-11, atol=1e-14)
    assert trainer.state.steps.tolist() == [6 if name == "adam" or name == "momentum" else 0]


def test_adams_first_step_is_about_alpha_against_the_gradients_sign():
    """t = 1: m_hat = g and v_hat = g^2, so the step is -alpha g / (|g| + epsilon)."""
    net, X, Y = problem(seed=1)
    before = net.params.copy()
    g = net.flat(*net.gradients(X, Y, loss="crossEntropy"))
    Trainer(net, X.T, Y.T, len(X), loss="crossEntropy", optimizer="adam").epoch(0.01)
    np.testing.assert_allclose(net.params - before, -0.01 * g / (np.abs(g) + 1e-8), rtol=1e-9)


def test_momentum_remembers_the_last_steps():
    """With the same gradient twice (learning rate 0 in between keeps it), the second step is
    (1 + mu) times the first."""
    net, X, Y = problem(seed=2)
    trainer = Trainer(net, X.T, Y.T, len(X), optimizer="momentum", hyper={"momentum": 0.5})
    before = net.params.copy()
    trainer.train([1], [0.1])
    first = net.params - before
    trainer.state.moments[:] = first / -0.1  # v after one update is g
    net.params[:] = before
    trainer.train([1], [0.1])
    np.testing.assert_allclose(net.params - before, 1.5 * first, rtol=1e-12)


@pytest.mark.parametrize("name", ["momentum", "adam"])
def test_dead_links_stay_put_under_any_optimizer(name):
    """L1 kills a link whose step crosses zero; its moment still remembers earlier gradients,
    but no later update moves it."""
    net, X, Y = problem(seed=3)
    trainer = Trainer(net, X.T, Y.T, 4, "L1", 0.3, optimizer=name, loss="crossEntropy")
    trainer.train([5], [0.1])
    dead = net.dead_mask.copy()
    assert dead.any()
    kept = net.params[dead].copy()
    trainer.train([5], [0.1])
    np.testing.assert_array_equal(net.params[dead], kept)
    assert (net.params[dead] == 0).all()


def test_optimizer_state_is_part_of_the_training_state():
    net, X, Y = problem(seed=4)
    trainer = Trainer(net, X.T, Y.T, 5, optimizer="adam")
    assert trainer.state.moments.shape == (1, 2, net.params.size)
    trainer.train([2], [0.01])
    row = trainer.state.row(0)
    assert row.steps.tolist() == [4] and np.abs(row.moments).sum() > 0  # 12 points, batch 5
    assert Trainer(net, X.T, Y.T, 5).state.moments.shape == (1, 0, net.params.size)
