"""One training session and its one owner: every change goes through one serialized path, and
readers see only the snapshots it publishes."""

from __future__ import annotations

import asyncio
import math
import time

import numpy as np

from engine import ConfigError, Run
from engine.remote import TrainingData, TrainingJob, TrainingResult
from server.core.config import DATA_KEYS, check_config, config_error
from server.core.history import History
from server.core.offload import Offload
from server.core.protocol import ProtocolError
from server.core.snapshot import Drawer, Snapshot
from server.settings import Settings


def build_run(settings: Settings, config: dict | None) -> Run:
    """A run from a partial config, after the server's limits (slow: it draws the data)."""
    try:
        return Run.from_config(check_config(config or {}, settings))
    except ConfigError as exc:
        raise config_error(exc) from None


def restored_run(settings: Settings, config: dict, epoch: int, weights, biases, dead) -> Run:
    """A run from `config` holding these parameters; all or nothing (slow, like `build_run`)."""
    run = build_run(settings, config)
    try:
        run.restore(weights, biases, epoch, dead)
    except ConfigError as exc:
        raise config_error(exc) from None
    return run


class Session:
    """A playground's whole training state, changed only by its owner's methods.

    Changes (client messages, room actions) are async methods that run one at a time under a
    lock; slow ones (new data, a restore) build off the event loop in `offload` meanwhile. The
    scheduler trains through `job`, `take` and `train_here`: they run on the event loop between
    changes and do nothing while one is under way, since a result made before a change is stale
    (the change wins). After every change the owner publishes `snapshot`, immutable, which is all
    that outlets, rooms and the gallery ever read; the loss `history` is an append-only log that
    only the owner writes.
    """

    def __init__(self, settings: Settings, run: Run, offload: Offload) -> None:
        self.settings = settings
        self.offload = offload
        self.history = History(settings.max_history)
        self.epochs_trained = 0
        self.seconds_trained = 0.0  # the engine's time spent on it (its share of stacks)
        self._pace: dict | None = None  # the scheduler's note of its real pace, when slower
        self._run = run
        self._lock = asyncio.Lock()
        self._drawer = Drawer()
        self._playing = False
        self._speed: int | str = settings.default_speed
        self._steps_left = 0
        self._versions = (0, 0, 0)  # frame, state, data
        self._losses = (0.0, 0.0)
        self._note_losses()
        self.snapshot = self._publish()

    @classmethod
    async def create(cls, settings: Settings, offload: Offload, config: dict | None = None):
        return cls(settings, await offload.run(build_run, settings, config), offload)

    @classmethod
    async def from_parts(cls, settings: Settings, offload: Offload, parts: dict) -> Session:
        """A session holding `parts` (the `restore` fields: config, epoch, weights, ...)."""
        fields = (parts["config"], parts["epoch"], parts["weights"], parts["biases"])
        run = await offload.run(restored_run, settings, *fields, parts.get("dead"))
        return cls(settings, run, offload)

    # Changes, one at a time.

    async def configure(self, changes: dict) -> str:
        """Merge a partial config; returns the engine's verdict ("none", "data", ...)."""
        async with self._lock:
            accepted = check_config(changes, self.settings, self._run.config)
            config = self._run.config
            if any(key in DATA_KEYS and accepted[key] != config.get(key) for key in accepted):
                verdict = await self.offload.run(self._update, accepted)
            else:
                verdict = self._update(accepted)
            if verdict in ("network", "data"):
                self.history.clear()
                self._steps_left = 0
            self._note_losses()
            self._changed(data=verdict == "data")
            return verdict

    def _update(self, accepted: dict) -> str:
        try:
            return self._run.update(accepted)
        except ConfigError as exc:
            raise config_error(exc) from None

    async def set_playing(self, playing: bool) -> None:
        async with self._lock:
            if playing and self._run.diverged:
                allowed = "reset, or change the config: the network diverged"
                raise ProtocolError("play", True, allowed, request="play")
            self._playing = playing
            self._steps_left = 0
            self._pace = None  # measured afresh once it plays
            self._changed()

    async def request_steps(self, n: int) -> None:
        """Pause, then train `n` epochs in the scheduler's slices."""
        async with self._lock:
            was_playing, self._playing = self._playing, False
            self._steps_left = n
            self._changed(state=was_playing)

    async def set_speed(self, eps: int | str) -> None:
        async with self._lock:
            self._speed = eps
            self._changed(frame=False)

    async def reset(self) -> None:
        async with self._lock:
            self._run.reset()
            self.history.clear()
            self._steps_left = 0
            self._note_losses()
            self._changed()

    async def regenerate(self) -> None:
        async with self._lock:
            await self.offload.run(self._run.regenerate)
            self._note_losses()
            self._changed(data=True)

    async def set_weight(self, layer: int, to: int, frm: int | None, value: float) -> None:
        async with self._lock:
            try:
                if frm is None:
                    self._run.set_bias(layer, to, value)
                else:
                    self._run.set_weight(layer, to, frm, value)
            except ConfigError as exc:
                raise config_error(exc) from None
            self._note_losses()
            self._changed(state=False)

    async def restore(self, config: dict, epoch: int, weights, biases, dead=None) -> None:
        """Rebuild from `config`, then take these parameters; all or nothing."""
        async with self._lock:
            fields = (config, epoch, weights, biases, dead)
            self._run = await self.offload.run(restored_run, self.settings, *fields)
            self._playing = False
            self._steps_left = 0
            self.history.clear()
            self._note_losses()
            self._changed(data=True)

    # Training, called by the scheduler on the event loop.

    @property
    def changing(self) -> bool:
        """Whether a change is under way (training waits; results made meanwhile are dropped)."""
        return self._lock.locked()

    def job(self, n: int) -> tuple[int, TrainingJob] | None:
        """The next `n` epochs (fewer if stepping ends first) as a job for an engine worker, with
        the version it was made at; None if there is nothing to send now."""
        if self.changing or not self.snapshot.busy:
            return None
        if self._run.diverged:
            self._halt()  # a diverged network trains no further
            return None
        if self._steps_left:
            n = min(n, self._steps_left)
        sizes = (self.settings.grid_size, self.settings.thumb_size)
        job = self._run.training_job(n, sizes) if n > 0 else None
        return None if job is None else (self._versions[0], job)

    def training_data(self) -> TrainingData:
        """The points a worker trains this session's jobs on (a worker gets them once)."""
        return self._run.training_data()

    def take(self, version: int, result: TrainingResult | str) -> int:
        """Take in a job's result as `train_here` would have trained it; returns the epochs taken.

        A result made before a change (an edit, a reset, new data) is dropped: the change wins.
        """
        if self.changing or version != self._versions[0] or not self.snapshot.busy:
            return 0
        if isinstance(result, str):
            self._halt()
            raise RuntimeError(f"a worker could not train the session: {result}")
        points = self._run.apply_training(result)
        self.seconds_trained += result.seconds
        drawn = result.grids if len(result.grids) == 3 else None
        return self._trained(points, result.n, drawn)

    def train_here(self, n: int) -> int:
        """Train up to `n` epochs in this process (fewer if stepping ends first)."""
        if self.changing or not self.snapshot.busy:
            return 0
        if self._steps_left:
            n = min(n, self._steps_left)
        started = time.perf_counter()
        points = self._run.step(n)
        self.seconds_trained += time.perf_counter() - started
        return self._trained(points, n)

    def note_pace(self, pace: dict | None) -> bool:
        """Take the scheduler's note of this session's real pace (server.core.shares.pace_note),
        which its page shows beside the speed; whether it was taken (not during a change)."""
        if self.changing:
            return False
        if pace != self._pace:
            self._pace = pace
            self._changed(frame=False)
        return True

    def fail(self) -> None:
        """Training this session failed: it stops, and its page hears so."""
        if not self.changing:
            self._halt()

    def _trained(self, points: np.ndarray, n: int, drawn: tuple | None = None) -> int:
        k = len(points)
        if self._steps_left:
            self._steps_left = 0 if k < n else self._steps_left - k
        paused = False
        if k:
            self.history.add(points[np.isfinite(points).all(axis=1)])
            self.epochs_trained += k
            self._note_losses()
        if self._run.diverged and (self._playing or self._steps_left):
            self._playing, self._steps_left, paused = False, 0, True
        if k or paused:
            self._changed(state=paused, drawn=None if paused else drawn)
        return k

    def _halt(self) -> None:
        self._playing, self._steps_left = False, 0
        self._changed()

    # Publishing.

    def _note_losses(self) -> None:
        train, test = self._run.train_loss, self._run.test_loss
        if math.isfinite(train) and math.isfinite(test):
            self._losses = (float(train), float(test))

    def _changed(
        self, *, frame: bool = True, state: bool = True, data: bool = False, drawn=None
    ) -> None:
        """Move the versions a reader compares and publish the new snapshot."""
        v_frame, v_state, v_data = self._versions
        self._versions = (v_frame + frame, v_state + state, v_data + data)
        self.snapshot = self._publish(drawn)

    def _publish(self, drawn: tuple | None = None) -> Snapshot:
        run = self._run
        net = run.network
        net.packed()
        return Snapshot.of(
            version=self._versions[0],
            state_version=self._versions[1],
            data_version=self._versions[2],
            config=dict(run.config),
            epoch=int(run.epoch),
            losses=self._losses,
            diverged=bool(run.diverged),
            playing=self._playing,
            speed=self._speed,
            pace=self._pace if self._playing else None,
            trained_seconds=self.seconds_trained,
            steps_left=self._steps_left,
            layers=tuple(int(n) for n in net.layer_sizes),
            inputs=tuple(run.input_names),
            activation=net.activation,
            output_activation=net.output_activation,
            params=net.params,
            dead=net.dead_mask,
            train_points=run.train_points,
            test_points=run.test_points,
            drawer=self._drawer,
            drawn=drawn,
        )
