"""REST refusals as the WebSocket's `error` messages: field, value, what is allowed, HTTP 4xx.

Every JSON endpoint reads its body with `read_json` and raises `RequestError`; the app turns it,
and Starlette's own HTTP errors, into the same structured body. Nothing a client sends is echoed
longer than a short, depth-bounded repr.
"""

from __future__ import annotations

import json
import math
import reprlib

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

MAX_ECHO_CHARS = 80
_echo = reprlib.Repr()
_echo.maxlevel, _echo.maxlist, _echo.maxdict, _echo.maxstring, _echo.maxother = 2, 4, 4, 60, 60
_echo.maxlong = 40


def echo(value: object) -> object:
    """`value` as a JSON-safe echo: short scalars as they are, anything else as a short repr."""
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, int) and abs(value) < 2**53:
        return value
    if isinstance(value, float) and math.isfinite(value):
        return value
    text = value if isinstance(value, str) else _echo.repr(value)
    # A lone surrogate is valid in JSON text but not in UTF-8: echo it escaped.
    text = text.encode("utf-8", "backslashreplace").decode("utf-8")
    return text if len(text) <= MAX_ECHO_CHARS else text[: MAX_ECHO_CHARS - 3] + "..."


class RequestError(Exception):
    """A refused request: the field, the value sent, what is allowed and the HTTP status."""

    def __init__(
        self, field: str, value: object, allowed: str, status: int = 400, message: str = ""
    ) -> None:
        self.field, self.value, self.allowed, self.status = field, value, allowed, status
        self.message = message or f"{field}: {echo(value)!r} is not allowed; allowed: {allowed}"
        super().__init__(self.message)

    def as_dict(self, request: str | None = None) -> dict:
        return {
            "type": "error",
            "request": request,
            "field": self.field,
            "value": echo(self.value),
            "allowed": self.allowed,
            "message": self.message,
        }

    def response(self, request: str | None = None) -> JSONResponse:
        return JSONResponse(self.as_dict(request), status_code=self.status)


def _refuse_constant(name: str) -> float:
    raise ValueError(f"{name} is not a number JSON allows")


async def read_json(request: Request, most: int) -> object:
    """The request's body as JSON: UTF-8, at most `most` bytes, finite numbers only.

    The app's middleware has already refused longer bodies without reading them whole; this
    check keeps the function safe on its own.
    """
    raw = await request.body()
    if len(raw) > most:
        raise RequestError("body", f"{len(raw)} bytes", f"at most {most} bytes", 413)
    if not raw.strip():
        return {}
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise RequestError("body", "bytes that are not UTF-8", "a JSON object in UTF-8") from None
    try:
        return json.loads(text, parse_constant=_refuse_constant)
    except RecursionError:
        raise RequestError("body", "JSON nested too deeply", "a JSON object") from None
    except ValueError as exc:  # malformed JSON, NaN, or an integer of thousands of digits
        reason = getattr(exc, "msg", None) or str(exc)
        raise RequestError("body", f"not JSON ({reason[:60]})", "a JSON object") from None


async def _request_error(request: Request, exc: RequestError) -> JSONResponse:
    return exc.response()


async def _http_error(request: Request, exc: HTTPException) -> JSONResponse:
    if exc.status_code == 405:
        error = RequestError("method", request.method, "the methods this path answers", 405)
    else:
        path = request.url.path
        error = RequestError("path", path, "a page or API of this server", exc.status_code)
        error.message = f"{exc.status_code}: {exc.detail}"
    return JSONResponse(error.as_dict(), status_code=exc.status_code, headers=exc.headers)


async def _validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
    first = (exc.errors() or [{}])[0]
    where = ".".join(str(part) for part in first.get("loc", ("request",)))
    error = RequestError(where, first.get("input"), str(first.get("msg", "a valid request")))
    return error.response()


def install(app: FastAPI) -> None:
    """Structured bodies for refusals and for the framework's own 404, 405 and 422."""
    app.add_exception_handler(RequestError, _request_error)
    app.add_exception_handler(HTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
