"""Client message types -> handlers. Other modules add types with `@handler("name")`."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from server.core.config import MAX_STEPS
from server.core.outlet import ClientOutlet
from server.core.protocol import ProtocolError, error_message, int_field, parse_message
from server.core.protocol import field as read
from server.core.scheduler import Scheduler
from server.core.session import Session
from server.settings import Settings

U32_MAX = 2**32 - 1
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
    # Whether slow engine work may run in a worker thread (the caller then awaits `finish`).
    offload: bool = False
    deferred: list[tuple[Callable[[], object], Callable[[], None]]] = field(default_factory=list)

    def reply(self, message: dict) -> None:
        self.outlet.send(message)

    def slow(self, work: Callable[[], object], then: Callable[[], None]) -> None:
        """Do `work` on the session (tens of ms of engine time), then `then` on the event loop.

        With `offload`, the work runs in a thread while the session is held (neither trained nor
        drawn); otherwise at once.
        """
        if self.offload:
            self.deferred.append((work, then))
        else:
            work()
            then()

    def refresh(self, *, frame: bool = True, state: bool = False, rebuilt: bool = False) -> None:
        """After a change: queue `state`/`data` as needed, ask for a frame, wake the scheduler."""
        if rebuilt:
            self.scheduler.session_changed(self.session)
        if frame:
            self.outlet.want_frame()
        self.outlet.sync(force_state=state)
        self.scheduler.wake()


Handler = Callable[[Context, dict], None]
HANDLERS: dict[str, Handler] = {}


def handler(name: str) -> Callable[[Handler], Handler]:
    """Register a handler for messages of type `name`."""

    def register(fn: Handler) -> Handler:
        HANDLERS[name] = fn
        return fn

    return register


def dispatch(ctx: Context, text: str) -> str | None:
    """Parse and handle one text message; a refusal becomes an `error` reply.

    Returns the message's type (None if unreadable); slow work may wait in `ctx.deferred`.
    """
    kind = None
    try:
        message = parse_message(text)
        kind = message["type"]
        fn = HANDLERS.get(kind)
        if fn is None:
            raise ProtocolError("type", kind, "one of " + ", ".join(sorted(HANDLERS)))
        fn(ctx, message)
    except ProtocolError as exc:
        if exc.request is None:
            exc.request = kind
        ctx.reply(error_message(exc))
    except Exception:  # a bug must cost one answer, not the connection or the server
        log.exception("handling a %r message failed", kind)
        allowed = "a message the server can handle"
        ctx.reply(error_message(ProtocolError("type", kind, allowed, "internal error", kind)))
    return kind


async def finish(ctx: Context, kind: str | None) -> None:
    """Run the slow work handlers deferred, one at a time, off the event loop."""
    while ctx.deferred:
        work, then = ctx.deferred.pop(0)
        session = ctx.session
        session.held = True
        try:
            await asyncio.to_thread(work)
        except ProtocolError as exc:
            exc.request = exc.request or kind
            ctx.reply(error_message(exc))
            ctx.deferred.clear()
        except Exception:
            log.exception("slow work for a %r message failed", kind)
            reason = "internal error"
            ctx.reply(
                error_message(
                    ProtocolError("type", kind, "a message the server can handle", reason, kind)
                )
            )
            ctx.deferred.clear()
        else:
            then()
        finally:
            session.held = False
            ctx.scheduler.wake()


@handler("config")
def on_config(ctx: Context, message: dict) -> None:
    changes = read(message, "config", "object")
    session = ctx.session
    if not session.changes_data(changes):
        verdict = session.apply_config(changes)
        ctx.refresh(state=True, rebuilt=verdict in ("network", "data"))
        return
    ctx.slow(lambda: session.apply_config(changes), lambda: ctx.refresh(state=True, rebuilt=True))


@handler("play")
def on_play(ctx: Context, message: dict) -> None:
    ctx.session.set_playing(True)
    ctx.refresh(frame=False)


@handler("pause")
def on_pause(ctx: Context, message: dict) -> None:
    ctx.session.set_playing(False)
    ctx.refresh()


@handler("step")
def on_step(ctx: Context, message: dict) -> None:
    ctx.session.request_steps(int_field(message, "n", 1, MAX_STEPS, default=1))
    ctx.refresh()


@handler("reset")
def on_reset(ctx: Context, message: dict) -> None:
    ctx.session.reset()
    ctx.refresh(rebuilt=True)


@handler("regenerate")
def on_regenerate(ctx: Context, message: dict) -> None:
    ctx.slow(ctx.session.regenerate, ctx.refresh)


@handler("set_weight")
def on_set_weight(ctx: Context, message: dict) -> None:
    layer = int_field(message, "layer", 0, ctx.settings.max_hidden_layers)
    to = int_field(message, "to", 0, U32_MAX)
    bias = read(message, "bias", "boolean", default=False)
    frm = None if bias else int_field(message, "from", 0, U32_MAX)
    value = read(message, "value", "number")
    ctx.session.set_weight(layer, to, frm, float(value))
    ctx.refresh()


@handler("speed")
def on_speed(ctx: Context, message: dict) -> None:
    top = ctx.settings.max_speed_choice
    eps = message.get("eps")
    if eps != "max":
        eps = int_field(message, "eps", 1, top) if "eps" in message else None
        if eps is None:
            raise ProtocolError("eps", None, f'an integer from 1 to {top}, or "max"')
    ctx.session.speed = eps
    ctx.session.state_version += 1
    ctx.refresh(frame=False)


@handler("fps")
def on_fps(ctx: Context, message: dict) -> None:
    ctx.outlet.fps = int_field(message, "fps", 1, ctx.settings.max_fps)
    ctx.refresh(frame=False, state=True)


@handler("focus")
def on_focus(ctx: Context, message: dict) -> None:
    node = message.get("node", "missing")
    if node is not None:
        nodes = sum(ctx.session.layers)
        node = int_field(message, "node", 0, nodes - 1)
    ctx.outlet.focus = node
    ctx.refresh(state=True)


def _arrays(message: dict, name: str, optional: bool = False) -> list[np.ndarray] | None:
    if optional and message.get(name) is None:
        return None
    value = read(message, name, "list")
    try:
        return [np.asarray(part, dtype=np.float64) for part in value]
    except (TypeError, ValueError):
        raise ProtocolError(name, value, "a list of numeric arrays, one per layer") from None


@handler("restore")
def on_restore(ctx: Context, message: dict) -> None:
    config = read(message, "config", "object")
    epoch = int_field(message, "epoch", 0, U32_MAX)
    weights, biases = _arrays(message, "weights"), _arrays(message, "biases")
    dead = _arrays(message, "dead", optional=True)
    if dead is not None:
        dead = [d.astype(bool) for d in dead]
    session = ctx.session
    ctx.slow(
        lambda: session.restore(config, epoch, weights, biases, dead),
        lambda: ctx.refresh(state=True, rebuilt=True),
    )


@handler("ack")
def on_ack(ctx: Context, message: dict) -> None:
    ctx.outlet.ack(int_field(message, "seq", 0, U32_MAX))
    ctx.scheduler.wake()
