"""The playground's /ws route: admit a connection, build its session from the page's first
message, then run the shared loops."""

from __future__ import annotations

import asyncio
import contextlib
import json

from fastapi import APIRouter, WebSocket

from server.core.connection import admit, check_size, close, receive_loop, send_loop
from server.core.context import Context, refusal
from server.core.metrics import Metrics
from server.core.outlet import ClientOutlet
from server.core.protocol import ProtocolError, parse_message
from server.core.session import Session
from server.core.shares import person_of
from server.playground.handlers import restore_fields
from server.playground.inspect import on_inspect  # noqa: F401  (registers the `inspect` message)

router = APIRouter()
OPENINGS = ("config", "restore")
QUEUED_NOTICE_S = 0.5  # a page that waits longer is told so


@router.websocket("/ws")
async def play_socket(websocket: WebSocket) -> None:
    address = await admit(websocket)
    if address is None:
        return
    app = websocket.app.state
    try:
        if not await wait_turn(websocket, app.admission):
            return
        # A page says its first message is its config (`?first=config`); other clients get the
        # defaults at once.
        waits = websocket.query_params.get("first") == "config"
        first = await first_message(websocket, app.settings.opening_wait_s) if waits else None
        if first is not None and first["type"] == "websocket.disconnect":
            return
        # The page's own id, sent with its opening message: one person's tabs share one share of
        # the training time (server.core.shares).
        person = person_of(address, first, app.settings.max_message_bytes)
        outlet = ClientOutlet(None, app.settings)
        try:
            session, first = await opening_session(app, first, outlet)
        except ValueError as exc:  # limits set below the defaults: say so, do not crash
            await close(websocket, 1011, f"cannot start a session: {exc}")
            return
        await serve(websocket, session, outlet, app.scheduler, app.metrics, first, person)
    finally:
        app.limiter.release(address)


async def wait_turn(websocket: WebSocket, admission) -> bool:
    """Wait this session's turn when many arrive at once (the page is told how long); False
    once refused because too many wait already (the page retries later)."""
    wait = admission.reserve()
    if wait is None:
        await close(websocket, 1013, "server busy: too many pages opening at once, try again")
        return False
    if wait > QUEUED_NOTICE_S:
        with contextlib.suppress(Exception):  # the page may be gone already: it just waits
            await websocket.send_text(json.dumps({"type": "queued", "waitS": round(wait, 1)}))
    if wait > 0:
        await asyncio.sleep(wait)
    return True


async def first_message(websocket: WebSocket, wait_s: float) -> dict | None:
    """The page's first message, if it comes soon: it says which session to build."""
    with contextlib.suppress(TimeoutError):
        return await asyncio.wait_for(websocket.receive(), wait_s)
    return None


async def opening_session(app, first: dict | None, outlet: ClientOutlet):
    """A session built from an opening `config` or `restore`, else from the defaults; and the
    first message if it still has to be handled. A refused opening is answered with its error."""
    settings, offload = app.settings, app.scheduler.offload
    message = None
    if first is not None and check_size(first, settings.max_message_bytes) is None:
        with contextlib.suppress(ProtocolError):
            message = parse_message(first["text"])
    if message is None or message["type"] not in OPENINGS:
        return await Session.create(settings, offload), first
    try:
        if message["type"] == "config":
            changes = message.get("config")
            if not isinstance(changes, dict):
                raise ProtocolError("config", changes, "a object")
            return await Session.create(settings, offload, changes), None
        return await Session.from_parts(settings, offload, restore_fields(message)), None
    except Exception as exc:  # the page gets its error, then the default session
        outlet.send(refusal(exc, message["type"]))
        return await Session.create(settings, offload), None


async def serve(
    websocket: WebSocket,
    session: Session,
    outlet: ClientOutlet,
    scheduler,
    metrics: Metrics,
    first: dict | None = None,
    person: object = None,
) -> None:
    """Run one accepted connection until it closes; `first` is a message read already, `person`
    whose it is (server.core.shares.person_of), if known."""
    outlet.session = session
    ctx = Context(session, outlet, scheduler, session.settings)
    scheduler.add_session(session, person)
    scheduler.add_outlet(outlet)
    outlet.sync()
    sender = asyncio.create_task(send_loop(websocket, outlet, metrics))
    try:
        await receive_loop(websocket, ctx, metrics, first=first)
    finally:
        sender.cancel()
        for closer in ctx.closers:
            closer()
        scheduler.remove_outlet(outlet)
        scheduler.remove_session(session)
        scheduler.remove_session(ctx.session)
