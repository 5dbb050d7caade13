"""One playground run: config, seeded data, network and training state, as the original's page."""

from __future__ import annotations

from typing import Any

import numpy as np

from engine.config import SCHEMA, fresh_seed, parse_hash, validate
from engine.datasets import generate
from engine.errors import ConfigError
from engine.features import FEATURES, feature_matrix
from engine.grid import GridEvaluator
from engine.jobs import TrainingData, TrainingJob, TrainingResult, new_token
from engine.network import Network
from engine.random import SeedRandom, to_fixed5
from engine.training import Trainer

MAX_STEP = 100_000  # epochs per call to step()


class Run:
    """Data, network and training state built from a config, exactly like the original's page load:
    seed the PRNG, draw the data, shuffle, split, then draw the weights from the same stream."""

    def __init__(self, config: dict) -> None:
        self.config = dict(config)
        if self.config["seed"] is None:
            self.config["seed"] = fresh_seed()
        self.grids = GridEvaluator()
        self._build_data(self.config["seed"])
        self._build_network()

    @classmethod
    def from_config(cls, config: dict | None = None) -> Run:
        """Missing keys take the defaults; no seed means a fresh "0.xxxxx" one."""
        return cls(validate(config or {}))

    @classmethod
    def from_hash(cls, h: str) -> Run:
        """From a Playground URL hash, e.g. "#activation=tanh&...&seed=0.12345"."""
        return cls(validate(parse_hash(h)))

    # -- building -------------------------------------------------------------------------

    @property
    def input_names(self) -> list[str]:
        """Active feature keys in input-layer order."""
        return [name for name in FEATURES if self.config[name]]

    @property
    def batch_size(self) -> int:
        """The points per update: `batchSize`, or all training points where it asks for more
        (batch gradient descent follows the training set's size: its ratio, new data)."""
        return min(self.config["batchSize"], len(self.train_points))

    def _build_data(self, seed: str) -> None:
        self.rng = SeedRandom(seed)
        c = self.config
        regression = c["problem"] == "regression"
        dataset = c["regDataset"] if regression else c["dataset"]
        self.train_points, self.test_points = generate(
            self.rng, dataset, c["noise"] / 100, c["percTrainData"]
        )
        if len(self.train_points) == 0 or len(self.test_points) == 0:
            raise ConfigError(
                "percTrainData",
                c["percTrainData"],
                "a split that leaves points in both the training and the test set",
            )
        self._set_matrices()

    def _set_matrices(self) -> None:
        names = self.input_names
        points = np.concatenate([self.train_points, self.test_points])
        self._A0_all = feature_matrix(names, points[:, 0], points[:, 1])
        self._Y_all = points[:, 2].reshape(1, -1).copy()
        self._n_train = len(self.train_points)
        self._data_names = names
        self._data_token = new_token()  # a worker that has these points keeps them by this

    def _build_network(self) -> None:
        c = self.config
        output = "linear" if c["problem"] == "regression" else "tanh"
        sizes = [len(self.input_names), *c["networkShape"], 1]
        self.network = Network(sizes, c["activation"], output)
        self.network.initialize(self.rng)
        self._build_trainer()
        self.epoch = 0
        self._measure()

    def _build_trainer(self) -> None:
        c = self.config
        self._trainer = Trainer(
            self.network,
            self._A0_all,
            self._Y_all,
            self.batch_size,
            c["regularization"],
            c["regularizationRate"],
            n_train=self._n_train,
        )
        self._token = new_token()

    def _measure(self) -> None:
        """Recompute both losses and the diverged flag for the current parameters."""
        ((self.train_loss, self.test_loss, finite),) = self._trainer.measure()
        self.diverged = not finite

    # -- changes --------------------------------------------------------------------------

    def update(self, changes: dict) -> str:
        """Validate every change first, then apply: "none", "learningRate", "network" or "data"."""
        new = validate(changes, self.config)
        changed = {key for key in new if new[key] != self.config[key]}
        if "seed" in changes and new["seed"] is None:
            new["seed"] = fresh_seed()
            changed.add("seed")
        if not changed:
            return "none"
        effects = {SCHEMA[key].effect for key in changed}
        self.config = new
        if "data" in effects:
            self._build_data(new["seed"])
            self._build_network()
            return "data"
        if "network" in effects:
            if self.input_names != self._data_names:
                self._set_matrices()  # other active features: other data
            self._build_network()
            return "network"
        return "learningRate"

    def reset(self) -> None:
        """New weights from the continuing PRNG stream, epoch 0."""
        self._build_network()

    def regenerate(self) -> None:
        """A new seed from the stream (rand().toFixed(5)), new data; weights and epoch kept."""
        seed = to_fixed5(self.rng.rand())
        self.config["seed"] = seed
        self._build_data(seed)
        self._trainer.set_data(self._A0_all, self._Y_all, self._n_train)
        self._token = new_token()
        self._measure()

    # -- training -------------------------------------------------------------------------

    def step(self, n: int = 1) -> np.ndarray:
        """Train n epochs: rows (epoch, train_loss, test_loss), shape (k, 3); k = 0 if diverged."""
        if not isinstance(n, int) or isinstance(n, bool) or not 0 <= n <= MAX_STEP:
            raise ConfigError("n", n, f"an integer 0 .. {MAX_STEP}")
        if self.diverged:
            return np.empty((0, 3))
        losses, diverged = self._trainer.step(n, self.config["learningRate"])
        return self._advance(losses, diverged)

    def _advance(self, losses: np.ndarray, diverged: bool) -> np.ndarray:
        k = len(losses)
        rows = np.empty((k, 3))
        rows[:, 0] = np.arange(self.epoch + 1, self.epoch + k + 1)
        rows[:, 1:] = losses
        self.epoch += k
        if k:
            self.train_loss, self.test_loss = float(losses[-1, 0]), float(losses[-1, 1])
            self.diverged = diverged
        return rows

    def training_data(self) -> TrainingData:
        """The points a worker needs for this run's jobs (`job.data` names them)."""
        # The matrices are replaced, never changed in place: no copy needed.
        return TrainingData(self._data_token, self._A0_all, self._Y_all, self._n_train)

    def training_job(self, n: int, grid_sizes: tuple[int, ...] = ()) -> TrainingJob | None:
        """The next n epochs as a job for `engine.remote.train_job` (None if diverged, as `step`
        would train nothing); the run itself is not changed. The job carries no points: it
        trains on `training_data()`, which a worker gets once."""
        if not isinstance(n, int) or isinstance(n, bool) or not 0 <= n <= MAX_STEP:
            raise ConfigError("n", n, f"an integer 0 .. {MAX_STEP}")
        if self.diverged:
            return None
        net, trainer = self.network, self._trainer
        net.packed()
        return TrainingJob(
            token=self._token,
            data=self._data_token,
            layer_sizes=tuple(net.layer_sizes),
            activation=net.activation,
            output_activation=net.output_activation,
            batch_size=trainer.batch_size,
            regularization=trainer.regularization,
            regularization_rate=trainer.regularization_rate,
            learning_rate=self.config["learningRate"],
            n_train=self._n_train,
            n_points=self._A0_all.shape[1],
            state=trainer.state.copy(),
            n=n,
            epoch=self.epoch,
            grid_sizes=tuple(grid_sizes),
            input_names=tuple(self.input_names),
        )

    def apply_training(self, result: TrainingResult) -> np.ndarray:
        """Take in a trained job as `step` would have: rows (epoch, train_loss, test_loss).

        The run must be as it was when the job was made (same epoch, data and structure).
        """
        if result.token != self._token or result.epoch != self.epoch:
            raise ValueError("the run changed since the job was made")
        self.network.packed()
        self._trainer.state.assign(result.state)
        return self._advance(result.losses, result.diverged)

    # -- edits ----------------------------------------------------------------------------

    def _index(self, field: str, value: Any, size: int) -> int:
        if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value < size:
            raise ConfigError(field, value, f"an integer 0 .. {size - 1}")
        return value

    @staticmethod
    def _finite(field: str, value: Any) -> float:
        if not isinstance(value, int | float) or isinstance(value, bool) or not np.isfinite(value):
            raise ConfigError(field, value, "a finite number")
        return float(value)

    def set_weight(self, layer: int, to: int, frm: int, value: float) -> None:
        """weights[layer][to, frm] = value, no reset (a dead link keeps the value, stays dead)."""
        net = self.network
        layer = self._index("layer", layer, len(net.weights))
        n_to, n_from = net.weights[layer].shape
        to = self._index("to", to, n_to)
        frm = self._index("from", frm, n_from)
        net.packed()
        net.weights[layer][to, frm] = self._finite("value", value)
        self._measure()

    def set_bias(self, layer: int, to: int, value: float) -> None:
        """biases[layer][to] = value, no reset."""
        net = self.network
        layer = self._index("layer", layer, len(net.biases))
        to = self._index("to", to, len(net.biases[layer]))
        net.packed()
        net.biases[layer][to] = self._finite("value", value)
        self._measure()

    def restore(self, weights: list, biases: list, epoch: int, dead: list | None = None) -> None:
        """Take these parameters (nested lists shaped like the network's) and this epoch."""
        net = self.network
        arrays = {}
        for field, given, views, dtype in (
            ("weights", weights, net.weights, np.float64),
            ("biases", biases, net.biases, np.float64),
            ("dead", dead, net.dead, bool),
        ):
            if given is None:
                continue
            if not isinstance(given, list | tuple) or len(given) != len(views):
                raise ConfigError(field, given, f"a list of {len(views)} layers")
            arrays[field] = []
            for l, (value, view) in enumerate(zip(given, views, strict=True)):
                try:
                    array = np.asarray(value, dtype=dtype)
                except (TypeError, ValueError):
                    raise ConfigError(
                        f"{field}[{l}]", value, f"numbers shaped {view.shape}"
                    ) from None
                if array.shape != view.shape or (
                    dtype is np.float64 and not np.isfinite(array).all()
                ):
                    raise ConfigError(f"{field}[{l}]", value, f"finite numbers shaped {view.shape}")
                arrays[field].append(array)
        if not isinstance(epoch, int) or isinstance(epoch, bool) or epoch < 0:
            raise ConfigError("epoch", epoch, "an integer >= 0")
        net.packed()
        for field, values in arrays.items():
            for view, array in zip(getattr(net, field), values, strict=True):
                view[...] = array
        if dead is None:
            net.dead_mask[:] = False
        self._trainer.state.carry_count[:] = 0
        self.epoch = epoch
        self._measure()

    # -- views ----------------------------------------------------------------------------

    def node_grids(self, n: int) -> np.ndarray:
        """float32 (n_nodes, n, n) over [-6, 6]^2, row 0 at y = +6: active inputs, hidden layers,
        output."""
        return self.grids.node_grids(self.network, self.input_names, n)
