"""The playground's /ws route: admit a connection, give it a session, run the shared loops."""

from __future__ import annotations

import asyncio

from fastapi import APIRouter, WebSocket

from server.core.connection import admit, close, receive_loop, send_loop
from server.core.metrics import Metrics
from server.core.outlet import ClientOutlet
from server.core.session import Session
from server.playground.handlers import Context
from server.playground.inspect import on_inspect  # noqa: F401  (registers the `inspect` message)

router = APIRouter()


@router.websocket("/ws")
async def play_socket(websocket: WebSocket) -> None:
    address = await admit(websocket)
    if address is None:
        return
    app = websocket.app.state
    settings = app.settings
    try:
        # Making the data set takes several milliseconds of pure Python: off the event loop.
        try:
            session = await asyncio.to_thread(Session, settings)
        except ValueError as exc:  # limits set below the defaults: say so, do not crash
            await close(websocket, 1011, f"cannot start a session: {exc}")
            return
        await serve(websocket, session, app.scheduler, app.metrics)
    finally:
        app.limiter.release(address)


async def serve(websocket: WebSocket, session: Session, scheduler, metrics: Metrics) -> None:
    """Run one accepted connection until it closes."""
    settings = session.settings
    outlet = ClientOutlet(session, settings)
    ctx = Context(session, outlet, scheduler, settings, offload=True)
    scheduler.add_session(session)
    scheduler.add_outlet(outlet)
    outlet.sync()
    sender = asyncio.create_task(send_loop(websocket, outlet, metrics))
    try:
        await receive_loop(websocket, ctx, metrics)
    finally:
        sender.cancel()
        for closer in ctx.closers:
            closer()
        scheduler.remove_outlet(outlet)
        scheduler.remove_session(session)
        scheduler.remove_session(ctx.session)
