"""What every request passes before the app: a body cap enforced while the body arrives. Pure
ASGI, so it never buffers more than the cap."""

from __future__ import annotations

import json

from server.core.errors import RequestError
from server.settings import Settings


def _header(scope: dict, name: bytes) -> str | None:
    for key, value in scope.get("headers", ()):
        if key == name:
            return value.decode("latin-1")
    return None


async def _refuse(send, error: RequestError, extra: list | None = None) -> None:
    body = json.dumps(error.as_dict(), separators=(",", ":")).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    headers += [(b"connection", b"close"), *(extra or [])]
    await send({"type": "http.response.start", "status": error.status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


class Shield:
    """ASGI middleware: refuses bodies past the cap before the app reads them."""

    def __init__(self, app, settings: Settings) -> None:
        self.app = app
        self.max_body = settings.max_body_bytes

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        body = await self._read_body(scope, receive)
        if isinstance(body, RequestError):
            await _refuse(send, body)
            return
        await self.app(scope, _replay(body, receive), send)

    async def _read_body(self, scope: dict, receive) -> bytes | RequestError:
        """The whole body if it is within the cap; reading stops at the first byte past it."""
        most = self.max_body
        allowed = f"at most {most} bytes"
        length = _header(scope, b"content-length")
        if length is not None:
            if not length.isascii() or not length.strip().isdigit():
                return RequestError("content-length", length, "a number of bytes")
            if int(length) > most:
                return RequestError("body", f"{int(length)} bytes", allowed, 413)
        chunks, size = [], 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                break  # the client went away: the app sees an empty body, then the disconnect
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > most:
                return RequestError("body", f"more than {most} bytes", allowed, 413)
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        return b"".join(chunks)


def _replay(body: bytes, receive):
    """A `receive` that gives the body read already, then whatever the client does next."""
    sent = False

    async def replayed() -> dict:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replayed
