"""Slow engine work (new data sets, rebuilt runs) on a few threads, so the event loop never waits.

Data sets are drawn by pure Python (5 to 15 ms each); a small pool keeps the event loop's share of
the GIL large even when many sessions rebuild at once, where the default executor's many threads
would each take the GIL in turn.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

T = TypeVar("T")
SWITCH_INTERVAL_S = 0.001


class Offload:
    """Runs functions on its own threads and awaits them from the event loop."""

    def __init__(self, threads: int = 1) -> None:
        self._pool = ThreadPoolExecutor(max(1, threads), thread_name_prefix="rebuild")
        # A thread drawing data holds the GIL until asked to let go: after 5 ms by default, which
        # is how long the event loop would wait for it each time it wakes. 1 ms keeps messages
        # fast while data is drawn, at the cost of a few more switches.
        sys.setswitchinterval(SWITCH_INTERVAL_S)

    async def run(self, fn: Callable[..., T], *args: object) -> T:
        return await asyncio.get_running_loop().run_in_executor(self._pool, fn, *args)

    def stop(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
