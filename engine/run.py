"""One playground run: config, seeded data, network and training state, as the original's page."""

from __future__ import annotations

import numpy as np

from engine.config import SCHEMA, fresh_seed, parse_hash, validate
from engine.errors import ConfigError
from engine.grid import GridEvaluator
from engine.jobs import TrainingData, TrainingJob, TrainingResult, new_token
from engine.network import Network
from engine.optimizers import hyperparameters
from engine.owndata import OwnData
from engine.random import to_fixed5
from engine.run_data import RunData
from engine.run_edits import RunEdits
from engine.task import Task
from engine.training import Trainer

MAX_STEP = 100_000  # epochs per call to step()


class Run(RunData, RunEdits):
    """Data, network and training state built from a config, exactly like the original's page load:
    seed the PRNG, draw the data, shuffle, split, then draw the weights from the same stream.

    `own` holds the user's own points (engine.owndata), used instead of the data set's when the
    config says `ownData`: shuffled by the seed and split by the ratio like a built-in set.

    Building the points and their matrices is in `RunData` (engine.run_data); the edits in place
    (a weight, a bias, a restore) and the views (metrics, grids, predictions) are in `RunEdits`
    (engine.run_edits). Here: building the network, changes, and training.
    """

    def __init__(self, config: dict, own: OwnData | None = None) -> None:
        self.config = dict(config)
        if self.config["seed"] is None:
            self.config["seed"] = fresh_seed()
        self.own = own if own is not None else OwnData()
        self.grids = GridEvaluator()
        self.stopped = False  # the last training ended at its test-loss stop
        self._build_data(self.config["seed"])
        self._build_network()

    @classmethod
    def from_config(cls, config: dict | None = None, own: OwnData | None = None) -> Run:
        """Missing keys take the defaults; no seed means a fresh "0.xxxxx" one."""
        return cls(validate(config or {}), own)

    @classmethod
    def from_hash(cls, h: str) -> Run:
        """From a Playground URL hash, e.g. "#activation=tanh&...&seed=0.12345"."""
        return cls(validate(parse_hash(h)))

    # -- building -------------------------------------------------------------------------

    @property
    def batch_size(self) -> int:
        """The points per update: `batchSize`, or all training points where it asks for more
        (batch gradient descent follows the training set's size: its ratio, new data)."""
        return min(self.config["batchSize"], len(self.train_points))

    @property
    def task(self) -> Task:
        """The output layer's job: classes (0 for regression) and the loss it trains."""
        return Task.of(self.config)

    def _build_network(self) -> None:
        c = self.config
        task = self.task
        sizes = [len(self.input_names), *c["networkShape"], task.outputs]
        self.network = Network(sizes, c["activation"], task.output_activation)
        self.network.initialize(self.rng)
        self._build_trainer()
        self.epoch = 0
        self.stopped = False
        self._measure()
        # What `replay` goes back to: these weights, on these points.
        self._start = (self.network.params.copy(), self.train_points, self.test_points)

    @property
    def optimizer(self) -> tuple[str, dict]:
        """The optimizer's name and its hyperparameters from the config."""
        name = self.config["optimizer"]
        return name, hyperparameters(name, self.config)

    def _build_trainer(self) -> None:
        c = self.config
        optimizer, hyper = self.optimizer
        self._trainer = Trainer(
            self.network,
            self._A0_all,
            self._Y_all,
            self.batch_size,
            c["regularization"],
            c["regularizationRate"],
            n_train=self._n_train,
            loss=self.task.loss,
            optimizer=optimizer,
            hyper=hyper,
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
        old = self.config
        self.config = new
        try:
            if "data" in effects:
                self._build_data(new["seed"])
                self._build_network()
                return "data"
            if "network" in effects:
                if self.input_names != self._data_names or self.task != Task.of(old):
                    self._set_matrices()  # other active features or targets: other data
                self._build_network()
                return "network"
        except ConfigError:
            self.config = old  # e.g. own data of more classes than asked for: nothing changes
            self._build_data(old["seed"])
            self._build_network()
            raise
        return "learningRate" if "learningRate" in effects else "live"

    def reset(self) -> None:
        """New weights from the continuing PRNG stream, epoch 0."""
        self._build_network()

    def regenerate(self) -> None:
        """A new seed from the stream (rand().toFixed(5)), new data; weights and epoch kept."""
        seed = to_fixed5(self.rng.rand())
        self.config["seed"] = seed
        self._build_data(seed)
        self._data_changed()

    def _data_changed(self) -> None:
        """The points changed under the same network: train on them from now on."""
        self._trainer.batch_size = max(1, self.batch_size)
        self._trainer.set_data(self._A0_all, self._Y_all, self._n_train)
        self._trainer.state.carry_count[:] = 0  # the carried points were other points
        self._token = new_token()
        self._measure()

    def set_own(self, own: OwnData) -> bool:
        """New own points (drawn, erased, uploaded); when they are in use, the data follows them
        (shuffled by the seed, split by the ratio), the network and epoch kept as they are.
        Returns whether the run's points changed."""
        before = self.own
        self.own = own
        if not self.uses_own:
            return False
        try:
            self._build_data(self.config["seed"])
        except ConfigError:
            self.own = before
            self._build_data(self.config["seed"])
            raise
        self._data_changed()
        return True

    def replay(self) -> None:
        """Back to epoch 0 with the very weights and points this network started from (a reset
        draws new ones): the same run can be watched again, or compared with another setting."""
        params, train, test = self._start
        net = self.network
        net.packed()
        net.params[:] = params
        net.dead_mask[:] = False
        self._trainer.state.clear()
        if train is not self.train_points or test is not self.test_points:
            self.train_points, self.test_points = train, test
            self._set_matrices()
            self._data_changed()
        self.epoch = 0
        self.stopped = False
        self._measure()

    # -- training -------------------------------------------------------------------------

    def step(self, n: int = 1, stop: float | None = None) -> np.ndarray:
        """Train n epochs, fewer once the test loss is at or below `stop` (then `stopped`): rows
        (epoch, train_loss, test_loss), shape (k, 3); k = 0 if diverged."""
        if not isinstance(n, int) or isinstance(n, bool) or not 0 <= n <= MAX_STEP:
            raise ConfigError("n", n, f"an integer 0 .. {MAX_STEP}")
        if self.diverged:
            return np.empty((0, 3))
        losses, diverged = self._trainer.step(n, self.config["learningRate"], stop)
        return self._advance(losses, diverged, n, stop)

    def _advance(
        self, losses: np.ndarray, diverged: bool, n: int, stop: float | None = None
    ) -> np.ndarray:
        k = len(losses)
        rows = np.empty((k, 3))
        rows[:, 0] = np.arange(self.epoch + 1, self.epoch + k + 1)
        rows[:, 1:] = losses
        self.epoch += k
        if k:
            self.train_loss, self.test_loss = float(losses[-1, 0]), float(losses[-1, 1])
            self.diverged = diverged
        self.stopped = bool(k and not diverged and stop is not None and self.test_loss <= stop)
        return rows

    def training_data(self) -> TrainingData:
        """The points a worker needs for this run's jobs (`job.data` names them)."""
        # The matrices are replaced, never changed in place: no copy needed; made once per token.
        data = self.__dict__.get("_training_data")
        if data is None or data.token != self._data_token:
            data = TrainingData(self._data_token, self._A0_all, self._Y_all, self._n_train)
            self._training_data = data
        return data

    def training_job(
        self,
        n: int,
        grid_sizes: tuple[int, ...] = (),
        stop: float | None = None,
        packed_only: bool = False,
    ) -> TrainingJob | None:
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
            loss=trainer.loss,
            optimizer=trainer.optimizer,
            hyper=tuple(sorted(trainer.hyper.items())),
            classes=self.task.classes,
            stop=stop,
            packed_only=packed_only,
        )

    def apply_training(self, result: TrainingResult) -> np.ndarray:
        """Take in a trained job as `step` would have: rows (epoch, train_loss, test_loss).

        The run must be as it was when the job was made (same epoch, data and structure).
        """
        if result.token != self._token or result.epoch != self.epoch:
            raise ValueError("the run changed since the job was made")
        self.network.packed()
        self._trainer.state.assign(result.state)
        return self._advance(result.losses, result.diverged, result.n, result.stop)
