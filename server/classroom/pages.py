"""Classroom routes under `/classroom`: the pages here, the REST API and the room socket."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from server.classroom.rules import LOCKABLE
from server.templating import templates

router = APIRouter(prefix="/classroom")


def _page(request: Request, name: str) -> HTMLResponse:
    settings = request.app.state.settings
    context = {"settings": settings, "lockable": list(LOCKABLE)}
    context["max_name_length"] = settings.max_name_length
    return templates.TemplateResponse(request, f"classroom/{name}", context)


@router.get("", response_class=HTMLResponse)
async def landing(request: Request) -> HTMLResponse:
    return _page(request, "index.html")


@router.get("/new", response_class=HTMLResponse)
async def instructor_page(request: Request) -> HTMLResponse:
    return _page(request, "teach.html")


@router.get("/join", response_class=HTMLResponse)
async def student_page(request: Request) -> HTMLResponse:
    return _page(request, "join.html")
