"""Where the page's templates and static files live, installed or in a checkout."""

from pathlib import Path

_HERE = Path(__file__).resolve().parent


def _find(name: str) -> Path:
    # A wheel ships them inside the package; a checkout keeps them at the top level.
    for candidate in (_HERE / name, _HERE.parent / name):
        if candidate.is_dir():
            return candidate
    raise RuntimeError(f"cannot find the {name!r} folder next to {_HERE}")


STATIC_DIR = _find("static")
TEMPLATES_DIR = _find("templates")
