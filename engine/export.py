"""A run as files a user keeps: the model as JSON (everything needed to continue it exactly) and a
standalone Python script (numpy only) with the weights in the lecture's matrix form.

The JSON's arrays are exact (float64 written as the shortest repr that reads back the same). The
optimizer's moments and the carried gradient are flat vectors in the network's parameter layout:
layer after layer, each layer's [W | b] row by row (engine.network).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from engine.config import validate
from engine.errors import ConfigError
from engine.owndata import OwnData, from_json
from engine.run import Run
from engine.script import python_script

__all__ = ["FORMAT", "VERSION", "model_of", "python_script", "run_from_model"]

FORMAT = "nn-playground-model"
VERSION = 1


def model_of(run: Run, history: np.ndarray | None = None) -> dict[str, Any]:
    """Everything about a run a file keeps: config, data, weights, biases, dead links, optimizer
    state, epoch and the loss history (rows epoch, train loss, test loss)."""
    net = run.network
    net.packed()
    optimizer, hyper = run.optimizer
    rows = np.zeros((0, 3)) if history is None else np.asarray(history, dtype=np.float64)
    return {
        "format": FORMAT,
        "version": VERSION,
        "config": dict(run.config),
        "layers": list(net.layer_sizes),
        "inputs": list(run.input_names),
        "activation": net.activation,
        "outputActivation": net.output_activation,
        "loss": run.task.loss,
        "optimizer": {"name": optimizer, **hyper},
        "epoch": int(run.epoch),
        "weights": [W.tolist() for W in net.weights],
        "biases": [b.tolist() for b in net.biases],
        "dead": [d.astype(int).tolist() for d in net.dead],
        "training": run.training_state(),
        "losses": {"train": _finite(run.train_loss), "test": _finite(run.test_loss)},
        "data": {"train": run.train_points.tolist(), "test": run.test_points.tolist()},
        "own": run.own.as_json() if len(run.own) else None,
        "history": [[int(e), _finite(a), _finite(b)] for e, a, b in rows.tolist()],
    }


def _finite(x: float) -> float | None:
    return float(x) if np.isfinite(x) else None


def check_points(run: Run, data: object) -> None:
    """A model file's points must be those its config (and own data) make: ConfigError if not."""
    if data is None:
        return
    if not isinstance(data, dict):
        raise ConfigError("data", data, "an object with train and test points")
    for name, mine in (("train", run.train_points), ("test", run.test_points)):
        try:
            theirs = np.asarray(data.get(name), dtype=np.float64)
        except (TypeError, ValueError):
            theirs = None
        if theirs is None or theirs.shape != mine.shape or not np.array_equal(theirs, mine):
            allowed = "the points its config, seed and own data make"
            raise ConfigError(f"data.{name}", f"{np.shape(theirs)} points", allowed)


def run_from_model(model: object, max_points: int, check_config=validate) -> tuple[Run, np.ndarray]:
    """The run a model file (`model_of`'s, or any object with its `config`, `epoch`, `weights`,
    `biases` and optional `dead`, `training`, `own`, `data`, `history`) holds, and its loss
    history rows; all or nothing, ConfigError naming the first bad field. `check_config` turns
    the file's config into a run's (the engine's `validate` or a server's narrower check)."""
    if not isinstance(model, dict):
        raise ConfigError("model", type(model).__name__, "an object read from a model file")
    if "format" in model and model["format"] != FORMAT:
        raise ConfigError("format", model["format"], FORMAT)
    own = OwnData() if model.get("own") is None else from_json(model["own"], max_points)
    run = Run(check_config(model.get("config")), own)
    run.restore(
        model.get("weights"),
        model.get("biases"),
        model.get("epoch"),
        model.get("dead"),
        model.get("training"),
    )
    check_points(run, model.get("data"))
    return run, history_rows(model.get("history"))


def history_rows(history: object) -> np.ndarray:
    """A file's loss history as rows (epoch, train loss, test loss); ConfigError if malformed."""
    if history is None:
        return np.zeros((0, 3))
    try:
        rows = np.array(
            [[np.nan if v is None else v for v in row] for row in history], dtype=np.float64
        ).reshape(-1, 3)
    except (TypeError, ValueError):
        raise ConfigError("history", "not rows", "rows [epoch, train loss, test loss]") from None
    if len(rows) and (not np.isfinite(rows[:, 0]).all() or (np.diff(rows[:, 0]) <= 0).any()):
        raise ConfigError("history", "epochs out of order", "rows in increasing epoch order")
    return rows[np.isfinite(rows).all(axis=1)]
