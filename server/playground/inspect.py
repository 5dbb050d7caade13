"""The playground's `inspect` message: the chain rule for one weight or bias, at current weights."""

from __future__ import annotations

import math

import numpy as np

from engine.features import feature_matrix
from engine.inspect import inspect
from server.core.context import Context, handler
from server.core.protocol import ProtocolError, int_field
from server.core.protocol import field as read
from server.core.snapshot import Snapshot


def _points(snap: Snapshot, message: dict) -> tuple[np.ndarray, np.ndarray, object]:
    """The inputs and targets (engine.task) of one training point, or of the next update's
    mini-batch.

    "batch" is the first `batchSize` training points: the update that starts the next epoch
    (a leftover carried over from the last epoch, if any, is not included).
    """
    train = snap.train_points
    point = message.get("point", 0)
    if point == "batch":
        rows = train[: max(1, min(snap.config["batchSize"], len(train)))]
    elif isinstance(point, int) and not isinstance(point, bool) and 0 <= point < len(train):
        rows = train[point : point + 1]
    else:
        allowed = f'a training point index 0 .. {len(train) - 1}, or "batch"'
        raise ProtocolError("point", point, allowed)
    X = feature_matrix(list(snap.inputs), rows[:, 0], rows[:, 1]).T
    return X, snap.task.targets(rows[:, 2]).T, point


@handler("inspect")
async def on_inspect(ctx: Context, message: dict) -> None:
    snap = ctx.session.snapshot
    net = snap.network()
    layer = int_field(message, "layer", 0, len(net.weights) - 1)
    n_to, n_from = net.weights[layer].shape
    to = int_field(message, "to", 0, n_to - 1)
    bias = read(message, "bias", "boolean", default=False)
    frm = None if bias else int_field(message, "from", 0, n_from - 1)
    X, Y, point = _points(snap, message)
    if snap.diverged:
        raise ProtocolError("inspect", "diverged", "a network whose weights are finite: reset it")
    task = snap.task
    result = inspect(
        net, X, Y, layer, to, frm, learning_rate=snap.config["learningRate"], loss=task.loss
    )
    if not math.isfinite(result["gradient"]):
        raise ProtocolError("inspect", "not finite", "a network whose gradient is finite")
    reply = {
        "type": "inspection",
        "epoch": snap.epoch,
        "point": point,
        "inputs": list(snap.inputs),
        # The regulariser's step is applied after this one, once per update (as the original).
        "regularization": snap.config["regularization"],
        "regularizationRate": snap.config["regularizationRate"],
    }
    ctx.outlet.send({**reply, **result}, replaces="inspection")
