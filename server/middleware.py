"""What every request passes before the app: the Host allow-list, a body cap enforced while the
body arrives, and the security headers of every response. Pure ASGI, so it also sees WebSocket
handshakes and never buffers more than the cap."""

from __future__ import annotations

import json
import re

from server.core.errors import RequestError
from server.core.limits import host_allowed
from server.settings import Settings

# A Host header this server may echo into its own policy: a name or an address, and a port.
_SAFE_HOST = re.compile(r"(?:[A-Za-z0-9.-]{1,253}|\[[0-9A-Fa-f:.]{2,45}\])(?::[0-9]{1,5})?")
POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
    "font-src 'self'; object-src 'none'; frame-ancestors 'none'; base-uri 'none'; "
    "form-action 'self'; connect-src 'self'"
)
FIXED_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
    (b"cross-origin-opener-policy", b"same-origin"),
]


def content_security_policy(host: str | None) -> str:
    """The policy of every response: this server's own scripts, styles and sockets only.

    `'self'` covers the page's WebSocket in current browsers; naming `ws://host` and `wss://host`
    too keeps older ones working without allowing any other host.
    """
    if host and _SAFE_HOST.fullmatch(host):
        return f"{POLICY} ws://{host} wss://{host}"
    return POLICY


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
    """ASGI middleware: refuses unknown hosts and large bodies, adds security headers."""

    def __init__(self, app, settings: Settings) -> None:
        self.app = app
        self.allowed_hosts = settings.allowed_hosts
        self.max_body = settings.max_body_bytes

    async def __call__(self, scope, receive, send) -> None:
        kind = scope["type"]
        if kind not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        host = _header(scope, b"host")
        if not host_allowed(host, self.allowed_hosts):
            if kind == "websocket":  # refused before the handshake completes: HTTP 403
                await send({"type": "websocket.close", "code": 1008})
                return
            allowed = "one of: " + ", ".join(self.allowed_hosts)
            await _refuse(send, RequestError("host", host, allowed, 400), FIXED_HEADERS)
            return
        if kind == "websocket":
            await self.app(scope, receive, send)
            return
        extra = [(b"content-security-policy", content_security_policy(host).encode())]
        extra += FIXED_HEADERS

        async def send_with_headers(message: dict) -> None:
            if message["type"] == "http.response.start":
                names = {key.lower() for key, _ in message.get("headers", ())}
                added = [(k, v) for k, v in extra if k not in names]
                message = {**message, "headers": [*message.get("headers", ()), *added]}
            await send(message)

        body = await self._read_body(scope, receive)
        if isinstance(body, RequestError):
            await _refuse(send, body, extra)
            return
        await self.app(scope, _replay(body, receive), send_with_headers)

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
