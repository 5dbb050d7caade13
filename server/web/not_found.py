"""Unknown URLs: a page in the site's style for people, JSON for the APIs' clients."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException

from server.core.errors import RequestError
from server.templating import templates


def wants_json(path: str) -> bool:
    """The JSON APIs (`/lessons/api/...`, `/classroom/api/...`) keep answering in JSON."""
    return "/api/" in path or path.endswith("/api")


async def handler(request: Request, exc: HTTPException) -> Response:
    path = request.url.path
    if wants_json(path):
        error = RequestError("path", path, "a page or API of this server", 404)
        return JSONResponse(error.as_dict(), status_code=404, headers=exc.headers)
    context = {"page": None, "path": request.url.path}
    return templates.TemplateResponse(request, "not_found.html", context, status_code=404)
