"""The server's own checks of a playground config (its limits over the engine's) and the limits a
page is told."""

from __future__ import annotations

from engine import DEFAULT_CONFIG, FEATURES, ConfigError
from engine.datasets import NUM_SAMPLES_CLASSIFY, NUM_SAMPLES_REGRESS
from server.core.protocol import ProtocolError
from server.settings import Settings

# Hash keys that only change what the page shows; the server accepts and ignores them.
DISPLAY_KEYS = frozenset(
    {"showTestData", "discretize", "hideText", "collectStats", "initZero", "cosX", "cosY"}
)
MAX_SEED_CHARS = 64
# Changing any of these makes new data: tens of milliseconds of pure Python in the engine.
DATA_KEYS = frozenset({"problem", "dataset", "regDataset", "noise", "percTrainData", "seed"})


def config_error(exc: ConfigError) -> ProtocolError:
    return ProtocolError(exc.field, exc.value, exc.allowed, str(exc))


def check_config(changes: dict, settings: Settings, base: dict | None = None) -> dict:
    """The keys of `changes` the engine should see, after the server's own limits.

    `base` is the config the changes apply to (the defaults if None).
    """
    accepted = {}
    for key, value in changes.items():
        if key in DISPLAY_KEYS or key.endswith("_hide"):
            continue
        if key not in DEFAULT_CONFIG:
            known = ", ".join(DEFAULT_CONFIG)
            raise ProtocolError(key, value, f"a playground setting ({known})")
        accepted[key] = value
    shape = accepted.get("networkShape")
    if shape is not None:
        most, wide = settings.max_hidden_layers, settings.max_neurons
        allowed = f"a list of up to {most} integers, each 1 to {wide}"
        if not isinstance(shape, list) or len(shape) > most:
            raise ProtocolError("networkShape", shape, allowed)
        for width in shape:
            if isinstance(width, bool) or not isinstance(width, int) or not 1 <= width <= wide:
                raise ProtocolError("networkShape", shape, allowed)
    batch = accepted.get("batchSize")
    if isinstance(batch, int) and not isinstance(batch, bool) and batch > settings.max_batch_size:
        raise ProtocolError("batchSize", batch, f"an integer from 1 to {settings.max_batch_size}")
    noise = accepted.get("noise")
    if isinstance(noise, int | float) and not isinstance(noise, bool) and not 0 <= noise <= 50:
        raise ProtocolError("noise", noise, "an integer from 0 to 50 (the noise slider's range)")
    seed = accepted.get("seed")
    if isinstance(seed, str) and len(seed) > MAX_SEED_CHARS:
        raise ProtocolError("seed", seed, f"a string of at most {MAX_SEED_CHARS} characters")
    merged = {**DEFAULT_CONFIG, **(base or {}), **accepted}
    if not any(merged[key] is True for key in FEATURES):
        off = next((key for key in FEATURES if key in accepted), "x")
        raise ProtocolError(off, accepted.get(off), "true for at least one input feature")
    regression = merged["problem"] == "regression"
    samples = NUM_SAMPLES_REGRESS if regression else NUM_SAMPLES_CLASSIFY
    percent = merged["percTrainData"]
    if isinstance(percent, int | float) and samples * percent / 100 > settings.max_train_points:
        most = int(settings.max_train_points * 100 / samples)
        allowed = f"at most {most} with {samples} points (max_train_points)"
        raise ProtocolError("percTrainData", percent, allowed)
    return accepted


def client_limits(settings: Settings) -> dict:
    """The limits a page shows and checks before sending (the `limits` of `state`)."""
    return {
        "maxHiddenLayers": settings.max_hidden_layers,
        "maxNeurons": settings.max_neurons,
        "maxBatchSize": settings.max_batch_size,
        "maxSpeed": settings.max_speed_choice,
        "maxFps": settings.max_fps,
        "gridSize": settings.grid_size,
        "thumbSize": settings.thumb_size,
        "maxMessageBytes": settings.max_message_bytes,
        "maxHistory": settings.max_history,
        "maxSteps": MAX_STEPS,
    }


MAX_STEPS = 1000
