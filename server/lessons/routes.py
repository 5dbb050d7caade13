"""The lesson pages (backpropagation, linear regression) and the JSON they are drawn from."""

from __future__ import annotations

import json
import math

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse

from server.lessons import backprop as backprop_lesson
from server.lessons import linreg as linreg_lesson
from server.templating import templates

router = APIRouter()

MAX_BODY_BYTES = 65536


def _error(field: str, value: object, allowed: str, message: str | None = None) -> JSONResponse:
    safe = isinstance(value, int | str | bool) or value is None
    safe = safe or (isinstance(value, float) and math.isfinite(value))
    value = value if safe else repr(value)  # e.g. inf, NaN, a list: JSON-safe text
    message = message or f"{field}: {value!r} is not allowed; allowed: {allowed}"
    body = {"type": "error", "field": field, "value": value, "allowed": allowed, "message": message}
    return JSONResponse(body, status_code=400)


def _page(request: Request, name: str, page: str, title: str) -> HTMLResponse:
    projector = request.query_params.get("projector") == "1"
    context = {"title": title, "heading": title, "page": page, "projector": projector}
    return templates.TemplateResponse(request, f"lessons/{name}.html", context)


@router.get("/lessons/backprop", response_class=HTMLResponse)
async def backprop_page(request: Request) -> HTMLResponse:
    return _page(request, "backprop", "backprop", "Backpropagation, step by step")


@router.get("/lessons/linear-regression", response_class=HTMLResponse)
async def linreg_page(request: Request) -> HTMLResponse:
    title = "Linear regression by gradient descent"
    return _page(request, "linear_regression", "linear-regression", title)


@router.get("/lessons/api/backprop")
async def backprop_steps(convention: str = "lecture") -> JSONResponse:
    if convention not in ("lecture", "half"):
        return _error("convention", convention, "lecture, half")
    return JSONResponse(backprop_lesson.lesson(convention))


@router.get("/lessons/api/backprop/train")
async def backprop_train(convention: str = "lecture", iterations: str = "200") -> JSONResponse:
    if convention not in ("lecture", "half"):
        return _error("convention", convention, "lecture, half")
    limit = backprop_lesson.MAX_ITERATIONS
    if not iterations.isdigit() or not 1 <= int(iterations) <= limit:
        return _error("iterations", iterations, f"an integer 1 .. {limit}")
    return JSONResponse(backprop_lesson.training(convention, int(iterations)))


@router.post("/lessons/api/linear-regression")
async def linreg_solve(request: Request) -> JSONResponse:
    raw = await request.body()
    if len(raw) > MAX_BODY_BYTES:
        return _error("body", f"{len(raw)} bytes", f"at most {MAX_BODY_BYTES} bytes")
    try:
        req = json.loads(raw or b"{}")
    except (ValueError, UnicodeDecodeError):
        return _error("body", "not JSON", "a JSON object")
    try:
        return JSONResponse(linreg_lesson.solve(req))
    except linreg_lesson.LessonError as exc:
        return _error(exc.field, exc.value, exc.allowed, str(exc))
