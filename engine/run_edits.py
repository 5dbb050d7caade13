"""Edits of a run in place and what is read from it: one weight or bias, every parameter at once
(a restore), the training state, metrics, node grids and predictions.

`RunEdits` is a base class of `Run` (engine.run): its methods work on the run's `network`, its
trainer and `epoch`, and measure the losses again after an edit.
"""

from __future__ import annotations

import numpy as np

from engine.checks import checked_parameters, checked_training, finite_number, index_in
from engine.errors import ConfigError
from engine.features import feature_matrix
from engine.metrics import Metrics, evaluate
from engine.optimizers import OPTIMIZERS


class RunEdits:
    """The edits and views of `Run`: changes that keep its data and structure, and readings."""

    # -- edits ----------------------------------------------------------------------------

    def set_weight(self, layer: int, to: int, frm: int, value: float) -> None:
        """weights[layer][to, frm] = value, no reset (a dead link keeps the value, stays dead)."""
        net = self.network
        layer = index_in("layer", layer, len(net.weights))
        n_to, n_from = net.weights[layer].shape
        to = index_in("to", to, n_to)
        frm = index_in("from", frm, n_from)
        net.packed()
        net.weights[layer][to, frm] = finite_number("value", value)
        self._measure()

    def set_bias(self, layer: int, to: int, value: float) -> None:
        """biases[layer][to] = value, no reset."""
        net = self.network
        layer = index_in("layer", layer, len(net.biases))
        to = index_in("to", to, len(net.biases[layer]))
        net.packed()
        net.biases[layer][to] = finite_number("value", value)
        self._measure()

    def restore(
        self,
        weights: list,
        biases: list,
        epoch: int,
        dead: list | None = None,
        training: dict | None = None,
    ) -> None:
        """Take these parameters (nested lists shaped like the network's) and this epoch; with
        `training` (engine.export's: the optimizer's moments and step count, the carried
        gradient), also what training carries between updates, so that it continues exactly."""
        net = self.network
        slots = OPTIMIZERS[self.config["optimizer"]].slots
        state = checked_training(training, net.params.shape[0], slots)
        arrays = checked_parameters(net, weights, biases, dead)
        if not isinstance(epoch, int) or isinstance(epoch, bool) or epoch < 0:
            raise ConfigError("epoch", epoch, "an integer >= 0")
        net.packed()
        for field, values in arrays.items():
            for view, array in zip(getattr(net, field), values, strict=True):
                view[...] = array
        if dead is None:
            net.dead_mask[:] = False
        self._trainer.state.clear()
        if state is not None:
            for name, value in state.items():
                getattr(self._trainer.state, name)[0] = value
        self.epoch = epoch
        self.stopped = False
        self._measure()

    def training_state(self) -> dict:
        """What training carries between updates, as `restore(training=...)` takes it back."""
        state = self._trainer.state
        return {
            "moments": state.moments[0].tolist(),
            "steps": int(state.steps[0]),
            "carry": state.carry[0].tolist(),
            "carryCount": int(state.carry_count[0]),
        }

    def metrics(self) -> Metrics:
        """Accuracy and confusion (classification) or R² (regression) of the network as it is,
        from its outputs on the points."""
        return evaluate(self.task, self._trainer.outputs(), self._Y_all, self._n_train)

    # -- views ----------------------------------------------------------------------------

    def node_grids(self, n: int) -> np.ndarray:
        """float32 (n_nodes, n, n) over [-6, 6]^2, row 0 at y = +6: active inputs, hidden layers,
        outputs."""
        return self.grids.node_grids(self.network, self.input_names, n)

    def predict(self, points: np.ndarray) -> np.ndarray:
        """The network's outputs (n, n_outputs) for points (n, 2) of raw (x, y), float64."""
        points = np.asarray(points, dtype=np.float64).reshape(-1, 2)
        X = feature_matrix(self.input_names, points[:, 0], points[:, 1]).T
        return self.network.forward(X)
