"""What every WebSocket of the app shares: admission, closing with a reason, the send and receive
loops under the message limits."""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
import weakref
from collections.abc import Awaitable, Callable

from fastapi import WebSocket
from starlette.websockets import WebSocketState

from server.core.context import Context, dispatch
from server.core.limits import TokenBucket, origin_allowed
from server.core.metrics import Metrics
from server.core.outlet import ClientOutlet
from server.core.protocol import ProtocolError, error_message

Handle = Callable[[Context, str], Awaitable[str | None]]
MAX_REASON_BYTES = 120  # a close frame's reason must fit in 123 bytes
SERVICE_RESTART = 1012  # close code: the server restarts; pages reconnect and restore
CLOSING = json.dumps({"type": "closing", "reason": "server restarting"}, separators=(",", ":"))
FAREWELL_S = 1.0


class Live:
    """The open WebSockets of this process and their send loops, so that a server shutting
    down can tell each client first. Held weakly: a finished connection drops out by itself."""

    def __init__(self) -> None:
        self._sockets: dict[int, weakref.ref] = {}
        self._senders: dict[int, asyncio.Task] = {}
        self.closing = False

    def add(self, websocket: WebSocket) -> None:
        key = id(websocket)

        def gone(_: weakref.ref) -> None:
            self._sockets.pop(key, None)
            self._senders.pop(key, None)

        self._sockets[key] = weakref.ref(websocket, gone)

    def sending(self, websocket: WebSocket, task: asyncio.Task) -> None:
        if id(websocket) in self._sockets:
            self._senders[id(websocket)] = task

    def __len__(self) -> int:
        return len(self._sockets)

    async def farewell(self) -> None:
        """Tell every connected client `closing`, then close with 1012 (service restart).

        Each send loop is stopped first, so the goodbye is the last thing on the wire.
        """
        self.closing = True
        pairs = [(ref(), self._senders.get(key)) for key, ref in list(self._sockets.items())]
        goodbyes = [_goodbye(ws, sender) for ws, sender in pairs if ws is not None]
        if goodbyes:
            await asyncio.wait([asyncio.ensure_future(g) for g in goodbyes], timeout=FAREWELL_S)


async def _goodbye(websocket: WebSocket, sender: asyncio.Task | None) -> None:
    if sender is not None and not sender.done():
        sender.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await sender
    if websocket.application_state is not WebSocketState.CONNECTED:
        return
    with contextlib.suppress(Exception):  # the peer may be gone already
        await websocket.send_text(CLOSING)
    await close(websocket, SERVICE_RESTART, "server restarting")


MAX_ACK_CHARS = 80  # {"type": "ack", "seq": 4294967295} with room for spaces


async def close(websocket: WebSocket, code: int, reason: str) -> None:
    reason = reason.encode()[:MAX_REASON_BYTES].decode(errors="ignore")
    with contextlib.suppress(Exception):  # the peer may be gone already
        await websocket.close(code, reason)


async def admit(websocket: WebSocket) -> str | None:
    """Accept, then check origin and per-address limits; the client's address, or None once refused.

    Shared by the playground and room sockets so both refuse the same way. The caller must
    `app.limiter.release(address)` when the connection ends.
    """
    app = websocket.app.state
    origin = websocket.headers.get("origin")
    await websocket.accept()  # accept first so a refusal can carry a close code and reason
    if app.live.closing:
        await close(websocket, SERVICE_RESTART, "server restarting")
        return None
    app.live.add(websocket)
    settings = app.settings
    host = websocket.headers.get("host")
    if not origin_allowed(origin, host, settings.allowed_origins, settings.allowed_hosts):
        app.metrics.refused += 1
        await close(websocket, 1008, f"origin not allowed: {origin}")
        return None
    address = websocket.client.host if websocket.client else "unknown"
    refusal = app.limiter.admit(address)
    if refusal is not None:
        app.metrics.refused += 1
        await close(websocket, *refusal)
        return None
    return address


async def send_loop(websocket: WebSocket, outlet: ClientOutlet, metrics: Metrics) -> None:
    """Send what the outlet hands out; a stalled client blocks only this task."""
    websocket.app.state.live.sending(websocket, asyncio.current_task())
    try:
        while True:
            item = await outlet.next_outgoing()
            if item is None:
                metrics.closed_for_abuse += 1
                await close(websocket, 1008, outlet.close_reason or "closed")
                return
            if isinstance(item, bytes):
                await websocket.send_bytes(item)
                metrics.frames_sent += 1
                metrics.bytes_sent += len(item)
            else:
                await websocket.send_text(item)
                metrics.errors += item.startswith('{"type":"error"')
    except Exception:  # the connection went away: the receive loop ends it
        return


async def receive_loop(
    websocket: WebSocket,
    ctx: Context,
    metrics: Metrics,
    handle: Handle = dispatch,
    first: dict | None = None,
    outlet: ClientOutlet | None = None,
) -> None:
    """Read messages under the rate, size and idle limits; `handle` acts on each (classrooms
    pass their own). `first` is a message read already, handled first. `outlet` is the one this
    connection sends through (by default its context's)."""
    settings = ctx.settings
    outlet = ctx.outlet if outlet is None else outlet
    rate, burst = settings.max_messages_per_second, settings.message_burst
    bucket = TokenBucket(rate, burst, time.monotonic())
    strikes = TokenBucket(rate, burst, time.monotonic())  # refusals allowed before closing
    refused = 0
    while True:
        try:
            async with asyncio.timeout(settings.idle_timeout_s):
                message, first = first or await websocket.receive(), None
        except TimeoutError:
            metrics.closed_for_abuse += 1
            await close(websocket, 1000, f"idle for {settings.idle_timeout_s:g} s")
            return
        if message["type"] == "websocket.disconnect":
            return
        metrics.messages += 1
        now = time.monotonic()
        if not awaited_ack(message, outlet) and not bucket.take(now):
            refused += 1
            if not strikes.take(now):
                metrics.closed_for_abuse += 1
                await close(websocket, 1008, f"flooding: more than {rate:g} messages per second")
                return
            if refused % 10 == 1:
                allowed = f"at most {rate:g} messages per second (bursts of {burst})"
                outlet.send(error_message(ProtocolError("message", f"{refused} refused", allowed)))
            continue
        refused = 0
        refusal = check_size(message, settings.max_message_bytes)
        if refusal is not None:
            outlet.send(error_message(refusal))
        else:
            await handle(ctx, message["text"])
        if outlet.close_reason is not None:
            await close(websocket, 1008, outlet.close_reason)
            return


def awaited_ack(message: dict, outlet: ClientOutlet) -> bool:
    """Whether this is the ack of the frame the client was sent and the server waits on.

    Such an ack never costs a token of the rate limit: there is one per frame sent, so at most
    `max_fps` a second, and refusing it would leave its frame unacknowledged and stop the stream
    for good. Any other ack (a guess, a repeat) is an ordinary message.
    """
    text = message.get("text")
    if outlet.unacked is None or text is None or len(text) > MAX_ACK_CHARS:
        return False
    try:
        parsed = json.loads(text)
    except ValueError:
        return False
    return (
        isinstance(parsed, dict)
        and parsed.get("type") == "ack"
        and type(parsed.get("seq")) is int
        and parsed["seq"] == outlet.unacked
    )


def check_size(message: dict, most: int) -> ProtocolError | None:
    """Refuse binary messages and text longer than `most` bytes."""
    text = message.get("text")
    if text is None:
        size = len(message.get("bytes") or b"")
        return ProtocolError("message", f"binary, {size} bytes", "JSON text messages")
    if len(text) > most or (len(text) * 4 > most and len(text.encode()) > most):
        size = len(text.encode())
        return ProtocolError(
            "message",
            f"{size} bytes",
            f"at most {most} bytes",
            f"message: {size} bytes is too large; allowed: at most {most} bytes",
        )
    return None
