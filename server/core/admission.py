"""New sessions at a steady pace: when hundreds of pages open within seconds (a lecture starting),
each waits its turn, in order, rather than all building their sessions at once or being refused.

A generic cell rate algorithm: sessions start at most `rate` a second after a burst of `burst`;
an arrival is told how long it waits, and one that would wait behind more than `most_waiting`
others is refused (its page retries with backoff).
"""

from __future__ import annotations

import time


class Admission:
    def __init__(self, rate: float, burst: int, most_waiting: int) -> None:
        self.interval = 1.0 / rate if rate > 0 else 0.0
        self.slack = max(0, burst - 1) * self.interval
        self.most_waiting = most_waiting
        self._next = float("-inf")  # the theoretical arrival time of the next session

    def reserve(self, now: float | None = None) -> float | None:
        """Seconds this arrival waits before its session starts (0: at once); None: refused,
        too many are waiting already."""
        if self.interval == 0:
            return 0.0
        now = time.monotonic() if now is None else now
        start = max(self._next, now)
        wait = max(0.0, start - self.slack - now)
        if wait > self.most_waiting * self.interval:
            return None
        self._next = start + self.interval
        return wait
