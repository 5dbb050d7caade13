"""A reference trainer written the way the original is: per sample, per link, with accumulators."""

import math

import numpy as np
import pytest

_ACT = {
    "tanh": (math.tanh, lambda x: 1 - math.tanh(x) ** 2),
    "relu": (lambda x: max(0.0, x), lambda x: 0.0 if x <= 0 else 1.0),
    "sigmoid": (
        lambda x: 1 / (1 + math.exp(-x)),
        lambda x: (1 / (1 + math.exp(-x))) * (1 - 1 / (1 + math.exp(-x))),
    ),
    "linear": (lambda x: x, lambda x: 1.0),
}


class OriginalLoop:
    """Weights as nested lists, one sample at a time; update when (i + 1) % batch_size == 0."""

    def __init__(self, net, batch_size, regularization, rate):
        self.W = [W.tolist() for W in net.weights]
        self.b = [b.tolist() for b in net.biases]
        self.dead = [d.tolist() for d in net.dead]
        self.acts = net.activation_names
        self.batch_size = batch_size
        self.regularization = regularization
        self.rate = rate
        self.accW = [[[0.0] * len(row) for row in W] for W in self.W]
        self.nW = [[[0] * len(row) for row in W] for W in self.W]
        self.accb = [[0.0] * len(b) for b in self.b]
        self.nb = [[0] * len(b) for b in self.b]

    def _sample(self, x, target):
        outs, nets = [list(x)], []
        for W, b, act in zip(self.W, self.b, self.acts, strict=True):
            net = [
                bj + sum(w * o for w, o in zip(row, outs[-1], strict=True))
                for row, bj in zip(W, b, strict=True)
            ]
            nets.append(net)
            outs.append([_ACT[act][0](v) for v in net])
        out_der = [o - t for o, t in zip(outs[-1], target, strict=True)]
        for l in range(len(self.W) - 1, -1, -1):
            in_der = [d * _ACT[self.acts[l]][1](v) for d, v in zip(out_der, nets[l], strict=True)]
            for j, dj in enumerate(in_der):
                self.accb[l][j] += dj
                self.nb[l][j] += 1
                for i, src in enumerate(outs[l]):
                    if self.dead[l][j][i]:
                        continue
                    self.accW[l][j][i] += dj * src
                    self.nW[l][j][i] += 1
            out_der = [
                sum(self.W[l][j][i] * in_der[j] for j in range(len(in_der)))
                for i in range(len(outs[l]))
            ]

    def _update(self, lr):
        for l, W in enumerate(self.W):
            for j, row in enumerate(W):
                if self.nb[l][j] > 0:
                    self.b[l][j] -= lr * self.accb[l][j] / self.nb[l][j]
                    self.accb[l][j], self.nb[l][j] = 0.0, 0
                for i, w_old in enumerate(row):
                    if self.dead[l][j][i] or self.nW[l][j][i] == 0:
                        continue
                    if self.regularization == "L1":
                        reg = (w_old > 0) - (w_old < 0)
                    elif self.regularization == "L2":
                        reg = w_old
                    else:
                        reg = 0.0
                    w = w_old - lr / self.nW[l][j][i] * self.accW[l][j][i]
                    new = w - lr * self.rate * reg
                    if self.regularization == "L1" and w * new < 0:
                        row[i] = 0.0
                        self.dead[l][j][i] = True
                    else:
                        row[i] = new
                    self.accW[l][j][i], self.nW[l][j][i] = 0.0, 0

    def epoch(self, X, Y, lr):
        for i, (x, t) in enumerate(zip(X, Y, strict=True)):
            self._sample(x, t)
            if (i + 1) % self.batch_size == 0:
                self._update(lr)

    def arrays(self):
        return (
            [np.array(W) for W in self.W],
            [np.array(b) for b in self.b],
            [np.array(d, dtype=bool) for d in self.dead],
        )


@pytest.fixture
def original_loop():
    return OriginalLoop
