"""Connections as a production server configures them: every request head (and body) has a
deadline, idle and half-open sockets are closed, heads are bounded in size, and the number of
open connections stays below the file-descriptor limit, which is raised at start-up.

uvicorn has no deadline for a slow request head (slowloris), so `GuardedH11Protocol`, a
subclass of its h11 protocol, adds one; it also keeps the connection cap by closing the oldest
connection that is not in the middle of a request, so that idle sockets cannot lock others out.
"""

from __future__ import annotations

import json
import logging
import resource

import h11
import uvicorn
from fastapi import FastAPI
from uvicorn.protocols.http.h11_impl import H11Protocol

from server.core.metrics import Metrics
from server.settings import Settings

log = logging.getLogger(__name__)
# File descriptors kept free of connections: engine workers' pipes, the event loop's own,
# static files being sent, logs, /proc, and connections accepted but not yet counted.
FD_RESERVE = 64
MAX_BACKLOG = 128


def raise_fd_limit() -> int:
    """Raise this process's soft RLIMIT_NOFILE to its hard limit; the soft limit now."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard == resource.RLIM_INFINITY or hard > soft:
        target = 1 << 20 if hard == resource.RLIM_INFINITY else hard
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
            soft = target
        except (ValueError, OSError):  # not allowed here: keep what we have
            pass
    return soft


def connection_budget(settings: Settings, fd_limit: int) -> tuple[int, int]:
    """(most open connections, listen backlog) that fit in `fd_limit` file descriptors.

    The event loop accepts up to a backlog's worth of connections at once before any is
    counted, so the backlog is part of the reserve.
    """
    backlog = max(8, min(MAX_BACKLOG, fd_limit // 8))
    fitting = fd_limit - FD_RESERVE - backlog
    cap = max(1, min(settings.max_connections, fitting))
    if cap < settings.max_connections:
        log.warning(
            "at most %d open connections: the file-descriptor limit is %d (max_connections %d)",
            cap,
            fd_limit,
            settings.max_connections,
        )
    return cap, backlog


def _busy_response(most: int) -> bytes:
    body = {
        "type": "error",
        "request": None,
        "field": "connections",
        "value": most,
        "allowed": f"at most {most} open connections; try again shortly",
        "message": "server busy: too many open connections",
    }
    data = json.dumps(body).encode()
    head = (
        "HTTP/1.1 503 Service Unavailable\r\ncontent-type: application/json\r\n"
        f"content-length: {len(data)}\r\nconnection: close\r\nretry-after: 1\r\n\r\n"
    )
    return head.encode() + data


TIMEOUT_RESPONSE = b"HTTP/1.1 408 Request Timeout\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"


class GuardedH11Protocol(H11Protocol):
    """uvicorn's h11 protocol with a request deadline, a connection cap and 431 for huge heads.

    Configured per server by `guarded_protocol` (class attributes), like uvicorn's own config.
    """

    request_timeout_s = 10.0
    max_connections = 4000
    upgraded = False
    metrics: Metrics | None = None
    idle: dict  # connections with no request under way, oldest first (one dict per server)
    evicted: set  # ... closed to make room, not gone yet

    def connection_made(self, transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._deadline = None
        # Evicted connections stay in uvicorn's set until the loop closes them: not counted.
        open_now = len(self.connections) - len(self.evicted)
        if open_now > self.max_connections and not self._evict_one():
            self._count("connections_refused")
            transport.write(_busy_response(self.max_connections))
            transport.close()
            return
        self.idle[self] = None
        self._arm()

    def _evict_one(self) -> bool:
        """Close the oldest connection with no whole request yet (silent, slow or between two
        requests), to make room: only an attacker's sockets stay that way for long."""
        victim = next((other for other in self.idle if other is not self), None)
        if victim is None:
            return False
        self._count("connections_evicted")
        victim.forget()
        self.evicted.add(victim)
        victim.transport.close()
        return True

    def _count(self, name: str) -> None:
        if self.metrics is not None:
            setattr(self.metrics, name, getattr(self.metrics, name) + 1)

    def _arm(self) -> None:
        if self._deadline is None:
            self._deadline = self.loop.call_later(self.request_timeout_s, self._timed_out)

    def forget(self) -> None:
        """No deadline, not idle: the connection is closing or was handed over."""
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None
        self.idle.pop(self, None)

    def _timed_out(self) -> None:
        self._deadline = None
        if self.transport.is_closing():
            return
        self._count("connections_timed_out")
        started = self.conn.their_state is not h11.IDLE or self.conn.trailing_data[0]
        if started:  # a client that began a request hears why; a silent socket just closes
            self.transport.write(TIMEOUT_RESPONSE)
        self.forget()
        self.transport.close()

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        state = self.conn.their_state
        if self.upgraded or self.transport.is_closing():
            self.forget()  # the WebSocket protocol owns the connection now, or it is closing
        elif state is h11.IDLE:
            self._arm()  # a head is on its way: it has until the deadline to arrive whole
        elif state is h11.SEND_BODY:
            self._arm()  # ... and so has the body, but the request is under way
            self.idle.pop(self, None)
        else:
            self.forget()  # a whole request: the app has it

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if not self.transport.is_closing() and self.conn.their_state is h11.IDLE:
            self.idle[self] = None  # kept alive between requests (uvicorn's keep-alive timer)
            if self.conn.trailing_data[0]:
                self._arm()  # the next head had begun to arrive

    def handle_websocket_upgrade(self, event: h11.Request) -> None:
        self.upgraded = True
        self.forget()
        super().handle_websocket_upgrade(event)

    def connection_lost(self, exc: Exception | None) -> None:
        self.forget()
        self.evicted.discard(self)
        super().connection_lost(exc)

    def send_400_response(self, msg: str) -> None:
        limit = self.config.h11_max_incomplete_event_size
        if limit is not None and len(self.conn.trailing_data[0]) > limit:
            self._count("heads_too_large")
            body = f"request head larger than {limit} bytes".encode()
            self.transport.write(
                b"HTTP/1.1 431 Request Header Fields Too Large\r\ncontent-type: text/plain\r\n"
                + f"content-length: {len(body)}\r\nconnection: close\r\n\r\n".encode()
                + body
            )
            self.forget()
            self.transport.close()
            return
        self.forget()
        super().send_400_response(msg)


def guarded_protocol(settings: Settings, cap: int, metrics: Metrics | None) -> type:
    """The protocol class of one server: its deadline, its cap and its own idle set."""
    attributes = {
        "request_timeout_s": settings.request_timeout_s,
        "max_connections": cap,
        "metrics": metrics,
        "idle": {},
        "evicted": set(),
    }
    return type("PlaygroundH11Protocol", (GuardedH11Protocol,), attributes)


def uvicorn_options(settings: Settings, app_metrics: Metrics | None) -> dict:
    """uvicorn.Config keyword arguments for the limits of `settings`."""
    cap, backlog = connection_budget(settings, raise_fd_limit())
    return {
        "http": guarded_protocol(settings, cap, app_metrics),
        "h11_max_incomplete_event_size": settings.max_header_bytes,
        "timeout_keep_alive": settings.keepalive_timeout_s,
        "timeout_graceful_shutdown": settings.shutdown_timeout_s,
        # Not uvicorn's limit_concurrency: it answers 503 to a request once `cap` sockets are
        # open, idle ones included, so idle sockets could lock everyone out. The protocol keeps
        # connections at `cap` by closing idle ones instead, and one connection carries at most
        # one request at a time, so requests in flight are bounded by the same cap.
        "limit_concurrency": None,
        "backlog": backlog,
        "ws_max_size": max(settings.ws_max_size, settings.max_message_bytes),
        "ws_ping_interval": settings.ws_ping_interval or None,
        "ws_ping_timeout": settings.ws_ping_timeout or None,
        "ws_per_message_deflate": settings.ws_per_message_deflate,
        **(
            {"forwarded_allow_ips": list(settings.forwarded_allow_ips)}
            if settings.forwarded_allow_ips
            else {}
        ),
    }


class PlaygroundServer(uvicorn.Server):
    """uvicorn's server, which on SIGTERM stops accepting, then tells every WebSocket client
    `closing` and closes it with 1012 (service restart) before its own shutdown: pages
    reconnect to the next server and restore their sessions."""

    def __init__(self, config: uvicorn.Config, app: FastAPI) -> None:
        super().__init__(config)
        self.app = app

    async def shutdown(self, sockets=None) -> None:
        for listener in getattr(self, "servers", ()):
            listener.close()
        await self.app.state.live.farewell()
        await super().shutdown(sockets)
