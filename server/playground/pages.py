"""The playground page, with the engine's registries, defaults and the limits injected."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from engine import ACTIVATIONS, DEFAULT_CONFIG, FEATURES, REGULARIZERS
from engine.config import CHOICE_LABELS
from engine.datasets import CLASSIFICATION, MAX_CLASSES, REGRESSION
from engine.losses import LOSSES
from engine.optimizers import OPTIMIZERS
from server.core.config import client_limits
from server.settings import Settings
from server.templating import templates

router = APIRouter()

# The original's menus (spec section 3); the engine accepts any positive number.
LEARNING_RATES = ["0.00001", "0.0001", "0.001", "0.003", "0.01", "0.03", "0.1", "0.3"]
LEARNING_RATES += ["1", "3", "10"]
REGULARIZATION_RATES = ["0", "0.001", "0.003", "0.01", "0.03", "0.1", "0.3", "1", "3", "10"]
SPEEDS = [1, 10, 60, 300]


def engine_registries() -> dict:
    """Names, feature labels and defaults from the engine itself: one source of truth."""
    return {
        "features": [{"key": k, "label": f.label} for k, f in FEATURES.items()],
        "activations": list(ACTIVATIONS),
        "regularizations": list(REGULARIZERS),
        "datasets": list(CLASSIFICATION),
        "regDatasets": list(REGRESSION),
        "classes": list(range(2, MAX_CLASSES + 1)),
        "losses": [{"key": k, "label": CHOICE_LABELS[k]} for k in LOSSES],
        "optimizers": [{"key": k, "label": CHOICE_LABELS[k]} for k in OPTIMIZERS],
        # The seed is left out: a page without one in its URL gets a fresh one from its session.
        "defaults": {k: v for k, v in DEFAULT_CONFIG.items() if k != "seed"},
    }


def boot_data(settings: Settings) -> dict:
    """Everything the page needs before its WebSocket opens."""
    return {
        **engine_registries(),
        "problems": ["classification", "regression"],
        "learningRates": LEARNING_RATES,
        "regularizationRates": REGULARIZATION_RATES,
        "speeds": [s for s in SPEEDS if s <= settings.max_speed_choice],
        "defaultSpeed": settings.default_speed,
        "limits": client_limits(settings),
    }


@router.get("/", response_class=HTMLResponse)
async def index(request: Request) -> HTMLResponse:
    settings = request.app.state.settings
    context = {"boot": boot_data(settings), "page": "playground", "live": True, "palettes": True}
    return templates.TemplateResponse(request, "index.html", context)
