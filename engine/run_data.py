"""A run's points and the matrices it trains on: drawn from the seed (or the user's own points,
shuffled by it), split by the ratio, then made into feature and target matrices.

`RunData` is a base class of `Run` (engine.run): its methods work on the run's `config`, `own`
and `task`, and set `rng`, `train_points`, `test_points` and the matrices the trainer gets.
"""

from __future__ import annotations

import numpy as np

from engine.datasets import generate, shuffle, split
from engine.errors import ConfigError
from engine.features import FEATURES, feature_matrix
from engine.jobs import new_token
from engine.random import SeedRandom


class RunData:
    """The data half of `Run`: its points, from the seed or its own, and their matrices."""

    @property
    def input_names(self) -> list[str]:
        """Active feature keys in input-layer order."""
        return [name for name in FEATURES if self.config[name]]

    @property
    def uses_own(self) -> bool:
        """Whether the points are the user's own (`ownData`)."""
        return bool(self.config["ownData"])

    def _own_points(self) -> np.ndarray:
        """The own points as this config labels them; ConfigError when they do not fit it."""
        c = self.config
        if self.own.problem != c["problem"]:
            return np.zeros((0, 3))  # own points of the other problem type stay aside
        if c["problem"] == "classification" and self.own.classes > c["classes"]:
            allowed = f"at least {self.own.classes}: your own data has that many classes"
            raise ConfigError("classes", c["classes"], allowed)
        return self.own.labels(c["classes"])

    def _build_data(self, seed: str) -> None:
        self.rng = SeedRandom(seed)
        c = self.config
        regression = c["problem"] == "regression"
        dataset = c["regDataset"] if regression else c["dataset"]
        if self.uses_own:
            points = shuffle(self.rng, self._own_points())
            self.train_points, self.test_points = split(points, c["percTrainData"])
            self._set_matrices()
            return
        classes = 2 if regression else c["classes"]
        self.train_points, self.test_points = generate(
            self.rng, dataset, c["noise"] / 100, c["percTrainData"], classes
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
        self._Y_all = self.task.targets(points[:, 2])
        self._n_train = len(self.train_points)
        self._data_names = names
        self._data_token = new_token()  # a worker that has these points keeps them by this
