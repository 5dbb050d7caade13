"""What a session's readers see: an immutable picture of it that its owner publishes after each
change, and the frames, `state` and `data` messages drawn from that picture."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from engine.features import feature_matrix
from engine.grid import GridEvaluator, pack_pictures
from engine.metrics import Metrics, evaluate
from engine.network import Network
from engine.owndata import OwnData
from engine.task import Task
from server.core.frames import encode_frame


class Drawer:
    """Evaluates a session's grids from snapshots, reusing one network of each structure.

    Only the event loop draws, one grid at a time, so one scratch network serves every snapshot.
    """

    def __init__(self) -> None:
        self.grids = GridEvaluator()
        self._net: Network | None = None
        self._structure: tuple = ()
        self._points: tuple = ()  # (train, test, inputs, task, A0, Y): the points' features

    def _network(self, snap: Snapshot) -> Network:
        structure = (snap.layers, snap.activation, snap.output_activation)
        if self._net is None or self._structure != structure:
            self._net, self._structure = snap.network(), structure
        else:
            np.copyto(self._net.params, snap.params)
        return self._net

    def node_grids(self, snap: Snapshot, size: int) -> np.ndarray:
        """Every node's grid, outputs as a picture shows them (engine.task: 2 p - 1)."""
        return snap.task.shown(self.grids.node_grids(self._network(snap), list(snap.inputs), size))

    def output_picture(self, snap: Snapshot, size: int) -> np.ndarray:
        """The output on a size x size grid as the large picture's bytes (engine.task)."""
        grids = self.grids.node_grids(self._network(snap), list(snap.inputs), size)
        return snap.task.picture(grids[-snap.task.outputs :])

    def metrics(self, snap: Snapshot) -> Metrics:
        """The network's metrics on the snapshot's points (the features computed once per data)."""
        train, test, inputs, task = snap.train_points, snap.test_points, snap.inputs, snap.task
        cached = self._points
        if (
            not cached
            or cached[0] is not train
            or cached[1] is not test
            or cached[2:4]
            != (
                inputs,
                task,
            )
        ):
            points = np.concatenate([train, test])
            A0 = feature_matrix(list(inputs), points[:, 0], points[:, 1])
            self._points = cached = (train, test, inputs, task, A0, task.targets(points[:, 2]))
        net = self._network(snap)
        with np.errstate(all="ignore"):
            outputs = net.layer_outputs(cached[4])[1][-1]
        return evaluate(task, outputs, cached[5], len(train))


def _frozen(array: np.ndarray) -> np.ndarray:
    array.flags.writeable = False
    return array


@dataclass(frozen=True, eq=False)
class Snapshot:
    """One published state of a session. Arrays are read-only copies: training goes on in other
    arrays (or other processes) while readers build frames from this one."""

    version: int  # moves whenever a frame would differ
    state_version: int  # ... whenever the `state` message would
    data_version: int  # ... whenever the points would
    config: dict[str, Any]
    epoch: int
    losses: tuple[float, float]  # the last finite (train, test) losses
    diverged: bool
    playing: bool
    speed: int | str
    pace: dict | None  # the real pace when slower than `speed` (server.core.shares.pace_note)
    trained_seconds: float  # the engine's time spent on this session so far
    steps_left: int
    layers: tuple[int, ...]
    inputs: tuple[str, ...]
    activation: str
    output_activation: str
    params: np.ndarray  # the network's flat [W | b] vector (engine.network layout)
    dead: np.ndarray  # bool, like params
    train_points: np.ndarray
    test_points: np.ndarray
    drawer: Drawer
    # (output on the large grid, every node's thumbnail), quantised, and both packed for the
    # wire (engine.grid.pack_pictures), when a worker drew them; the large picture is None when
    # only the packing came back (engine.jobs.TrainingJob.packed_only)
    drawn: tuple[np.ndarray | None, np.ndarray, bytes] | None = None
    own: OwnData = field(default_factory=OwnData)  # the user's own points (engine.owndata)
    measured: Metrics | None = None  # the metrics, when a worker measured them
    stopped: dict | None = None  # {"reason": "stopEpoch" | "stopTestLoss", "epoch": ...}
    _cache: dict = field(default_factory=dict, repr=False)

    @classmethod
    def of(cls, **fields: Any) -> Snapshot:
        for name in ("params", "dead"):
            fields[name] = _frozen(np.array(fields[name]))
        return cls(**fields)

    @property
    def task(self) -> Task:
        return Task.of(self.config)

    def metrics(self) -> Metrics:
        """Accuracy and confusion, or R², of this state: measured by a worker, or here (once)."""
        if self.measured is not None:
            return self.measured
        metrics = self._cache.get("metrics")
        if metrics is None:
            metrics = self._cache["metrics"] = self.drawer.metrics(self)
        return metrics

    @property
    def busy(self) -> bool:
        """Whether the session is owed epochs (playing or stepping)."""
        return self.playing or self.steps_left > 0

    def network(self) -> Network:
        """A new network holding these parameters (the caller may change it)."""
        net = Network(list(self.layers), self.activation, self.output_activation)
        np.copyto(net.params, self.params)
        np.copyto(net.dead_mask, self.dead)
        return net

    def _parts(self) -> tuple[list, list, list]:
        parts = self._cache.get("parts")
        if parts is None:
            shapes = [
                (n_out, n_in + 1) for n_in, n_out in zip(self.layers, self.layers[1:], strict=False)
            ]
            weights, biases, dead, start = [], [], [], 0
            for n_out, width in shapes:
                end = start + n_out * width
                block = self.params[start:end].reshape(n_out, width)
                weights.append(block[:, :-1])
                biases.append(block[:, -1])
                dead.append(self.dead[start:end].reshape(n_out, width)[:, :-1])
                start = end
            parts = self._cache["parts"] = (weights, biases, dead)
        return parts

    @property
    def weights(self) -> list[np.ndarray]:
        return self._parts()[0]

    @property
    def biases(self) -> list[np.ndarray]:
        return self._parts()[1]

    @property
    def dead_links(self) -> list[np.ndarray]:
        return self._parts()[2]

    def node_grids(self, size: int) -> np.ndarray:
        """float32 (n_nodes, size, size) of every node, computed once per snapshot and size."""
        key = ("grids", size)
        grids = self._cache.get(key)
        if grids is None:
            grids = self._cache[key] = self.drawer.node_grids(self, size)
        return grids

    def thumbs(self, size: int) -> np.ndarray:
        """Every node's thumbnail: drawn by a worker (quantised), or computed here."""
        return self.drawn[1] if self.drawn is not None else self.node_grids(size)

    def picture(self, focus: int, grid_size: int, thumb_size: int) -> tuple[np.ndarray, np.ndarray]:
        """(the large grid of node `focus`, -1 for the output; every node's thumbnail)."""
        if focus == -1 and self.drawn is not None and self.drawn[0] is not None:
            return self.drawn[0], self.thumbs(thumb_size)
        if focus == -1 and self.task.classes > 2:  # one byte per cell: class and confidence
            key = ("picture", grid_size)
            if key not in self._cache:
                self._cache[key] = self.drawer.output_picture(self, grid_size)
            return self._cache[key], self.thumbs(thumb_size)
        return self.node_grids(grid_size)[focus], self.thumbs(thumb_size)

    def state(self) -> dict:
        """The session's part of a `state` message."""
        return {
            "config": self.config,
            "epoch": self.epoch,
            "playing": self.playing,
            "diverged": self.diverged,
            "speed": self.speed,
            "pace": self.pace,
            "trainedSeconds": round(self.trained_seconds, 4),
            "layers": list(self.layers),
            "inputs": list(self.inputs),
            "stopped": self.stopped,
        }

    def data(self) -> dict:
        message = {
            "type": "data",
            "train": self.train_points.tolist(),
            "test": self.test_points.tolist(),
        }
        if len(self.own):
            message["own"] = self.own.as_json()
        return message

    def prepare(self, grid_size: int, thumb_size: int, pack: bool) -> None:
        """Compute what the first frame of this state needs (every node's grids, the output's
        picture, the metrics, their packing) with a drawer of its own: on a rebuild thread,
        before the snapshot is published and while the event loop draws with the shared one."""
        drawer = Drawer()
        for size in (grid_size, thumb_size):
            self._cache[("grids", size)] = drawer.node_grids(self, size)
        if self.task.classes > 2:
            self._cache[("picture", grid_size)] = drawer.output_picture(self, grid_size)
        if self.measured is None:
            self._cache["metrics"] = drawer.metrics(self)
        if pack:
            self.packed(-1, grid_size, thumb_size)

    def packed(self, focus: int, grid_size: int, thumb_size: int) -> bytes:
        """`picture` packed for the wire, once per snapshot and focus (a worker packs the
        output's as it draws it)."""
        if focus == -1 and self.drawn is not None:
            return self.drawn[2]
        key = ("packed", focus, grid_size, thumb_size)
        packed = self._cache.get(key)
        if packed is None:
            packed = self._cache[key] = pack_pictures(*self.picture(focus, grid_size, thumb_size))
        return packed

    def frame(
        self,
        *,
        seq: int,
        focus: int | None,
        history: np.ndarray,
        sizes: tuple[int, int],
        pack: bool = True,
    ) -> bytes:
        """The binary frame of this state with these loss points; build once, send to many.
        `pack`: the pictures as one zlib stream (about a fifth of their bytes)."""
        if focus is None or not 0 <= focus < sum(self.layers):
            focus = -1
        if pack and focus == -1 and self.drawn is not None:
            grid, thumbs = None, self.drawn[1]  # the worker's packing is all the frame needs
        else:
            grid, thumbs = self.picture(focus, *sizes)
        return encode_frame(
            seq=seq,
            epoch=self.epoch,
            train_loss=self.losses[0],
            test_loss=self.losses[1],
            diverged=self.diverged,
            playing=self.playing,
            layers=self.layers,
            history=history,
            params=self.params,
            dead=self.dead,
            grid=grid,
            grid_size=sizes[0],
            thumbs=thumbs,
            focus=focus,
            packed=self.packed(focus, *sizes) if pack else None,
            metrics=self.metrics(),
        )

    def parts(self) -> dict:
        """What a fork or a push copies: the `restore` fields as arrays (read-only views)."""
        parts = {
            "config": dict(self.config),
            "epoch": self.epoch,
            "weights": self.weights,
            "biases": self.biases,
            "dead": self.dead_links,
        }
        if len(self.own):
            parts["own"] = self.own.as_json()
        return parts

    def restore_fields(self) -> dict:
        """The config and parameters as the protocol's `restore` fields, exact (float64)."""
        fields = {
            "config": self.config,
            "epoch": self.epoch,
            "weights": [w.tolist() for w in self.weights],
            "biases": [b.tolist() for b in self.biases],
            "dead": [d.astype(int).tolist() for d in self.dead_links],
        }
        if len(self.own):
            fields["own"] = self.own.as_json()
        return fields
