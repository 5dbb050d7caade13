"""A session's training clock: the epochs its speed has earned, and what an epoch costs it."""

from __future__ import annotations

from server.core.snapshot import Snapshot


class Pace:
    """A session's training clock: epochs owed at its speed, and the measured cost of one."""

    def __init__(self, now: float) -> None:
        self.credit = 0.0
        self.slices = 0.0  # epochs' worth of slices not yet trained (slices can be < 1 epoch)
        self.stamp = now
        self.seconds_per_epoch = 0.0  # unknown until measured: train one epoch first

    def owed(self, snap: Snapshot, now: float, slice_s: float) -> int:
        """How many epochs to train this round."""
        elapsed, self.stamp = now - self.stamp, now
        if not self.seconds_per_epoch:
            return 1
        self.slices = min(self.slices + slice_s / self.seconds_per_epoch, 1e6)
        fit = int(self.slices)
        if snap.steps_left or snap.speed == "max":
            self.credit = 0.0
            self.slices -= fit
            return fit
        speed = float(snap.speed)
        # Owed epochs accrue with time, but a backlog (a busy server) is forgiven, not replayed.
        self.credit = min(self.credit + elapsed * speed, max(1.0, speed * 0.1))
        n = min(int(self.credit), fit)
        self.credit -= n
        self.slices = min(self.slices - n, 1.0)
        return n

    def allowance(self, snap: Snapshot, now: float) -> int | None:
        """How many epochs its speed allows now: None for "max" and steps (as many as its share
        gives); what `spend` does not take stays owed, up to a tenth of a second's worth."""
        elapsed, self.stamp = now - self.stamp, now
        if snap.steps_left or snap.speed == "max":
            self.credit = 0.0
            return None
        speed = float(snap.speed)
        self.credit = min(self.credit + elapsed * speed, max(1.0, speed * 0.1))
        return int(self.credit)

    def spend(self, epochs: int) -> None:
        """Epochs sent to train on the allowance."""
        self.credit = max(0.0, self.credit - epochs)

    def measured(self, epochs: int, seconds: float) -> None:
        per = seconds / epochs
        old = self.seconds_per_epoch
        self.seconds_per_epoch = per if not old else 0.7 * old + 0.3 * per

    def next_epoch_at(self, snap: Snapshot) -> float:
        if snap.steps_left or snap.speed == "max":
            return self.stamp
        return self.stamp + max(0.0, 1.0 - self.credit) / float(snap.speed)
