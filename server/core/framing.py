"""Building the due frames, for the scheduler: in what order, a millisecond's worth at a time.

First the frames of the sessions whose results just came back from the engine workers, in the
order they came (also as more land meanwhile), then a pass over every client (acks, rooms,
changes). A result's frame waits only for the ones that landed before it, not for the pass to
come round to its client, so each session's frames keep an even pace.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable

from server.core.metrics import Metrics
from server.core.outlet import Outlet
from server.core.session import Session

log = logging.getLogger(__name__)
# Frames are built a millisecond's worth at a time between the event loop's turns: a turn per
# frame cost as much as building a small network's frame.
FRAMES_TURN_S = 0.001


class FrameBuilder:
    """Builds the frames of the scheduler's `outlets` (an ordered set, shared with it)."""

    def __init__(self, outlets: dict[Outlet, None], metrics: Metrics) -> None:
        self.outlets = outlets
        self.metrics = metrics
        self._turn_at = 0.0  # when the frames last stepped aside for the event loop

    async def build(self, take_in: Callable[[], dict[Session, None] | None]) -> bool:
        """Build every due frame; whether any was due. `take_in()` takes in what landed and gives
        the sessions that took a result, in landing order (emptied as their frames are built)."""
        worked = False
        self._turn_at = time.monotonic()
        for outlet in list(self.outlets):
            worked = await self._fresh(take_in()) or worked
            worked = await self._one(outlet) or worked
        worked = await self._fresh(take_in()) or worked
        if worked:
            await asyncio.sleep(0)
        return worked

    async def _fresh(self, fresh: dict[Session, None] | None) -> bool:
        """The frames of the sessions that took a result, in the order they took it."""
        if not fresh:
            return False
        waiting: dict[Session, list[Outlet]] = {session: [] for session in fresh}
        fresh.clear()
        for outlet in self.outlets:
            outlets = waiting.get(outlet.session)
            if outlets is not None:
                outlets.append(outlet)
        worked = False
        for outlets in waiting.values():
            for outlet in outlets:
                worked = await self._one(outlet) or worked
        return worked

    async def _one(self, outlet: Outlet) -> bool:
        """Build the outlet's frame if one is due; whether it was. Steps aside for the event loop
        once a millisecond's worth is built."""
        now = time.monotonic()
        if outlet not in self.outlets or not outlet.frame_due(now):
            return False
        try:
            self.metrics.frames_built += 1
            outlet.make_frame(now)
        except Exception:
            log.exception("building a frame failed; the client is dropped")
            self.outlets.pop(outlet, None)
            close = getattr(outlet, "close", None)
            if close is not None:
                close("internal error while building a frame")
        if time.monotonic() - self._turn_at >= FRAMES_TURN_S:  # the loop's turn: frames go out
            await asyncio.sleep(0)
            self._turn_at = time.monotonic()
        return True
