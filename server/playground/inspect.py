"""The playground's `inspect` message: the chain rule for one weight or bias, at current weights."""

from __future__ import annotations

import math

import numpy as np

from engine.features import feature_matrix
from engine.inspect import inspect
from server.core.protocol import ProtocolError, int_field
from server.core.protocol import field as read
from server.playground.handlers import Context, handler


def _points(ctx: Context, message: dict) -> tuple[np.ndarray, np.ndarray, object]:
    """The inputs and targets of one training point, or of the next update's mini-batch.

    "batch" is the first `batchSize` training points: the update that starts the next epoch
    (a leftover carried over from the last epoch, if any, is not included).
    """
    run = ctx.session.run
    train = run.train_points
    point = message.get("point", 0)
    if point == "batch":
        rows = train[: max(1, min(run.config["batchSize"], len(train)))]
    elif isinstance(point, int) and not isinstance(point, bool) and 0 <= point < len(train):
        rows = train[point : point + 1]
    else:
        allowed = f'a training point index 0 .. {len(train) - 1}, or "batch"'
        raise ProtocolError("point", point, allowed)
    X = feature_matrix(run.input_names, rows[:, 0], rows[:, 1]).T
    return X, rows[:, 2:3], point


@handler("inspect")
def on_inspect(ctx: Context, message: dict) -> None:
    run = ctx.session.run
    net = run.network
    layer = int_field(message, "layer", 0, len(net.weights) - 1)
    n_to, n_from = net.weights[layer].shape
    to = int_field(message, "to", 0, n_to - 1)
    bias = read(message, "bias", "boolean", default=False)
    frm = None if bias else int_field(message, "from", 0, n_from - 1)
    X, Y, point = _points(ctx, message)
    if run.diverged:
        raise ProtocolError("inspect", "diverged", "a network whose weights are finite: reset it")
    result = inspect(net, X, Y, layer, to, frm, learning_rate=run.config["learningRate"])
    if not math.isfinite(result["gradient"]):
        raise ProtocolError("inspect", "not finite", "a network whose gradient is finite")
    reply = {
        "type": "inspection",
        "epoch": run.epoch,
        "point": point,
        "inputs": run.input_names,
        # The regulariser's step is applied after this one, once per update (as the original).
        "regularization": run.config["regularization"],
        "regularizationRate": run.config["regularizationRate"],
    }
    ctx.outlet.send({**reply, **result}, replaces="inspection")
