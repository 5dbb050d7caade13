"""One training session and its one owner: every change goes through one serialized path, and
readers see only the snapshots it publishes."""

from __future__ import annotations

import asyncio

from engine import ConfigError, Run
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
from server.core.session_publishing import SessionPublishing
from server.core.session_training import SessionTraining
from server.core.snapshot import Drawer
from server.core.stops import Stops
from server.settings import Settings

__all__ = ["Session", "build_run", "restored_run"]


class Session(SessionTraining, SessionPublishing):
    """A playground's whole training state, changed only by its owner's methods.

    Changes (client messages, room actions) are async methods that run one at a time under a
    lock; slow ones (new data, a restore) build off the event loop in `offload` meanwhile. The
    scheduler trains through `job`, `take` and `train_here`: they run on the event loop between
    changes and do nothing while one is under way, since a result made before a change is stale
    (the change wins). After every change the owner publishes `snapshot`, immutable, which is all
    that outlets, rooms and the gallery ever read; the loss `history` is an append-only log that
    only the owner writes.

    The changes are here; the scheduler's calls are in `SessionTraining`
    (server.core.session_training) and publishing in `SessionPublishing`
    (server.core.session_publishing).
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
