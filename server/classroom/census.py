"""Every process's open sessions, counted in Redis once a second, so that `max_cluster_sessions`
bounds the whole course and not each process alone.

The hash `cluster:sessions` holds, per process id, "<sessions> <unix time>"; each heartbeat a
process writes its own count and reads the others' (those older than a heartbeat's expiry are
gone: their process stopped). The figure may be a second old: a limit, not an exact count.
"""

from __future__ import annotations

import time
from typing import Any

CENSUS = "cluster:sessions"
FRESH_S = 3.0  # a count older than this is of a process that stopped


class Census:
    def __init__(self, me: str) -> None:
        self.me = me
        self.limiter: Any = None  # this process's ConnectionLimiter, once the app has one

    def count(self, pipe: Any) -> None:
        """Queue this process's count and the reading of every other's (two replies)."""
        total = self.limiter.total if self.limiter is not None else 0
        pipe.hset(CENSUS, self.me, f"{total} {time.time():.3f}")
        pipe.hgetall(CENSUS)

    def counted(self, entries: dict) -> list[bytes]:
        """Take the others' counts (the reply of `hgetall`) into this process's limiter; the
        entries of processes that stopped long ago (to delete)."""
        now, elsewhere, stale = time.time(), 0, []
        for proc, value in entries.items():
            try:
                sessions, stamp = value.decode().split()
                age = now - float(stamp)
                count = int(sessions)
            except (ValueError, UnicodeDecodeError):
                stale.append(proc)
                continue
            if age >= 10 * FRESH_S:
                stale.append(proc)
            elif age < FRESH_S and proc.decode() != self.me:
                elsewhere += count
        if self.limiter is not None:
            self.limiter.elsewhere = elsewhere
        return stale
