"""One connection as message handlers see it, the registry of handlers by message type, and the
dispatch of one text message to its handler."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from server.core.outlet import ClientOutlet
from server.core.protocol import ProtocolError, error_message, parse_message
from server.core.scheduler import Scheduler
from server.core.session import Session
from server.settings import Settings

log = logging.getLogger(__name__)


@dataclass
class Context:
    """One connection as handlers see it. `extras` holds other modules' per-connection state;
    `closers` run when the connection ends."""

    session: Session
    outlet: ClientOutlet
    scheduler: Scheduler
    settings: Settings
    extras: dict = field(default_factory=dict)
    closers: list[Callable[[], None]] = field(default_factory=list)

    def reply(self, message: dict) -> None:
        self.outlet.send(message)

    def refresh(self, *, frame: bool = True, state: bool = False, rebuilt: bool = False) -> None:
        """After a change: queue `state`/`data` as needed, ask for a frame, wake the scheduler."""
        if rebuilt:
            self.scheduler.session_changed(self.session)
        if frame:
            self.outlet.want_frame()
        self.outlet.sync(force_state=state)
        self.scheduler.wake()


Handler = Callable[[Context, dict], Awaitable[None]]
HANDLERS: dict[str, Handler] = {}


def handler(name: str) -> Callable[[Handler], Handler]:
    """Register a handler for messages of type `name`."""

    def register(fn: Handler) -> Handler:
        HANDLERS[name] = fn
        return fn

    return register


def refusal(exc: Exception, kind: str | None) -> dict:
    """The `error` reply for a message that failed; a bug is logged and costs only the answer."""
    if isinstance(exc, ProtocolError):
        if exc.request is None:
            exc.request = kind
        return error_message(exc)
    log.error("handling a %r message failed", kind, exc_info=exc)
    allowed = "a message the server can handle"
    return error_message(ProtocolError("type", kind, allowed, "internal error", kind))


async def dispatch(ctx: Context, text: str) -> str | None:
    """Parse and handle one text message; a refusal becomes an `error` reply.

    Returns the message's type (None if unreadable).
    """
    kind = None
    try:
        message = parse_message(text)
        kind = message["type"]
        fn = HANDLERS.get(kind)
        if fn is None:
            raise ProtocolError("type", kind, "one of " + ", ".join(sorted(HANDLERS)))
        await fn(ctx, message)
    except Exception as exc:  # a bug must cost one answer, not the connection or the server
        ctx.reply(refusal(exc, kind))
    return kind
