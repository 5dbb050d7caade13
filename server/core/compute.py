"""Requests that compute (the lessons' APIs) run on their own threads, never on the event loop,
with a bound on how many one client address, and everyone together, may have waiting or running.

Their own threads, not the rebuild threads of `Offload`: a class opening a lesson must not delay
new playground sessions. Past a bound the request is refused at once (429 for one address, 503
when everyone's share is taken): a queue nobody bounds is a queue one client can fill.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

from server.core.errors import RequestError
from server.settings import Settings

T = TypeVar("T")


class Compute:
    """A small thread pool whose work is counted per client address."""

    def __init__(self, settings: Settings) -> None:
        self.per_address = settings.max_compute_per_ip
        self.most = settings.max_compute_queue
        self._pool = ThreadPoolExecutor(max(1, settings.compute_threads), "compute")
        self.in_flight: Counter[str] = Counter()
        self.total = 0
        self.refused = 0

    def admit(self, address: str) -> None:
        """Count one more request of `address`, or refuse it with the bound it broke."""
        if self.in_flight[address] >= self.per_address:
            self.refused += 1
            allowed = f"at most {self.per_address} computing requests at once per address"
            raise RequestError("requests", self.in_flight[address], allowed, 429)
        if self.total >= self.most:
            self.refused += 1
            allowed = f"at most {self.most} computing requests at once; try again shortly"
            raise RequestError("requests", self.total, allowed, 503)
        self.in_flight[address] += 1
        self.total += 1

    def release(self, address: str) -> None:
        self.total -= 1
        self.in_flight[address] -= 1
        if self.in_flight[address] <= 0:
            del self.in_flight[address]

    async def run(self, address: str, fn: Callable[..., T], *args: object) -> T:
        """`fn(*args)` on a compute thread, counted against `address` until it is done."""
        self.admit(address)
        future = asyncio.get_running_loop().run_in_executor(self._pool, fn, *args)
        try:
            # Shielded: a client that leaves does not free its slot before the thread does.
            return await asyncio.shield(future)
        finally:
            if future.done():
                self.release(address)
            else:
                future.add_done_callback(lambda _: self.release(address))

    def stop(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
