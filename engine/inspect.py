"""The chain rule for one weight or bias, factor by factor, as the lecture writes it out for w5, w1.

Weight layer l connects node layer l (l = 0: the inputs) to node layer l + 1. For the weight
w = W_l[j, i] and one training point:

    dE/dw = dE/dout_j * dout_j/dnet_j * dnet_j/dw,   dnet_j/dw = out_i (1 for the bias),

where dE/dout_j is the loss derivative at an output neuron, and at a hidden neuron the sum over
the next layer: dE/dout_j = sum_k w_kj * dE/dnet_k. Unrolled, that sum is the sum over every path
from j to an output. A mini-batch's gradient is the mean of its points' gradients.

The loss is the squared error (in either convention) or cross-entropy (engine.losses). A softmax
output's out_j depends on every net_k, so for it the first two factors are shown combined, as
dE/dnet_j (for cross-entropy: out_j - t_j), with dout/dnet taken as 1.
"""

from __future__ import annotations

import itertools
import math

import numpy as np

from engine.activations import OUTPUT_ACTIVATIONS, softmax_backward
from engine.errors import ConfigError
from engine.losses import LOSSES, check_output, formulas

# E per point, and the derivative dE/dout it gives: the Playground's 1/2 (t - out)^2, or the
# lecture's (t - out)^2 without the one-half (gradients twice as large).
CONVENTIONS = {
    "half": ("E = ½ Σ (t − out)²", "−(t − out)", 1.0),
    "lecture": ("E = Σ (t − out)²", "−2 (t − out)", 2.0),
}


def trace(net, X: np.ndarray) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Forward pass keeping every layer: nets[l] shape (n, n_(l+1)), outs[0] = X, outs[l + 1]."""
    X = np.asarray(X, dtype=np.float64)
    Zs, As = net.layer_outputs(X.T)
    return [Z.T for Z in Zs], [X] + [A.T for A in As]


def backward(
    net,
    nets: list[np.ndarray],
    outs: list[np.ndarray],
    Y: np.ndarray,
    convention: str = "half",
    loss: str = "squared",
) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Per point: dE/dout and dE/dnet (the delta) of every node layer after the inputs."""
    names = net.activation_names
    d_out = [None] * len(nets)
    d_net = [None] * len(nets)
    Y = np.asarray(Y, dtype=np.float64)
    if loss == "squared":
        d_out[-1] = -CONVENTIONS[convention][2] * (Y - outs[-1])
    else:
        d_out[-1] = LOSSES[loss].derivative(outs[-1].T, Y.T, names[-1]).T
    for l in range(len(nets) - 1, -1, -1):
        if l < len(nets) - 1:
            d_out[l] = d_net[l + 1] @ net.weights[l + 1]
        if names[l] == "softmax":  # its Jacobian, samples as columns
            d_net[l] = softmax_backward(outs[l + 1].T, d_out[l].T.copy(), outs[l + 1].T.copy()).T
        else:
            d_net[l] = d_out[l] * OUTPUT_ACTIVATIONS[names[l]].derivative(nets[l], outs[l + 1])
    return d_out, d_net


def _slopes(net, nets, outs) -> list[np.ndarray]:
    """dout/dnet of every layer, per point; 1 for a softmax output (its factors are combined)."""
    return [
        np.ones_like(z) if name == "softmax" else OUTPUT_ACTIVATIONS[name].derivative(z, a)
        for name, z, a in zip(net.activation_names, nets, outs[1:], strict=True)
    ]


def _formulas(loss: str, convention: str, output: str, n_outputs: int, combined: bool) -> dict:
    """The loss and its factor at an output, written out, for this loss and output layer."""
    if loss == "squared":
        text, factor = CONVENTIONS[convention][:2]
    else:
        text, factor = formulas(loss, output, n_outputs)
        convention = loss
    out = {"convention": convention, "loss_name": loss, "loss": text, "dE_dout_formula": factor}
    out["combined"] = combined
    if combined:
        out["dE_dnet_formula"] = (
            "out − t"
            if loss == "crossEntropy"
            else "out_j (dE/dout_j − Σ_k dE/dout_k out_k), dE/dout = −(t − out)"
        )
    elif loss == "crossEntropy":
        out["dE_dnet_formula"] = "out − t"  # the sigmoid's slope cancels 1 / (out (1 − out))
    return out


def _check(net, layer: int, to: int, frm: int | None) -> None:
    def index(value: object, size: int) -> bool:
        return isinstance(value, int) and not isinstance(value, bool) and 0 <= value < size

    if not index(layer, len(net.weights)):
        raise ConfigError("layer", layer, f"an integer 0 .. {len(net.weights) - 1}")
    n_to, n_from = net.weights[layer].shape
    if not index(to, n_to):
        raise ConfigError("to", to, f"an integer 0 .. {n_to - 1}")
    if frm is not None and not index(frm, n_from):
        raise ConfigError("from", frm, f"an integer 0 .. {n_from - 1}")


def _paths(net, layer: int, to: int, slopes, d_out, max_paths: int) -> dict:
    """Every path from neuron `to` of node layer layer + 1 to an output, for one point (row 0)."""
    sizes = [W.shape[0] for W in net.weights[layer + 1 :]]
    count = math.prod(sizes)
    if count > max_paths:
        return {"count": count, "shown": []}
    shown = []
    for route in itertools.product(*(range(n) for n in sizes)):
        nodes = [to, *route]
        factors = []
        for step, (src, dst) in enumerate(itertools.pairwise(nodes)):
            k = layer + 1 + step
            slope = slopes[k][0, dst]
            factors.append(
                {
                    "layer": k,
                    "to": dst,
                    "from": src,
                    "w": float(net.weights[k][dst, src]),
                    "dout_dnet": float(slope),
                }
            )
        out = nodes[-1]
        product = float(d_out[-1][0, out]) * math.prod(f["w"] * f["dout_dnet"] for f in factors)
        shown.append(
            {
                "nodes": nodes,
                "dE_dout": float(d_out[-1][0, out]),
                "links": factors,
                "product": product,
            }
        )
    return {"count": count, "shown": shown}


def inspect(
    net,
    X: np.ndarray,
    Y: np.ndarray,
    layer: int,
    to: int,
    frm: int | None = None,
    *,
    learning_rate: float = 0.03,
    convention: str = "half",
    max_paths: int = 64,
    max_points: int = 50,
    loss: str = "squared",
) -> dict:
    """The chain-rule decomposition of dE/dw for W_layer[to, frm] (frm None: the bias b_layer[to]).

    X shape (n, n_inputs), Y shape (n, n_outputs). With one point the result has every forward
    value (net and out of each layer), each factor, the sum over the next layer and the sum over
    paths; with several, each point's factors (up to `max_points`) and their mean. JSON-ready.
    `convention` (half or lecture) applies to the squared error only.
    """
    _check(net, layer, to, frm)
    if convention not in CONVENTIONS:
        raise ConfigError("convention", convention, "half, lecture")
    check_output(loss, net.output_activation, net.layer_sizes[-1])
    X = np.atleast_2d(np.asarray(X, dtype=np.float64))
    Y = np.asarray(Y, dtype=np.float64).reshape(len(X), -1)
    names = net.activation_names
    nets, outs = trace(net, X)
    d_out, d_net = backward(net, nets, outs, Y, convention, loss)
    combined = names[-1] == "softmax"
    if combined:  # the output's two first factors as one: dE/dnet, with dout/dnet = 1
        d_out = [*d_out[:-1], d_net[-1]]
    slopes = _slopes(net, nets, outs)
    dnet_dw = outs[layer][:, frm] if frm is not None else np.ones(len(X))
    dout_dnet = slopes[layer][:, to]
    per_point = d_out[layer][:, to] * dout_dnet * dnet_dw
    gradient = float(per_point.mean())
    value = float(net.weights[layer][to, frm] if frm is not None else net.biases[layer][to])
    result = {
        "layer": layer,
        "to": to,
        "from": frm,
        "bias": frm is None,
        "value": value,
        # A dead link (killed by L1) keeps its value: training does not apply this update.
        "dead": bool(frm is not None and net.dead[layer][to, frm]),
        **_formulas(loss, convention, names[-1], net.layer_sizes[-1], combined),
        "activation": names[layer],
        "output_layer": layer == len(net.weights) - 1,
        "points": len(X),
        "gradient": gradient,
        "learning_rate": float(learning_rate),
        "updated": value - learning_rate * gradient,
    }
    if len(X) > 1:
        result["per_point"] = [
            {"dE_dout": float(a), "dout_dnet": float(s), "dnet_dw": float(x), "dE_dw": float(p)}
            for a, s, x, p in zip(
                d_out[layer][:max_points, to],
                dout_dnet[:max_points],
                dnet_dw[:max_points],
                per_point[:max_points],
                strict=True,
            )
        ]
        return result
    result["forward"] = [{"net": [], "out": X[0].tolist()}] + [
        {"net": z[0].tolist(), "out": a[0].tolist()} for z, a in zip(nets, outs[1:], strict=True)
    ]
    result["target"] = Y[0].tolist()
    if loss == "squared":
        result["error"] = float(CONVENTIONS[convention][2] / 2 * np.sum((Y[0] - outs[-1][0]) ** 2))
    else:
        error = LOSSES[loss].point_sum(outs[-1][:1].T, Y[:1].T, names[-1])[0]
        result["error"] = float(LOSSES[loss].scale * error)
    result["dE_dout"] = float(d_out[layer][0, to])
    result["dout_dnet"] = float(dout_dnet[0])
    result["dnet_dw"] = float(dnet_dw[0])
    if layer < len(net.weights) - 1:
        result["next_layer"] = [
            {
                "k": k,
                "w": float(net.weights[layer + 1][k, to]),
                "dE_dnet": float(d_net[layer + 1][0, k]),
                "product": float(net.weights[layer + 1][k, to] * d_net[layer + 1][0, k]),
            }
            for k in range(net.weights[layer + 1].shape[0])
        ]
        paths = _paths(net, layer, to, slopes, d_out, max_paths)
        for path in paths["shown"]:
            path["product"] *= float(dout_dnet[0] * dnet_dw[0])
        result["paths"] = paths
    return result
