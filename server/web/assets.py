"""Static files under a version of the whole tree, so browsers may keep them for good.

A page links `/static/v/<version>/js/main.js` (templates call `static_url`); the modules import
one another by relative paths, so a page's whole tree shares its version. The version is a hash of
every file, so any change gives new URLs: such a response may be cached as immutable. A plain
`/static/...` path, or an old version, still answers with today's file, revalidated by its ETag.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import Response
from fastapi.staticfiles import StaticFiles
from starlette.types import Scope

IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "no-cache"  # keep it, but ask with its ETag before each use (a 304 is cheap)
PREFIX = "v/"


class TreeVersion:
    """A short hash of every file under `root`, recomputed only when a file's size or time moves."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self._stamp: tuple | None = None
        self._version = ""

    def files(self) -> list[Path]:
        return sorted(p for p in self.root.rglob("*") if p.is_file() and not p.name.startswith("."))

    def __call__(self) -> str:
        files = self.files()
        stamp = tuple((str(p), p.stat().st_size, p.stat().st_mtime_ns) for p in files)
        if stamp != self._stamp:
            digest = hashlib.sha256()
            for p in files:
                digest.update(p.relative_to(self.root).as_posix().encode() + b"\0")
                digest.update(p.read_bytes())
            self._stamp, self._version = stamp, digest.hexdigest()[:12]
        return self._version

    def url(self, path: str) -> str:
        """The URL of static file `path` (relative to the static folder) at today's version."""
        return f"/static/{PREFIX}{self()}/{path.lstrip('/')}"


class StaticAssets(StaticFiles):
    """StaticFiles that understands `v/<version>/` and says how long a file may be kept."""

    def __init__(self, *, directory: Path, version: TreeVersion) -> None:
        super().__init__(directory=directory)
        self.version = version

    def _split(self, scope: Scope) -> tuple[str, str | None]:
        path = super().get_path(scope)
        if path.startswith(PREFIX):
            wanted, _, rest = path[len(PREFIX) :].partition("/")
            return rest, wanted
        return path, None

    def get_path(self, scope: Scope) -> str:
        return self._split(scope)[0]

    def file_response(self, full_path, stat_result, scope, status_code=200):
        response = super().file_response(full_path, stat_result, scope, status_code)
        wanted = self._split(scope)[1]
        response.headers["Cache-Control"] = IMMUTABLE if wanted == self.version() else REVALIDATE
        return response


def favicon_router(static_dir: Path) -> APIRouter:
    """`/favicon.ico` for browsers that ask for it whatever the page links: the site's SVG icon."""
    router = APIRouter()
    icon = Path(static_dir) / "favicon.svg"

    @router.get("/favicon.ico", include_in_schema=False)
    async def favicon() -> Response:
        headers = {"Cache-Control": "public, max-age=86400"}
        return Response(icon.read_bytes(), media_type="image/svg+xml", headers=headers)

    return router
