"""Every key of the original's URL hash in one table: defaults, types and ranges, the words a page
shows, what a change rebuilds. It drives validation, hash parsing and hash writing here, the
server's tighter limits (which narrow its ranges) and the page's own parse and serialise."""

from __future__ import annotations

import secrets
from typing import Any

from engine.activations import ACTIVATIONS
from engine.datasets import CLASSIFICATION, MAX_CLASSES, REGRESSION
from engine.errors import ConfigError
from engine.features import FEATURES
from engine.losses import LOSSES
from engine.optimizers import OPTIMIZERS
from engine.regularizers import REGULARIZERS
from engine.setting import Setting, plain_number

# Hard ceilings that keep any one run small; a server may set lower limits of its own.
MAX_HIDDEN_LAYERS = 16
MAX_NEURONS = 64
MAX_BATCH_SIZE = 1200
MAX_SEED_LENGTH = 64
MAX_NOISE = 100
MAX_STOP_EPOCH = 1_000_000_000


def _feature(key: str) -> Setting:
    label = key
    if key in FEATURES:  # X_1^2 as the page shows it: X1²
        label = "Input " + FEATURES[key].label.replace("_", "").replace("^2", "²")
    return Setting(key in ("x", "y"), "bool", "network" if key in FEATURES else "ignored", label)


# Choices as the original's menus name them.
CHOICE_LABELS = {
    "tanh": "Tanh", "relu": "ReLU", "sigmoid": "Sigmoid", "linear": "Linear",
    "none": "None", "L1": "L1", "L2": "L2",
    "circle": "Circle", "xor": "Exclusive or", "gauss": "Gaussian", "spiral": "Spiral",
    "reg-plane": "Plane", "reg-gauss": "Multi Gaussian",
    "squared": "Squared error", "crossEntropy": "Cross-entropy",
    "sgd": "SGD", "momentum": "Momentum", "adam": "Adam",
}  # fmt: skip


def _optimizer_setting(key: str, label: str, **range_: Any) -> Setting:
    default = next(o.hyperparameters[key] for o in OPTIMIZERS.values() if key in o.hyperparameters)
    return Setting(default, "number", "network", label, omit=default, **range_)


# The original's keys in the order its links have them, then this playground's display keys.
SCHEMA: dict[str, Setting] = {
    "activation": Setting(
        "tanh",
        "choice",
        "network",
        "Activation",
        tuple(ACTIVATIONS),
        choice_labels=tuple(CHOICE_LABELS[name] for name in ACTIVATIONS),
    ),
    "regularization": Setting(
        "none",
        "choice",
        "network",
        "Regularization",
        tuple(REGULARIZERS),
        omit="none",
        choice_labels=tuple(CHOICE_LABELS[name] for name in REGULARIZERS),
    ),
    "batchSize": Setting(10, "integer", "network", "Batch size", low=1, high=MAX_BATCH_SIZE),
    "dataset": Setting(
        "circle",
        "choice",
        "data",
        "Data set",
        tuple(CLASSIFICATION),
        choice_labels=tuple(CHOICE_LABELS[name] for name in CLASSIFICATION),
    ),
    "regDataset": Setting(
        "reg-plane",
        "choice",
        "data",
        "Data set",
        tuple(REGRESSION),
        choice_labels=tuple(CHOICE_LABELS[name] for name in REGRESSION),
    ),
    "learningRate": Setting(0.03, "number", "learningRate", "Learning rate", low=0, low_open=True),
    "regularizationRate": Setting(0, "number", "network", "Regularization rate", low=0),
    "noise": Setting(0, "number", "data", "Noise", low=0, high=MAX_NOISE),
    "networkShape": Setting(
        [4, 2],
        "shape",
        "network",
        "Hidden layers",
        low=1,
        high=MAX_NEURONS,
        length=MAX_HIDDEN_LAYERS,
    ),  # fmt: skip
    "seed": Setting(None, "seed", "data", "Seed", high=MAX_SEED_LENGTH, omit=None),
    "showTestData": Setting(False, "bool", "display", "Show test data"),
    "discretize": Setting(False, "bool", "display", "Discretize output"),
    "percTrainData": Setting(
        50, "number", "data", "Ratio of training to test data", low=1, high=99
    ),
    **{key: _feature(key) for key in ("x", "y", "xTimesY", "xSquared", "ySquared", "cosX")},
    "sinX": _feature("sinX"),
    "cosY": _feature("cosY"),
    "sinY": _feature("sinY"),
    "collectStats": Setting(False, "bool", "ignored"),
    "problem": Setting(
        "classification",
        "choice",
        "data",
        "Problem type",
        ("classification", "regression"),
        choice_labels=("Classification", "Regression"),
    ),
    "initZero": Setting(False, "bool", "ignored"),
    "hideText": Setting(False, "bool", "display", "Hide the text"),
    "projector": Setting(False, "bool", "display", "Projector mode", omit=False),
    "colorblind": Setting(False, "bool", "display", "Colour-blind palette", omit=False),
    # Beyond the original (issue 12); each is left out of a link at its default, so the
    # original's links read and write as before.
    "classes": Setting(2, "integer", "data", "Classes", low=2, high=MAX_CLASSES, omit=2),
    # The points a user drew or uploaded (engine.owndata) instead of the data set's.
    "ownData": Setting(False, "bool", "data", "Your own data", omit=False),
    "loss": Setting(
        "squared",
        "choice",
        "network",
        "Loss",
        tuple(LOSSES),
        omit="squared",
        choice_labels=tuple(CHOICE_LABELS[name] for name in LOSSES),
    ),
    "optimizer": Setting(
        "sgd",
        "choice",
        "network",
        "Optimizer",
        tuple(OPTIMIZERS),
        omit="sgd",
        choice_labels=tuple(CHOICE_LABELS[name] for name in OPTIMIZERS),
    ),
    "momentum": _optimizer_setting("momentum", "Momentum μ", low=0, high=1, high_open=True),
    "beta1": _optimizer_setting("beta1", "Adam β₁", low=0, high=1, high_open=True),
    "beta2": _optimizer_setting("beta2", "Adam β₂", low=0, high=1, high_open=True),
    "epsilon": _optimizer_setting("epsilon", "Adam ε", low=0, high=1, low_open=True),
    "stopEpoch": Setting(0, "integer", "live", "Stop at epoch", low=0, high=MAX_STOP_EPOCH, omit=0),
    "stopTestLoss": Setting(0, "number", "live", "Stop at test loss", low=0, omit=0),
    "draw": Setting(False, "bool", "display", "Draw points", omit=False),
}
CONFIG_KEYS = tuple(key for key, s in SCHEMA.items() if s.is_config)
DEFAULT_CONFIG: dict[str, Any] = {key: SCHEMA[key].default for key in CONFIG_KEYS}
# Keys a config may carry that only change the page (or nothing): accepted and ignored.
DISPLAY_KEYS = frozenset(key for key, s in SCHEMA.items() if not s.is_config)


def fresh_seed() -> str:
    """A new "0.xxxxx" seed, as the original picks one when the URL has none."""
    return f"0.{secrets.randbelow(100_000):05d}"


def validate(changes: dict, base: dict | None = None, schema: dict | None = None) -> dict:
    """`base` (default: DEFAULT_CONFIG) with `changes` applied, every value checked against
    `schema` (default: the engine's own ranges).

    Raises ConfigError on the first unknown key or bad value; never returns a partial result.
    """
    if not isinstance(changes, dict):
        raise ConfigError("config", changes, "an object of settings")
    schema = SCHEMA if schema is None else schema
    config = dict(DEFAULT_CONFIG if base is None else base)
    for key, value in changes.items():
        if key in DISPLAY_KEYS or (isinstance(key, str) and key.endswith("_hide")):
            continue
        setting = schema.get(key)
        if setting is None:
            raise ConfigError(key, value, "a setting among " + ", ".join(CONFIG_KEYS))
        config[key] = setting.check(key, value)
    return config


def parse_hash(h: str) -> dict:
    """The original's URL hash ("#key=value&...") as a config dict of JSON types (unvalidated
    keys it ignores are dropped; values are converted the way its state.ts converts them)."""
    if not isinstance(h, str):
        raise ConfigError("hash", h, "a string like #activation=tanh&batchSize=10")
    config: dict[str, Any] = {}
    for part in h.lstrip("#").split("&"):
        name, _, value = part.partition("=")
        spec = SCHEMA.get(name)
        if spec is None or not spec.is_config or (spec.kind != "shape" and value.strip() == ""):
            continue  # the original ignores unknown keys and empty values
        if spec.kind in ("number", "integer"):
            try:
                config[name] = plain_number(float(value))
            except (ValueError, OverflowError):
                raise ConfigError(name, value, "a number") from None
        elif spec.kind == "shape":
            try:
                config[name] = [int(v) for v in value.split(",")] if value else []
            except ValueError:
                raise ConfigError(name, value, "comma-separated integers like 4,2") from None
        elif spec.kind == "bool":
            config[name] = value != "false"  # the original: anything but "false" is true
        else:
            config[name] = value
    return config


def _js_number(value: float | int) -> str:
    return str(plain_number(value)) if float(value).is_integer() else repr(float(value))


def to_hash(config: dict) -> str:
    """A link the original (and we) can read: its key order, its value formats."""
    parts = []
    for key in CONFIG_KEYS:
        spec = SCHEMA[key]
        value = config.get(key, spec.default)
        if spec.omits and value == spec.omit and key != "seed":
            continue  # the original omits regularization when none; our keys at their defaults
        if spec.kind in ("number", "integer"):
            text = _js_number(value)
        elif spec.kind == "shape":
            text = ",".join(str(n) for n in value)
        elif spec.kind == "bool":
            text = "true" if value else "false"
        else:
            text = "" if value is None else str(value)
        parts.append(f"{key}={text}")
    return "#" + "&".join(parts)
