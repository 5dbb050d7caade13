"""What a user brings and keeps: own points (drawn or uploaded), model files and scripts, turned
into runs or text after the server's limits. Plain functions; the slow ones run off the loop."""

from __future__ import annotations

import json

import numpy as np

from engine import ConfigError, Run
from engine.config import validate
from engine.export import model_of, python_script, run_from_model
from engine.owndata import OwnData, from_json, parse_csv
from server.core.config import check_config, config_error
from server.core.protocol import ProtocolError
from server.settings import Settings

# What `restore` (and `import`) may carry beyond the original's fields.
EXTRA_FIELDS = ("own", "training", "history", "data")


def build_run(settings: Settings, config: dict | None, own: OwnData | None = None) -> Run:
    """A run from a partial config, after the server's limits (slow: it draws the data)."""
    try:
        return Run.from_config(check_config(config or {}, settings), own)
    except ConfigError as exc:
        raise config_error(exc) from None


def restored_run(settings: Settings, parts: dict) -> tuple[Run, np.ndarray]:
    """A run holding the `restore` fields `parts` (config, epoch, weights, biases and optional
    dead, own, training, history, data), and its history rows; all or nothing (slow)."""

    def checked(config: object) -> dict:
        return validate(check_config(config, settings))

    try:
        return run_from_model(parts, settings.max_own_points, checked)
    except ConfigError as exc:
        raise config_error(exc) from None


def own_of(value: object, settings: Settings) -> OwnData:
    try:
        return from_json(value, settings.max_own_points)
    except ConfigError as exc:
        raise config_error(exc) from None


def edited(run: Run, settings: Settings, add=None, erase=None, clear: bool = False) -> OwnData:
    """The run's own points after an edit: cleared, points added ([x, y, class or value]), or
    those within `erase` = [x, y, radius] removed. Own points of another problem type, or none
    yet, start a new set of the run's problem type."""
    own = run.own
    problem = run.config["problem"]
    if clear or own.problem != problem:
        own = OwnData(problem, np.zeros((0, 3)), own.names if own.problem == problem else ())
    try:
        if erase is not None:
            x, y, radius = erase
            own = own.erased(float(x), float(y), float(radius))
        if add is not None:
            own = own.added(add, settings.max_own_points)
    except ConfigError as exc:
        raise config_error(exc) from None
    classes = run.config["classes"]
    if problem == "classification" and own.classes > classes:
        raise ProtocolError("add", add, f"points of the classes 0 .. {classes - 1}")
    return own


def with_points(run: Run, own: OwnData) -> str:
    """A run already on its own points takes these instead; the network trains on."""
    try:
        run.set_own(own)
    except ConfigError as exc:
        raise config_error(exc) from None
    return "points"


def with_own(run: Run, own: OwnData) -> str:
    """A run on a data set turns to these own points (`ownData`): new data, a new network; all
    or nothing (slow: runs off the loop). Returns the engine's verdict."""
    before, run.own = run.own, own
    try:
        return run.update({"ownData": True})
    except BaseException as exc:
        run.own = before
        if isinstance(exc, ConfigError):
            raise config_error(exc) from None
        raise


def uploaded(settings: Settings, config: dict, text: object) -> Run:
    """The run of an uploaded CSV file: its points as own data, the problem type and classes it
    needs; the network built afresh. Refused whole (ProtocolError on field `csv`)."""
    try:
        own = parse_csv(text, settings.max_own_points)
    except ConfigError as exc:
        raise ProtocolError("csv", None, exc.allowed, str(exc)) from None
    changes = {**config, "ownData": True, "problem": own.problem}
    if own.problem == "classification":
        changes["classes"] = max(2, len(own.names))
    return build_run(settings, changes, own)


def export_text(run: Run, history: np.ndarray, kind: str) -> tuple[str, str]:
    """(file name, text) of the run as a model file (JSON) or a standalone Python script."""
    epoch = run.epoch
    if kind == "python":
        return f"model-epoch-{epoch}.py", python_script(run)
    text = json.dumps(model_of(run, history), allow_nan=False, separators=(",", ":"))
    return f"model-epoch-{epoch}.json", text
