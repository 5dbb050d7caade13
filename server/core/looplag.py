"""How late the event loop runs: a probe task sleeps a fixed interval and records how much longer
than that it took to wake. Anything that holds the loop (a slow handler, NumPy on the loop, the
GIL held by a thread) shows up here first, for every client at once."""

from __future__ import annotations

import asyncio
import time
from collections import deque

# Upper bounds (seconds) of the histogram's buckets, Prometheus style (cumulative, then +Inf).
BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)
RECENT_S = 10.0  # the max gauge covers this window


class LoopLag:
    """A histogram of the probe's lag, their sum and count, and the largest in the last 10 s."""

    def __init__(self) -> None:
        self.counts = [0] * (len(BUCKETS) + 1)  # the last one: above every bound
        self.total = 0.0
        self.samples = 0
        self._recent: deque[tuple[float, float]] = deque()  # (when, lag), lags decreasing

    def observe(self, lag: float, now: float) -> None:
        lag = max(0.0, lag)
        i = next((i for i, bound in enumerate(BUCKETS) if lag <= bound), len(BUCKETS))
        self.counts[i] += 1
        self.total += lag
        self.samples += 1
        # A monotonic queue: the window's maximum is always at the front.
        while self._recent and self._recent[-1][1] <= lag:
            self._recent.pop()
        self._recent.append((now, lag))
        self._expire(now)

    def _expire(self, now: float) -> None:
        while self._recent and now - self._recent[0][0] > RECENT_S:
            self._recent.popleft()

    def recent_max(self, now: float | None = None) -> float:
        self._expire(time.monotonic() if now is None else now)
        return self._recent[0][1] if self._recent else 0.0

    def cumulative(self) -> list[tuple[str, int]]:
        """(le, count) rows of the histogram, cumulative as Prometheus wants them."""
        rows, running = [], 0
        for bound, count in zip(BUCKETS, self.counts, strict=False):
            running += count
            rows.append((f"{bound:g}", running))
        rows.append(("+Inf", running + self.counts[-1]))
        return rows


async def probe(lag: LoopLag, interval_s: float) -> None:
    """Measure the loop's lag every `interval_s` until cancelled."""
    loop = asyncio.get_running_loop()
    while True:
        start = loop.time()
        await asyncio.sleep(interval_s)
        now = loop.time()
        lag.observe(now - start - interval_s, time.monotonic())
