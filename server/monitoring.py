"""For whoever runs the server: GET /healthz (liveness) and GET /metrics (Prometheus text)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import PlainTextResponse

from server.core.metrics import render

router = APIRouter()


@router.get("/healthz", response_class=PlainTextResponse)
async def healthz() -> str:
    return "ok"


@router.get("/metrics", response_class=PlainTextResponse)
async def metrics_page(request: Request) -> PlainTextResponse:
    state = request.app.state
    scheduler = state.scheduler
    text = render(state.metrics, state.limiter.total, scheduler.playing, scheduler.pool)
    return PlainTextResponse(text, media_type="text/plain; version=0.0.4; charset=utf-8")
