"""One training session: an engine Run, playing, speed, pending steps, loss history. No I/O."""

from __future__ import annotations

import math

import numpy as np

from engine import ConfigError, Run
from engine.remote import TrainingJob, TrainingResult
from server.core.config import DATA_KEYS, check_config, config_error
from server.core.frames import encode_frame
from server.core.history import History
from server.core.protocol import ProtocolError
from server.settings import Settings


class Session:
    """A playground's whole server-side state; handlers change it, the scheduler trains it.

    Versions let readers notice changes without callbacks: `version` moves whenever a frame would
    differ, `state_version` when the `state` message would, `data_version` when the points do.
    """

    def __init__(self, settings: Settings, config: dict | None = None) -> None:
        self.settings = settings
        try:
            self.run = Run.from_config(check_config(config or {}, settings))
        except ConfigError as exc:
            raise config_error(exc) from None
        self.playing = False
        self.speed: int | str = settings.default_speed
        self.steps_left = 0
        # True while a worker thread rebuilds the run: nobody else may touch it meanwhile.
        self.held = False
        self._result: TrainingResult | None = None  # a worker's result on its way into `train`
        self._grids: tuple | None = None  # (version, output grid, thumbnails) drawn by a worker
        self.history = History(settings.max_history)
        self.version = self.state_version = self.data_version = 0
        self.losses = (0.0, 0.0)
        self._note_losses()

    # Changes made by messages.

    def changed(self, state: bool = True, data: bool = False) -> None:
        self.version += 1
        self.state_version += state
        self.data_version += data

    def changes_data(self, changes: dict) -> bool:
        """Whether `changes` would make new data (slow), judged without validating them."""
        config = self.run.config
        return any(key in DATA_KEYS and changes[key] != config.get(key) for key in changes)

    def apply_config(self, changes: dict) -> str:
        """Merge a partial config; returns the engine's verdict ("none", "data", ...)."""
        try:
            verdict = self.run.update(check_config(changes, self.settings, self.run.config))
        except ConfigError as exc:
            raise config_error(exc) from None
        if verdict in ("network", "data"):
            self.history.clear()
            self.steps_left = 0
        self._note_losses()
        self.changed(data=verdict == "data")
        return verdict

    def set_playing(self, playing: bool) -> None:
        if playing and self.run.diverged:
            raise ProtocolError(
                "play", True, "reset, or change the config: the network diverged", request="play"
            )
        self.playing = playing
        self.steps_left = 0
        self.changed()

    def request_steps(self, n: int) -> None:
        """Pause, then train `n` epochs in the scheduler's slices."""
        was_playing, self.playing = self.playing, False
        self.steps_left = n
        self.changed(state=was_playing)

    def reset(self) -> None:
        self.run.reset()
        self.history.clear()
        self.steps_left = 0
        self._note_losses()
        self.changed()

    def regenerate(self) -> None:
        self.run.regenerate()
        self._note_losses()
        self.changed(data=True)

    def set_weight(self, layer: int, to: int, frm: int | None, value: float) -> None:
        try:
            if frm is None:
                self.run.set_bias(layer, to, value)
            else:
                self.run.set_weight(layer, to, frm, value)
        except ConfigError as exc:
            raise config_error(exc) from None
        self.changed(state=False)

    def restore(self, config: dict, epoch: int, weights, biases, dead=None) -> None:
        """Rebuild from `config`, then take these parameters; all or nothing."""
        try:
            run = Run.from_config(check_config(config, self.settings))
            run.restore(weights, biases, epoch, dead)
        except ConfigError as exc:
            raise config_error(exc) from None
        self.run = run
        self.playing = False
        self.steps_left = 0
        self.history.clear()
        self._note_losses()
        self.changed(data=True)

    # Training, called by the scheduler.

    @property
    def busy(self) -> bool:
        """Whether the scheduler owes this session epochs (playing or stepping)."""
        return (self.playing or self.steps_left > 0) and not self.held

    def train(self, n: int) -> int:
        """Train up to `n` epochs (fewer if stepping ends first); returns how many ran."""
        if self.steps_left:
            n = min(n, self.steps_left)
        result, self._result = self._result, None
        points = self.run.step(n) if result is None else self.run.apply_training(result)
        return self._trained(points, n)

    def training_job(self, n: int) -> TrainingJob | None:
        """`train(n)` as a job for another process; None if there is nothing to train."""
        if self.steps_left:
            n = min(n, self.steps_left)
        sizes = (self.settings.grid_size, self.settings.thumb_size)
        return self.run.training_job(n, sizes) if n > 0 else None

    def apply_training(self, result: TrainingResult) -> int:
        """Take in a job's result exactly as `train` would have; the run must not have changed
        since the job was made (see `version`)."""
        # Through `train`, so that whatever counts trained epochs (a room does) sees these too.
        self._result = result
        try:
            done = self.train(result.n)
        finally:
            self._result = None
        if done and result.grids:
            # The worker drew the state it ended in, which is this version's: the next frame
            # reuses its grids instead of evaluating them here.
            self._grids = (self.version, *result.grids)
        return done

    def _trained(self, points: np.ndarray, n: int) -> int:
        k = len(points)
        if self.steps_left:
            self.steps_left = 0 if k < n else self.steps_left - k
        if k:
            finite = np.isfinite(points).all(axis=1)
            self.history.add(points[finite])
            self._note_losses()
            self.version += 1
        if self.run.diverged and self.busy:
            # A diverged network trains no further: pause and say so in `state`.
            self.playing = False
            self.steps_left = 0
            self.changed()
        return k

    def _note_losses(self) -> None:
        train, test = self.run.train_loss, self.run.test_loss
        if math.isfinite(train) and math.isfinite(test):
            self.losses = (float(train), float(test))

    # What readers see.

    @property
    def layers(self) -> list[int]:
        weights = self.run.network.weights
        return [int(weights[0].shape[1])] + [int(w.shape[0]) for w in weights]

    def state(self) -> dict:
        """The session's part of a `state` message."""
        return {
            "config": self.run.config,
            "epoch": int(self.run.epoch),
            "playing": self.playing,
            "diverged": bool(self.run.diverged),
            "speed": self.speed,
            "layers": self.layers,
            "inputs": list(self.run.input_names),
        }

    def data(self) -> dict:
        return {
            "type": "data",
            "train": self.run.train_points.tolist(),
            "test": self.run.test_points.tolist(),
        }

    def frame(self, *, seq: int, focus: int | None, cursor: int) -> tuple[bytes, int]:
        """The binary frame of the newest state, with the loss points after history `cursor`.

        Returns (frame bytes, the new cursor). Call it once and send the bytes to many clients.
        """
        settings = self.settings
        history, cursor = self.history.since(cursor, settings.max_history_per_frame)
        layers = self.layers
        if focus is None or not 0 <= focus < sum(layers):
            focus = -1
        drawn = self._grids
        if drawn is not None and drawn[0] == self.version:
            _, output, thumbs = drawn
        else:
            output = None
            thumbs = self.run.node_grids(settings.thumb_size)
        grid = output if focus == -1 and output is not None else None
        if grid is None:
            grid = self.run.node_grids(settings.grid_size)[focus]
        net = self.run.network
        frame = encode_frame(
            seq=seq,
            epoch=int(self.run.epoch),
            train_loss=self.losses[0],
            test_loss=self.losses[1],
            diverged=bool(self.run.diverged),
            playing=self.playing,
            layers=layers,
            history=history,
            weights=net.weights,
            biases=net.biases,
            dead=net.dead,
            grid=grid,
            thumbs=thumbs,
            focus=focus,
        )
        return frame, cursor
