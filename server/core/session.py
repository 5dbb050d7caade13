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
from server.core.keep import (
    build_run,
    edited,
    export_text,
    restored_run,
    uploaded,
    with_own,
    with_points,
)
from server.core.offload import Offload
from server.core.protocol import ProtocolError
from server.core.snapshot import Drawer, Snapshot
from server.core.stops import Stops
from server.settings import Settings

__all__ = ["Session", "build_run", "restored_run"]


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
        self._stops = Stops()
        self._note_losses()
        self.snapshot = self._publish()

    @classmethod
    async def create(cls, settings: Settings, offload: Offload, config: dict | None = None):
        return cls(settings, await offload.run(build_run, settings, config), offload)

    @classmethod
    async def from_parts(cls, settings: Settings, offload: Offload, parts: dict) -> Session:
        """A session holding `parts` (the `restore` fields: config, epoch, weights, ...)."""
        run, history = await offload.run(restored_run, settings, parts)
        session = cls(settings, run, offload)
        session.history.add(history)
        return session

    # Changes, one at a time.

    async def configure(self, changes: dict) -> str:
        """Merge a partial config; returns the engine's verdict ("none", "data", ...)."""
        async with self._lock:
            accepted = check_config(changes, self.settings, self._run.config)
            config = self._run.config
            slow = any(key in DATA_KEYS and accepted[key] != config.get(key) for key in accepted)
            if slow:
                verdict = await self.offload.run(self._update, accepted)
            else:
                verdict = self._update(accepted)
            if verdict in ("network", "data"):
                self.history.clear()
                self._steps_left = 0
                self._stops.stopped = None
            self._stops.arm(self._run)
            self._note_losses()
            if slow:
                await self._changed_off_loop(data=verdict == "data")
            else:
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
            if playing:
                self._trainable("play")
            self._playing = playing
            self._steps_left = 0
            self._pace = None  # measured afresh once it plays
            self._stops.rearm(self._run)
            self._changed()

    async def request_steps(self, n: int) -> None:
        """Pause, then train `n` epochs in the scheduler's slices."""
        async with self._lock:
            self._trainable("step")
            was_playing, self._playing = self._playing, False
            self._steps_left = n
            stopped = self._stops.rearm(self._run)
            self._changed(state=was_playing or stopped is not None)

    def _trainable(self, request: str) -> None:
        if len(self._run.train_points) == 0:
            allowed = "training points: draw some, or upload a file"
            raise ProtocolError(request, True, allowed, request=request)

    async def set_speed(self, eps: int | str) -> None:
        async with self._lock:
            self._speed = eps
            self._changed(frame=False)

    async def reset(self) -> None:
        async with self._lock:
            self._run.reset()
            self._restarted()

    async def replay(self) -> None:
        """Epoch 0 again, with the very weights and points the network started from."""
        async with self._lock:
            self._run.replay()
            self._restarted(data=True)

    def _restarted(self, data: bool = False) -> None:
        self.history.clear()
        self._steps_left = 0
        self._stops.rearm(self._run)
        self._note_losses()
        self._changed(data=data)

    async def regenerate(self) -> None:
        async with self._lock:
            await self.offload.run(self._run.regenerate)
            self._note_losses()
            await self._changed_off_loop(data=True)

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

    async def restore(self, parts: dict) -> None:
        """Rebuild from the `restore` fields (config, epoch, weights, biases, and optional dead,
        own, training, history, data), or a model file's; all or nothing."""
        async with self._lock:
            run, history = await self.offload.run(restored_run, self.settings, parts)
            self._replaced(run)
            self.history.add(history)
            await self._changed_off_loop(data=True)

    def _replaced(self, run: Run) -> None:
        """A new run in place of the old one (its snapshot is published by the caller)."""
        self._run = run
        self._playing = False
        self._steps_left = 0
        self.history.clear()
        self._stops.rearm(run)
        self._note_losses()

    async def edit_points(self, add=None, erase=None, clear: bool = False) -> str:
        """Add, erase or clear own points; the data turns to them (`ownData`) if it was not
        already (new data, a new network), else the network trains on. Returns the verdict."""
        async with self._lock:
            own = edited(self._run, self.settings, add, erase, clear)
            if self._run.config["ownData"]:
                verdict = await self.offload.run(with_points, self._run, own)
            else:
                verdict = await self.offload.run(with_own, self._run, own)
                self.history.clear()
                self._steps_left = 0
            if len(self._run.train_points) == 0 and (self._playing or self._steps_left):
                self._playing, self._steps_left = False, 0
            self._stops.arm(self._run)
            self._note_losses()
            await self._changed_off_loop(data=True)
            return verdict

    async def upload(self, text: object) -> None:
        """A CSV file's points as own data, with the problem type and classes they need; a new
        network. A malformed file changes nothing."""
        async with self._lock:
            run = await self.offload.run(uploaded, self.settings, dict(self._run.config), text)
            self._replaced(run)
            await self._changed_off_loop(data=True)

    async def export(self, kind: str) -> tuple[str, str]:
        """(file name, text): the session as a model file or a Python script, exactly as it is."""
        async with self._lock:
            rows, _ = self.history.since(-1, self.settings.max_history)
            return await self.offload.run(export_text, self._run, rows, kind)

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
        n, stop = self._limited(n)
        sizes = (self.settings.grid_size, self.settings.thumb_size)
        job = self._run.training_job(n, sizes, stop) if n > 0 else None
        return None if job is None else (self._versions[0], job)

    def _limited(self, n: int) -> tuple[int, float | None]:
        """At most `n` epochs: fewer if stepping or the stop epoch ends first; the loss stop."""
        return self._stops.limit(min(n, self._steps_left) if self._steps_left else n, self._run)

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
        return self._trained(points, result.n, drawn, result.metrics)

    def train_here(self, n: int) -> int:
        """Train up to `n` epochs in this process (fewer if stepping ends first)."""
        if self.changing or not self.snapshot.busy:
            return 0
        n, stop = self._limited(n)
        started = time.perf_counter()
        points = self._run.step(n, stop)
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

    def _trained(
        self, points: np.ndarray, n: int, drawn: tuple | None = None, measured=None
    ) -> int:
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
        elif (self._playing or self._steps_left or k) and self._stops.met(self._run):
            self._playing, self._steps_left, paused = False, 0, True  # a goal reached: say so
        if k or paused:
            keep = not paused or self._stops.stopped is not None
            self._changed(
                state=paused,
                drawn=drawn if keep else None,
                measured=measured if keep else None,
            )
        return k

    def _halt(self) -> None:
        self._playing, self._steps_left = False, 0
        self._changed()

    # Publishing.

    def _note_losses(self) -> None:
        run = self._run
        train, test = run.train_loss, run.test_loss
        # A set without points has no loss (NaN): shown as 0, the last finite loss otherwise.
        train = 0.0 if len(run.train_points) == 0 else train
        test = 0.0 if len(run.test_points) == 0 else test
        if math.isfinite(train) and math.isfinite(test):
            self._losses = (float(train), float(test))

    def _changed(
        self,
        *,
        frame: bool = True,
        state: bool = True,
        data: bool = False,
        drawn=None,
        measured=None,
    ) -> None:
        """Move the versions a reader compares and publish the new snapshot."""
        v_frame, v_state, v_data = self._versions
        self._versions = (v_frame + frame, v_state + state, v_data + data)
        self.snapshot = self._publish(drawn, measured)

    async def _changed_off_loop(self, *, data: bool) -> None:
        """`_changed` after a slow change (new data, a new run): the new snapshot's first
        pictures and metrics are made on a rebuild thread before it is published, so that the
        event loop only puts its first frame together, however many rooms rebuild at once."""
        v_frame, v_state, v_data = self._versions
        self._versions = (v_frame + 1, v_state + 1, v_data + data)
        snapshot = self._publish()
        sizes = (self.settings.grid_size, self.settings.thumb_size)
        await self.offload.run(snapshot.prepare, *sizes, self.settings.pack_frames)
        self.snapshot = snapshot

    def _publish(self, drawn: tuple | None = None, measured=None) -> Snapshot:
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
            own=run.own,
            measured=measured,
            stopped=self._stops.stopped,
        )
