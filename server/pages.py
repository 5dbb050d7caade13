"""The playground page and the health check."""

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, PlainTextResponse

from server.templating import templates

router = APIRouter()


@router.get("/", response_class=HTMLResponse)
async def index(request: Request) -> HTMLResponse:
    context = {"settings": request.app.state.settings}
    return templates.TemplateResponse(request, "index.html", context)


@router.get("/healthz", response_class=PlainTextResponse)
async def healthz() -> str:
    return "ok"
