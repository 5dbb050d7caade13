"""The lesson pages (backpropagation, linear regression) and the JSON they are drawn from.

The JSON is computed (up to a few hundred milliseconds of NumPy for 5,000 training iterations),
so it is computed and encoded on the app's compute threads, never on the event loop, within
the per-address bound of `server.core.compute`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from server.core.errors import RequestError, read_json
from server.lessons import backprop as backprop_lesson
from server.lessons import linreg as linreg_lesson
from server.templating import templates

router = APIRouter()
CONVENTIONS = backprop_lesson.LESSON_CONVENTIONS
_DIGITS = re.compile(r"[0-9]{1,9}")  # ASCII only: "²".isdigit() is true, int("²") fails


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


def _convention(raw: str) -> str:
    if raw not in CONVENTIONS:
        raise RequestError("convention", raw, ", ".join(CONVENTIONS))
    return raw


async def _computed(request: Request, fn: Callable[..., object], *args: object) -> Response:
    """`fn(*args)` as JSON, computed and encoded on a compute thread."""

    def work() -> bytes:
        return json.dumps(fn(*args), allow_nan=False, separators=(",", ":")).encode()

    address = request.client.host if request.client else "unknown"
    body = await request.app.state.compute.run(address, work)
    return Response(body, media_type="application/json")


@router.get("/lessons/api/backprop")
async def backprop_steps(request: Request, convention: str = "lecture") -> Response:
    return await _computed(request, backprop_lesson.lesson, _convention(convention))


@router.get("/lessons/api/backprop/train")
async def backprop_train(
    request: Request, convention: str = "lecture", iterations: str = "200"
) -> Response:
    convention = _convention(convention)
    limit = backprop_lesson.MAX_ITERATIONS
    if not _DIGITS.fullmatch(iterations) or not 1 <= int(iterations) <= limit:
        raise RequestError("iterations", iterations, f"an integer 1 .. {limit}")
    return await _computed(request, backprop_lesson.training, convention, int(iterations))


@router.post("/lessons/api/linear-regression")
async def linreg_solve(request: Request) -> Response:
    req = await read_json(request, request.app.state.settings.max_body_bytes)
    try:
        return await _computed(request, linreg_lesson.solve, req)
    except linreg_lesson.LessonError as exc:
        raise RequestError(exc.field, exc.value, exc.allowed) from None
