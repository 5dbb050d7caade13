"""A run as a standalone Python script (numpy only): the weights in the lecture's matrix form, a
prediction for points given on the command line and, with `--train N`, training by the same rules
as the engine (batches, carried points, optimizer, regulariser, dead links)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import numpy as np

from engine.script_template import SCRIPT

if TYPE_CHECKING:
    from engine.run import Run


def python_script(run: Run) -> str:
    """A standalone script (needs numpy only) of this network: `python model.py X Y` prints the
    output for a point (and the class, for classification); `--train N` first continues training
    N epochs by the same rules (batches, carried points, optimizer, regulariser, dead links)."""
    net = run.network
    net.packed()
    optimizer, hyper = run.optimizer
    state = run._trainer.state
    L = len(net.weights)

    def per_layer(flat: np.ndarray) -> tuple[list, list]:
        Ws, bs, start = [], [], 0
        for W in net.weights:
            n, m = W.shape
            block = flat[start : start + n * (m + 1)].reshape(n, m + 1)
            Ws.append(block[:, :-1].tolist())
            bs.append(block[:, -1:].tolist())
            start += n * (m + 1)
        return Ws, bs

    lines = []
    for l, (W, b) in enumerate(zip(net.weights, net.biases, strict=True)):
        n, m = W.shape
        lines.append(
            f"# Layer {l + 1}: Z{l + 1} = W{l + 1} @ A{l} + B{l + 1}, W{l + 1} is {n} x {m}"
        )
        lines.append(f"W{l + 1} = np.array({W.tolist()!r})")
        lines.append(f"B{l + 1} = np.array({b[:, None].tolist()!r})")
    moments = [per_layer(state.moments[0, s]) for s in range(state.moments.shape[1])]
    carry = per_layer(state.carry[0])
    names = run.own.names if run.uses_own and run.own.names else ()
    values = {
        "INPUTS": list(run.input_names),
        "ACTIVATIONS": net.activation_names,
        "LOSS": run.task.loss,
        "CLASSES": run.task.classes,
        "CLASS_NAMES": list(names),
        "OPTIMIZER": optimizer,
        "HYPER": hyper,
        "LEARNING_RATE": run.config["learningRate"],
        "REGULARIZATION": run.config["regularization"],
        "REGULARIZATION_RATE": run.config["regularizationRate"],
        "BATCH_SIZE": max(1, run.batch_size),
        "EPOCH": int(run.epoch),
        "STEPS": int(state.steps[0]),
        "CARRY_COUNT": int(state.carry_count[0]),
        "DEAD": [d.astype(int).tolist() for d in net.dead],
        "MOMENTS": [{"W": W, "B": B} for W, B in moments],
        "CARRY": {"W": carry[0], "B": carry[1]},
        "TRAIN": run.train_points.tolist(),
        "TEST": run.test_points.tolist(),
    }
    header = "\n".join(f"{key} = {value!r}" for key, value in values.items())
    weights = "\n".join(lines)
    Ws = ", ".join(f"W{l + 1}" for l in range(L))
    Bs = ", ".join(f"B{l + 1}" for l in range(L))
    return SCRIPT.format(
        config=json.dumps(run.config, sort_keys=True),
        weights=weights,
        header=header,
        Ws=Ws,
        Bs=Bs,
    )
