"""The scheduler's side of a session: its next job, a job's result taken in, a slice trained in
this process, its pace and a failure, all on the event loop between the owner's changes.

`SessionTraining` is a base class of `Session` (server.core.session): it works on the session's
run, steps left, stops and playing flag, and publishes through `SessionPublishing`
(server.core.session_publishing).
"""

from __future__ import annotations

import time

import numpy as np

from engine.remote import TrainingData, TrainingJob, TrainingResult


class SessionTraining:
    """Training, called by the scheduler on the event loop: nothing while a change is under way,
    and a result made before a change is dropped (the change wins)."""

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
        packed = self.settings.pack_frames  # then the large picture need not come back
        job = self._run.training_job(n, sizes, stop, packed) if n > 0 else None
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
