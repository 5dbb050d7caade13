"""The room WebSocket (`/classroom/ws`): admission, the `hello`, then the shared receive loop."""

from __future__ import annotations

import asyncio
import contextlib

from fastapi import APIRouter, WebSocket, WebSocketDisconnect

from server.classroom.fanout import FollowerOutlet
from server.classroom.links import RoomLink
from server.classroom.messages import check_hello
from server.classroom.model import to_json
from server.classroom.rules import RoomError
from server.classroom.service import Classroom, classroom_of
from server.core.connection import admit, check_size, close, receive_loop, send_loop
from server.core.context import Context
from server.core.protocol import ProtocolError, error_message, int_field, parse_message
from server.playground.handlers import U32_MAX

router = APIRouter()
HELLO_TIMEOUT_S = 10.0
CLOSED_ROOM = 4404  # close code: the room does not exist (any more); pages stop reconnecting


@router.websocket("/ws")
async def room_socket(websocket: WebSocket) -> None:
    address = await admit(websocket)
    if address is None:
        return
    app = websocket.app.state
    metrics = app.metrics
    try:
        await _serve(websocket, classroom_of(websocket.app), address, metrics)
    finally:
        app.limiter.release(address)


async def _hello(
    websocket: WebSocket, classroom: Classroom, address: str
) -> RoomLink | RoomError | None:
    """Read the first message (who this is, which room) and find the room wherever it lives;
    the refusal once refused (and told why), None for a hello never read or unreadable."""
    try:
        raw = await asyncio.wait_for(websocket.receive(), HELLO_TIMEOUT_S)
    except (TimeoutError, RuntimeError, WebSocketDisconnect):
        return None
    if raw["type"] == "websocket.disconnect":
        return None
    try:
        refusal = check_size(raw, classroom.settings.max_message_bytes)
        if refusal is not None:
            raise refusal
        message = parse_message(raw["text"])
    except ProtocolError as exc:
        exc.request = "hello"
        await websocket.send_text(to_json(error_message(exc)))
        return None
    try:
        check_hello(message)
        code = classroom.registry.checked_code(message.get("code"), address, counted=False)
        answer = await classroom.at_home(code, "greet", hello=message, address=address)
        link = RoomLink(classroom, answer["code"], answer["member"])
        await link.open()
    except RoomError as exc:
        classroom.registry.refused(exc, address)
        await websocket.send_text(to_json(exc.as_dict("hello")))
        return exc
    return link


def refused_close(refusal: RoomError | None) -> tuple[int, str]:
    """How a connection whose hello was refused is closed. A server that cannot answer now (the
    room's home busy or out of reach, 503) asks the page to try again later (1013, as a full
    playground does); any other refusal ends its retries (4404)."""
    if refusal is not None and refusal.status == 503:
        return 1013, "the room's server is busy, try again"
    return CLOSED_ROOM, "no such room, or not allowed in it"


async def _serve(websocket: WebSocket, classroom: Classroom, address: str, metrics) -> None:
    link = await _hello(websocket, classroom, address)
    if not isinstance(link, RoomLink):
        await close(websocket, *refused_close(link))
        return
    outlet = link.outlet
    # The receive loop's own context: the link decides where each message goes.
    ctx = Context(None, outlet, classroom.scheduler, classroom.settings)
    sender = asyncio.create_task(send_loop(websocket, outlet, metrics))
    try:
        handle = acks_here(outlet, link)
        await receive_loop(websocket, ctx, metrics, handle=handle, outlet=outlet)
    finally:
        sender.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await sender
        await link.close()


def acks_here(outlet: FollowerOutlet, link: RoomLink):
    """The connection's acks go to its own outlet, which passes frames on; the rest to the room
    (which answers a message it cannot read with an `error`)."""

    async def handle_message(ctx: Context, text: str) -> str | None:
        try:
            message = parse_message(text)
        except ProtocolError:
            message = None
        if message is None or message["type"] != "ack":
            await link.deliver(text)
            return None if message is None else message["type"]
        try:
            outlet.ack(int_field(message, "seq", 0, U32_MAX))
        except ProtocolError as exc:
            exc.request = "ack"
            outlet.send(error_message(exc))
        return "ack"

    return handle_message
