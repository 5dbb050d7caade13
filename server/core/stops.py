"""A session's stop conditions (`stopEpoch`, `stopTestLoss`, issue 12): which can still be met, how
far training may go before the epoch one, and the note of the one that paused the session."""

from __future__ import annotations

from engine import Run


class Stops:
    """Armed conditions: `epoch` (pause there) and `loss` (pause once the test loss is at or below
    it; the engine checks it epoch by epoch); `stopped` is the note of the last one met, if any."""

    def __init__(self) -> None:
        self.epoch: int | None = None
        self.loss: float | None = None
        self.stopped: dict | None = None

    def arm(self, run: Run) -> None:
        """The conditions that can still be met from here: the epoch if it lies ahead, the test
        loss if it is above its target (a condition met already does not stop again)."""
        epoch, loss = run.config["stopEpoch"], run.config["stopTestLoss"]
        self.epoch = epoch if epoch > run.epoch else None
        self.loss = loss if loss > 0 and not run.test_loss <= loss else None

    def rearm(self, run: Run) -> dict | None:
        """Forget the note (training goes on, or starts again) and arm; returns the old note."""
        stopped, self.stopped = self.stopped, None
        self.arm(run)
        return stopped

    def limit(self, n: int, run: Run) -> tuple[int, float | None]:
        """At most `n` epochs, fewer if the stop epoch comes first; and the loss to stop at."""
        if self.epoch is not None:
            n = min(n, self.epoch - run.epoch)
        return n, self.loss

    def met(self, run: Run) -> bool:
        """Whether a condition was met by the epochs just trained: if so it is noted, and none
        stays armed."""
        reason = None
        if self.epoch is not None and run.epoch >= self.epoch:
            reason = "stopEpoch"
        elif self.loss is not None and run.stopped:
            reason = "stopTestLoss"
        if reason is None:
            return False
        self.stopped = {"reason": reason, "epoch": run.epoch, "testLoss": run.test_loss}
        self.epoch = self.loss = None
        return True
