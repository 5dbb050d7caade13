"""For whoever runs the server: GET /healthz (liveness), GET /readyz (readiness: the engine
workers are up and the server is not shutting down) and GET /metrics (Prometheus text)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, PlainTextResponse

from server.core.metrics import render
from server.settings import Settings

router = APIRouter()


@router.get("/healthz", response_class=PlainTextResponse)
async def healthz() -> str:
    return "ok"


def readiness(settings: Settings, pool: object | None, closing: bool) -> tuple[int, dict]:
    """(status, body) of /readyz: 200 only when this process can train as configured."""
    body: dict = {"ready": False, "workers": settings.engine_workers}
    if pool is not None:
        body["restarts"] = getattr(pool, "restarts", 0)
    if closing:
        body["reason"] = "shutting down"
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
    status, body = readiness(state.settings, state.scheduler.pool, state.live.closing)
    return JSONResponse(body, status_code=status)


@router.get("/metrics", response_class=PlainTextResponse)
async def metrics_page(request: Request) -> PlainTextResponse:
    state = request.app.state
    scheduler = state.scheduler
    text = render(state.metrics, state.limiter.total, scheduler.playing, scheduler.pool)
    return PlainTextResponse(text, media_type="text/plain; version=0.0.4; charset=utf-8")
