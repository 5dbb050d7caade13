"""The config schema as this server enforces it: the engine's table (engine.config.SCHEMA) with
ranges narrowed to the server's limits. The same narrowed table checks every config and is what a
page is told, so a limit the page shows is the limit the server enforces."""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

from engine import ConfigError
from engine.config import CONFIG_KEYS, MAX_BATCH_SIZE, SCHEMA
from engine.datasets import NUM_SAMPLES_CLASSIFY, NUM_SAMPLES_REGRESS
from engine.features import FEATURES
from engine.setting import Setting
from server.core.protocol import ProtocolError
from server.settings import Settings

# Changing any of these makes new data: milliseconds of pure Python in the engine.
DATA_KEYS = frozenset(key for key in CONFIG_KEYS if SCHEMA[key].effect == "data")
MAX_STEPS = 1000


def config_error(exc: ConfigError, table: dict[str, Setting] | None = None) -> ProtocolError:
    """The engine's refusal as the protocol's, its message in the words the page shows."""
    setting = (table or SCHEMA).get(exc.field) if isinstance(exc.field, str) else None
    if setting is None or not setting.label:
        return ProtocolError(exc.field, exc.value, exc.allowed, str(exc))
    message = f"{setting.label}: {shown(exc.value)} is not allowed; it takes {setting.describe()}."
    return ProtocolError(exc.field, exc.value, exc.allowed, message)


def shown(value: object) -> str:
    """A value as a person would write it: 4, 2 rather than [4, 2]; text without quotes."""
    if isinstance(value, list | tuple):
        return ", ".join(shown(v) for v in value) or "none"
    if isinstance(value, bool):
        return "on" if value else "off"
    text = str(value)
    return text if len(text) <= 40 else text[:37] + "..."


@lru_cache(maxsize=8)
def _narrowed(layers: int, neurons: int, batch: int) -> dict[str, Setting]:
    table = dict(SCHEMA)
    table["networkShape"] = SCHEMA["networkShape"].narrowed(length=layers, high=neurons)
    table["batchSize"] = SCHEMA["batchSize"].narrowed(high=min(batch, MAX_BATCH_SIZE))
    # The original's sliders: noise 0 .. 50 and a training ratio of 10 .. 90 %, whole numbers.
    table["noise"] = SCHEMA["noise"].narrowed(kind="integer", high=50)
    table["percTrainData"] = SCHEMA["percTrainData"].narrowed(kind="integer", low=10, high=90)
    return table


def schema(settings: Settings) -> dict[str, Setting]:
    """The engine's schema with this server's limits (network size, batch size, sliders)."""
    return _narrowed(settings.max_hidden_layers, settings.max_neurons, settings.max_batch_size)


def check_config(changes: dict, settings: Settings, base: dict | None = None) -> dict:
    """The keys of `changes` the engine should see, each checked against the server's schema;
    `base` is the config the changes apply to (the defaults if None)."""
    if not isinstance(changes, dict):
        raise ProtocolError("config", changes, "an object of playground settings")
    table = schema(settings)
    accepted = {}
    for key, value in changes.items():
        setting = table.get(key) if isinstance(key, str) else None
        if setting is None:
            if isinstance(key, str) and key.endswith("_hide"):
                continue
            raise ProtocolError(key, value, f"a playground setting ({', '.join(CONFIG_KEYS)})")
        if setting.is_config:
            try:
                accepted[key] = setting.check(key, value)
            except ConfigError as exc:
                raise config_error(exc, table) from None
    merged = {**{k: SCHEMA[k].default for k in CONFIG_KEYS}, **(base or {}), **accepted}
    if not any(merged[key] is True for key in FEATURES):
        off = next((key for key in FEATURES if key in accepted), "x")
        raise ProtocolError(off, accepted.get(off), "true for at least one input feature")
    samples = NUM_SAMPLES_REGRESS if merged["problem"] == "regression" else NUM_SAMPLES_CLASSIFY
    percent = merged["percTrainData"]
    if samples * percent / 100 > settings.max_train_points:
        most = int(settings.max_train_points * 100 / samples)
        allowed = f"at most {most} with {samples} points (the server's limit on training points)"
        raise ProtocolError("percTrainData", percent, allowed)
    return accepted


def page_schema(settings: Settings) -> list[dict]:
    """Every hash key in link order as the page reads it: default, type, range, label, effect."""
    rows = []
    for key, s in schema(settings).items():
        row = {"key": key, "default": s.default, "kind": s.kind, "effect": s.effect}
        row.update(label=s.label, allowed=s.allowed(), describe=s.describe())
        for name in ("choices", "choice_labels", "low", "high", "length"):
            value = getattr(s, name)
            if value not in (None, ()):
                key_name = "choiceLabels" if name == "choice_labels" else name
                row[key_name] = list(value) if isinstance(value, tuple) else value
        if s.low_open:
            row["lowOpen"] = True
        if s.high_open:
            row["highOpen"] = True
        if s.omits:
            row["omit"] = s.omit
        rows.append(row)
    return rows


PAGE_SCHEMA_FILE = Path(__file__).resolve().parents[2] / "static" / "js" / "schema.js"


def page_schema_module() -> str:
    """static/js/schema.js: the engine's table as the page reads it (with the engine's own
    limits; a server's narrower ones reach the page in `state.limits`)."""
    rows = ",\n".join("  " + json.dumps(row, ensure_ascii=False) for row in page_schema(Settings()))
    return (
        "// The config schema of engine/config.py, as the page reads it: written by\n"
        "// `python -m server.core.config`, checked by tests/server/test_config.py. Do not edit.\n"
        f"export const PAGE_SCHEMA = [\n{rows},\n];\n"
    )


def client_limits(settings: Settings) -> dict:
    """The limits a page shows and checks before sending (the `limits` of `state`)."""
    return {
        "maxHiddenLayers": settings.max_hidden_layers,
        "maxNeurons": settings.max_neurons,
        "maxBatchSize": schema(settings)["batchSize"].high,
        "maxSpeed": settings.max_speed_choice,
        "maxFps": settings.max_fps,
        "gridSize": settings.grid_size,
        "thumbSize": settings.thumb_size,
        "maxMessageBytes": settings.max_message_bytes,
        "maxHistory": settings.max_history,
        "maxSteps": MAX_STEPS,
        "maxOwnPoints": settings.max_own_points,
    }


if __name__ == "__main__":
    PAGE_SCHEMA_FILE.write_text(page_schema_module())
    print(f"wrote {PAGE_SCHEMA_FILE}")
