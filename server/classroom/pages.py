"""Classroom pages under `/classroom`: the landing page, the instructor's room, a student's page.

The room pages are the playground's page around a room panel, so they get the playground's boot
data (registries, defaults, limits) as well.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from server.classroom.rules import LOCKABLE
from server.playground.pages import boot_data
from server.templating import templates

router = APIRouter(prefix="/classroom")

# What the lock checkboxes say: the controls as the page labels them, not their URL keys.
LOCK_LABELS = {
    "playButton": "Play and pause",
    "stepButton": "Step",
    "resetButton": "Reset and regenerate",
    "learningRate": "Learning rate",
    "activation": "Activation",
    "regularization": "Regularization",
    "regularizationRate": "Regularization rate",
    "problem": "Problem type",
    "dataset": "Dataset",
    "percTrainData": "Ratio of training data",
    "noise": "Noise",
    "batchSize": "Batch size",
    "numHiddenLayers": "Hidden layers and neurons",
    "features": "Features",
    "weights": "Editing weights",
    "showTestData": "Show test data",
    "discretize": "Discretize output",
    "classes": "Classes",
    "loss": "Loss",
    "optimizer": "Optimizer",
    "stopEpoch": "Pause at epoch",
    "stopTestLoss": "Pause at test loss",
    "draw": "Drawing points",
    "uploadData": "Uploading data",
    "importModel": "Opening a model file",
    "replayButton": "Run again from the same start",
}


def _page(request: Request, name: str, room: bool) -> HTMLResponse:
    settings = request.app.state.settings
    context = {
        "page": "classroom",
        "settings": settings,
        "max_name_length": settings.max_name_length,
        "live": room,
        "palettes": room,
    }
    if room:
        context["boot"] = boot_data(settings)
        context["lockable"] = [(key, LOCK_LABELS.get(key, key)) for key in LOCKABLE]
    return templates.TemplateResponse(request, f"classroom/{name}", context)


@router.get("", response_class=HTMLResponse)
async def landing(request: Request) -> HTMLResponse:
    return _page(request, "index.html", room=False)


@router.get("/new", response_class=HTMLResponse)
async def instructor_page(request: Request) -> HTMLResponse:
    return _page(request, "teach.html", room=True)


@router.get("/join", response_class=HTMLResponse)
async def student_page(request: Request) -> HTMLResponse:
    return _page(request, "join.html", room=True)
