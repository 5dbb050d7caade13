"""For whoever runs the server: GET /healthz (liveness), GET /readyz (readiness: the engine
workers are up, Redis answers when rooms are shared through it, and the server is not shutting
down) and GET /metrics (Prometheus text; with Redis every sample carries this process's id as the
`process` label, since several processes answer on one port)."""

from __future__ import annotations

import asyncio

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, PlainTextResponse

from server.core.metrics import render
from server.settings import Settings

router = APIRouter()
REDIS_PING_TIMEOUT_S = 1.0


@router.get("/healthz", response_class=PlainTextResponse)
async def healthz() -> str:
    return "ok"


def readiness(
    settings: Settings, pool: object | None, closing: bool, redis_ok: bool | None = None
) -> tuple[int, dict]:
    """(status, body) of /readyz: 200 only when this process can train and share rooms as
    configured (`redis_ok`: whether Redis answered, None without Redis)."""
    body: dict = {"ready": False, "workers": settings.engine_workers}
    if pool is not None:
        body["restarts"] = getattr(pool, "restarts", 0)
    if redis_ok is not None:
        body["redis"] = redis_ok
    if closing:
        body["reason"] = "shutting down"
    elif redis_ok is False:
        body["reason"] = "Redis does not answer"
    elif settings.engine_workers == 0:
        body["ready"] = True  # sessions train in this process
    elif pool is None:
        body["reason"] = "engine workers are not running"
    elif not getattr(pool, "alive", pool.ready):
        broken = getattr(pool, "broken", False)
        body["reason"] = "engine workers stopped" if broken else "engine workers starting"
    else:
        body["ready"] = True
    return (200 if body["ready"] else 503), body


@router.get("/readyz")
async def readyz(request: Request) -> JSONResponse:
    state = request.app.state
    redis_ok = None if state.cluster is None else await _redis_answers(state.cluster)
    status, body = readiness(state.settings, state.scheduler.pool, state.live.closing, redis_ok)
    return JSONResponse(body, status_code=status)


async def _redis_answers(cluster) -> bool:
    try:
        return bool(await asyncio.wait_for(cluster.redis.ping(), REDIS_PING_TIMEOUT_S))
    except Exception:  # refused, reset, timed out: not ready, whatever the reason
        return False


def labelled(text: str, process: str) -> str:
    """Prometheus text with `process="<process>"` added to every sample's labels."""
    lines = []
    for line in text.splitlines():
        if line and not line.startswith("#"):
            name, value = line.rsplit(" ", 1)
            label = f'process="{process}"'
            name = f"{name[:-1]},{label}}}" if name.endswith("}") else f"{name}{{{label}}}"
            line = f"{name} {value}"
        lines.append(line)
    return "\n".join(lines) + "\n"


def broker_lines(broker) -> str:
    """What a process with Redis adds: the room messages it could not keep for Redis."""
    name = "playground_redis_dropped_messages_total"
    return (
        f"# HELP {name} Room messages for other processes dropped because more than "
        "redis_pending_mb waited for Redis.\n"
        f"# TYPE {name} counter\n"
        f"{name} {broker.dropped_events}\n"
    )


@router.get("/metrics", response_class=PlainTextResponse)
async def metrics_page(request: Request) -> PlainTextResponse:
    state = request.app.state
    scheduler = state.scheduler
    text = render(state.metrics, state.limiter.total, scheduler.playing, scheduler.pool)
    if state.cluster is not None:
        text = labelled(text + broker_lines(state.cluster.broker), state.cluster.id)
    return PlainTextResponse(text, media_type="text/plain; version=0.0.4; charset=utf-8")
