"""The playground's messages: one handler per type, each a change through the session's owner."""

from __future__ import annotations

import numpy as np

from server.core.config import MAX_STEPS
from server.core.context import Context, handler
from server.core.keep import EXTRA_FIELDS
from server.core.protocol import ProtocolError, int_field
from server.core.protocol import field as read

U32_MAX = 2**32 - 1


@handler("config")
async def on_config(ctx: Context, message: dict) -> None:
    changes = read(message, "config", "object")
    verdict = await ctx.session.configure(changes)
    ctx.refresh(state=True, rebuilt=verdict in ("network", "data"))


@handler("play")
async def on_play(ctx: Context, message: dict) -> None:
    await ctx.session.set_playing(True)
    ctx.refresh(frame=False)


@handler("pause")
async def on_pause(ctx: Context, message: dict) -> None:
    await ctx.session.set_playing(False)
    ctx.refresh()


@handler("step")
async def on_step(ctx: Context, message: dict) -> None:
    await ctx.session.request_steps(int_field(message, "n", 1, MAX_STEPS, default=1))
    ctx.refresh()


@handler("reset")
async def on_reset(ctx: Context, message: dict) -> None:
    await ctx.session.reset()
    ctx.refresh(rebuilt=True)


@handler("regenerate")
async def on_regenerate(ctx: Context, message: dict) -> None:
    await ctx.session.regenerate()
    ctx.refresh()


@handler("set_weight")
async def on_set_weight(ctx: Context, message: dict) -> None:
    layer = int_field(message, "layer", 0, ctx.settings.max_hidden_layers)
    to = int_field(message, "to", 0, U32_MAX)
    bias = read(message, "bias", "boolean", default=False)
    frm = None if bias else int_field(message, "from", 0, U32_MAX)
    value = read(message, "value", "number")
    await ctx.session.set_weight(layer, to, frm, float(value))
    ctx.refresh()


@handler("speed")
async def on_speed(ctx: Context, message: dict) -> None:
    top = ctx.settings.max_speed_choice
    eps = message.get("eps")
    if eps != "max":
        eps = int_field(message, "eps", 1, top) if "eps" in message else None
        if eps is None:
            raise ProtocolError("eps", None, f'an integer from 1 to {top}, or "max"')
    await ctx.session.set_speed(eps)
    ctx.refresh(frame=False)


@handler("fps")
async def on_fps(ctx: Context, message: dict) -> None:
    ctx.outlet.fps = int_field(message, "fps", 1, ctx.settings.max_fps)
    ctx.refresh(frame=False, state=True)


@handler("focus")
async def on_focus(ctx: Context, message: dict) -> None:
    node = message.get("node", "missing")
    if node is not None:
        nodes = sum(ctx.session.snapshot.layers)
        node = int_field(message, "node", 0, nodes - 1)
    ctx.outlet.focus = node
    ctx.refresh(state=True)


def _arrays(message: dict, name: str, optional: bool = False) -> list[np.ndarray] | None:
    if optional and message.get(name) is None:
        return None
    value = read(message, name, "list")
    try:
        return [np.asarray(part, dtype=np.float64) for part in value]
    except (TypeError, ValueError):
        raise ProtocolError(name, value, "a list of numeric arrays, one per layer") from None


def restore_fields(message: dict) -> dict:
    """The checked fields of a `restore` message: config, epoch, weights, biases, dead, and the
    optional own (own points), training (optimizer state, carried gradient), history, data."""
    dead = _arrays(message, "dead", optional=True)
    fields = {
        "config": read(message, "config", "object"),
        "epoch": int_field(message, "epoch", 0, U32_MAX),
        "weights": _arrays(message, "weights"),
        "biases": _arrays(message, "biases"),
        "dead": None if dead is None else [d.astype(bool) for d in dead],
    }
    for name in EXTRA_FIELDS:
        if message.get(name) is not None:
            fields[name] = message[name]
    return fields


@handler("restore")
async def on_restore(ctx: Context, message: dict) -> None:
    await ctx.session.restore(restore_fields(message))
    ctx.refresh(state=True, rebuilt=True)


@handler("import")
async def on_import(ctx: Context, message: dict) -> None:
    """A model file (engine.export's, or the classroom's network file) as the session."""
    model = read(message, "model", "object")
    await ctx.session.restore(restore_fields({**model, "type": "restore"}))
    ctx.refresh(state=True, rebuilt=True)


@handler("replay")
async def on_replay(ctx: Context, message: dict) -> None:
    await ctx.session.replay()
    ctx.refresh(state=True, rebuilt=True)


def _point_list(message: dict, name: str) -> list | None:
    value = message.get(name)
    if value is None:
        return None
    if not isinstance(value, list):
        raise ProtocolError(name, value, "a list")
    return value


@handler("points")
async def on_points(ctx: Context, message: dict) -> None:
    """Own points: `add` [[x, y, class or value], ...], `erase` [x, y, radius] or `clear`."""
    erase = _point_list(message, "erase")
    if erase is not None and (
        len(erase) != 3 or not all(isinstance(v, int | float) and np.isfinite(v) for v in erase)
    ):
        raise ProtocolError("erase", erase, "[x, y, radius], three finite numbers")
    clear = read(message, "clear", "boolean", default=False)
    add = _point_list(message, "add")
    if add is None and erase is None and not clear:
        raise ProtocolError("points", None, "add, erase or clear")
    verdict = await ctx.session.edit_points(add, erase, clear)
    ctx.refresh(state=True, rebuilt=verdict != "points")


@handler("upload")
async def on_upload(ctx: Context, message: dict) -> None:
    await ctx.session.upload(read(message, "csv", "string"))
    ctx.refresh(state=True, rebuilt=True)


@handler("export")
async def on_export(ctx: Context, message: dict) -> None:
    """The session as a file: `format` "model" (JSON) or "python" (a script)."""
    kind = read(message, "format", "string", default="model")
    if kind not in ("model", "python"):
        raise ProtocolError("format", kind, "model or python")
    name, text = await ctx.session.export(kind)
    ctx.outlet.send({"type": "export", "format": kind, "filename": name, "text": text})


@handler("ack")
async def on_ack(ctx: Context, message: dict) -> None:
    ctx.outlet.ack(int_field(message, "seq", 0, U32_MAX))
    ctx.scheduler.wake()
