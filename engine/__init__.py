"""A NumPy multilayer perceptron that trains like the TensorFlow Playground.

Public API (the lecture's matrix form, Z_l = W_l @ A_(l-1) + b_l, W_l shaped (n_l, n_(l-1))):

- `Network(layer_sizes, activation="tanh", output_activation="tanh")`: `weights[l]` (n_(l+1), n_l),
  `biases[l]` (n_(l+1),), `dead[l]` (bool like weights[l], True = killed by L1): float64 views
  into one flat vector `params` (assignable; see network.py); `forward(X)` for X (n_samples,
  n_inputs) -> (n_samples, n_outputs); `gradients(X, Y)` -> (dW, db) of the mean over samples of
  1/2 sum over outputs (out - target)^2.
- `Run.from_hash(h)` / `Run.from_config(config=None)`: data and network exactly as the original's
  page load builds them from a Playground URL hash / a dict of its keys (missing keys:
  `DEFAULT_CONFIG`; no seed: a fresh "0.xxxxx"). `run.config` (normalised, seed included).
  `run.step(n=1)` -> float64 (k, 3) rows (epoch, train loss, test loss), k = 0 once diverged;
  `run.epoch`, `run.train_loss`, `run.test_loss`, `run.diverged`, `run.network`,
  `run.train_points` / `run.test_points` ((n, 3): x, y, label), `run.input_names`.
  `run.update(changes)` -> "none" | "learningRate" | "network" | "data" (all validated first);
  `run.reset()`, `run.regenerate()`, `run.set_weight(layer, to, frm, value)`,
  `run.set_bias(layer, to, value)`, `run.restore(weights, biases, epoch, dead=None)`,
  `run.node_grids(n)` -> float32 (n_nodes, n, n) over [-6, 6]^2, row 0 at y = +6, nodes: active
  inputs, hidden layers, output.
- `ConfigError(ValueError)` with `field`, `value`, `allowed`: raised for every bad input.
- `DEFAULT_CONFIG` (URL-hash keys -> JSON values; "seed" is None: picked when a run is built),
  `FEATURES` (the 7 inputs in input-layer order, each with `.label`), `ACTIVATIONS`,
  `DERIVATIVES`, `REGULARIZERS`, `DATASETS`, `SeedRandom` (the seedrandom-compatible PRNG),
  `parse_hash(h)` and `to_hash(config)` (the original's link format).
"""

from engine.activations import ACTIVATIONS, DERIVATIVES
from engine.config import DEFAULT_CONFIG, parse_hash, to_hash
from engine.datasets import DATASETS
from engine.errors import ConfigError
from engine.features import FEATURES
from engine.network import Network
from engine.random import SeedRandom
from engine.regularizers import REGULARIZERS
from engine.run import Run

__all__ = [
    "ACTIVATIONS",
    "DATASETS",
    "DEFAULT_CONFIG",
    "DERIVATIVES",
    "FEATURES",
    "REGULARIZERS",
    "ConfigError",
    "Network",
    "Run",
    "SeedRandom",
    "parse_hash",
    "to_hash",
]
