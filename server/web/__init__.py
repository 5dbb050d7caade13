"""Around the pages: static files (versioned, cached, compressed), the favicon, the 404 page."""

from __future__ import annotations

from fastapi import FastAPI
from starlette.middleware.gzip import GZipMiddleware

from server.paths import STATIC_DIR
from server.templating import templates
from server.web import assets, not_found


def install(app: FastAPI) -> None:
    """Mount /static, add gzip for compressible responses, /favicon.ico and the HTML 404 page."""
    version = assets.TreeVersion(STATIC_DIR)
    templates.env.globals["static_url"] = version.url
    app.mount("/static", assets.StaticAssets(directory=STATIC_DIR, version=version), name="static")
    app.include_router(assets.favicon_router(STATIC_DIR))
    # Starlette leaves images, fonts, archives and event streams alone: only text is worth it.
    app.add_middleware(GZipMiddleware, minimum_size=500, compresslevel=6)
    app.add_exception_handler(404, not_found.handler)
