"""The one Jinja2 environment every page renders with."""

from fastapi.templating import Jinja2Templates

from server.paths import TEMPLATES_DIR

templates = Jinja2Templates(directory=str(TEMPLATES_DIR))
