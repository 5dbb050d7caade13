"""How a session publishes: the versions a reader compares, the last finite losses and the
immutable snapshot of the run as it is, made after every change and every trained slice.

`SessionPublishing` is a base class of `Session` (server.core.session): only the owner's changes
and the scheduler's calls (server.core.session_training) publish.
"""

from __future__ import annotations

import math

from server.core.snapshot import Snapshot


class SessionPublishing:
    """Publishing: the versions move and a new `snapshot` replaces the old one."""

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
