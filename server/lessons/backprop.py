"""The lecture's worked example (2-2-2 sigmoid network) as steps, computed by the engine."""

from __future__ import annotations

import math
from functools import lru_cache

import numpy as np

from engine.inspect import CONVENTIONS, inspect
from engine.losses import LOSSES, formulas
from engine.network import Network

INPUTS = [0.05, 0.10]
TARGETS = [0.01, 0.99]
# w1..w8 and b1..b4 (seed-worked-example.md): the lecture prints w1, w2, b1, w5 and w7 and the
# net values; the rest is one set consistent with every number it prints.
W = {"w1": 0.15, "w2": 0.20, "w3": 0.25, "w4": 0.30, "w5": 0.40, "w6": 0.45, "w7": 0.50, "w8": 0.55}
B = {"b1": 0.35, "b2": 0.35, "b3": 0.048694033, "b4": 0.093878596}
LEARNING_RATE = 0.5  # the lecture names no rate; 0.5 is the classic example's
MAX_ITERATIONS = 5000
# The errors the page offers: the lecture's and the Playground's squared error, and binary
# cross-entropy of each sigmoid output (its targets 0.01 and 0.99 are probabilities).
LESSON_CONVENTIONS = (*CONVENTIONS, "crossEntropy")


def lecture_network() -> Network:
    """A fresh Network([2, 2, 2]), sigmoid hidden and output neurons, the lecture's weights."""
    net = Network([2, 2, 2], activation="sigmoid", output_activation="sigmoid")
    net.weights[0] = np.array([[W["w1"], W["w2"]], [W["w3"], W["w4"]]])
    net.weights[1] = np.array([[W["w5"], W["w6"]], [W["w7"], W["w8"]]])
    net.biases[0] = np.array([B["b1"], B["b2"]])
    net.biases[1] = np.array([B["b3"], B["b4"]])
    return net


def _sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x))


def _lecture_dw1() -> float:
    """dE/dw1 the lecture's way: from out_o1, out_o2, 0.0048 and 0.0060 already rounded."""
    slope = lambda net: _sigmoid(net) * _sigmoid(-net)  # noqa: E731
    return (
        -2 * (0.01 - 0.6352) * slope(0.5546) * 0.0048 - 2 * (0.99 - 0.6723) * slope(0.7188) * 0.0060
    )


def _step(key, stage, symbol, formula, substituted, value, lecture=None, note=None, marks=()):
    return {
        "key": key,
        "stage": stage,
        "symbol": symbol,
        "formula": formula,
        "substituted": substituted,
        "value": value,
        "lecture": lecture,
        "note": note,
        "marks": list(marks),
    }


def _forward_steps(fwd: list[dict]) -> list[dict]:
    i1, i2 = INPUTS
    (nh1, nh2), (oh1, oh2) = fwd[1]["net"], fwd[1]["out"]
    (no1, no2), (oo1, oo2) = fwd[2]["net"], fwd[2]["out"]
    lec = {"net_h1": "0.3775", "out_h1": "0.5933", "net_o1": "0.5546", "out_o1": "0.6352",
           "net_o2": "0.7188", "out_o2": "0.6723"}  # fmt: skip
    rows = [
        ("net_h1", "w1 i1 + w2 i2 + b1", f"{W['w1']} × {i1} + {W['w2']} × {i2} + {B['b1']}", nh1,
         ["w1", "w2", "b1", "h1"]),
        ("out_h1", "f(net_h1) = 1 / (1 + e^(−net_h1))", f"1 / (1 + e^(−{nh1:.4f}))", oh1, ["h1"]),
        ("net_h2", "w3 i1 + w4 i2 + b2", f"{W['w3']} × {i1} + {W['w4']} × {i2} + {B['b2']}", nh2,
         ["w3", "w4", "b2", "h2"]),
        ("out_h2", "f(net_h2)", f"1 / (1 + e^(−{nh2:.4f}))", oh2, ["h2"]),
        ("net_o1", "w5 out_h1 + w6 out_h2 + b3",
         f"{W['w5']} × {oh1:.4f} + {W['w6']} × {oh2:.4f} + {B['b3']:.6f}", no1,
         ["w5", "w6", "b3", "o1"]),
        ("out_o1", "f(net_o1)", f"1 / (1 + e^(−{no1:.4f}))", oo1, ["o1"]),
        ("net_o2", "w7 out_h1 + w8 out_h2 + b4",
         f"{W['w7']} × {oh1:.4f} + {W['w8']} × {oh2:.4f} + {B['b4']:.6f}", no2,
         ["w7", "w8", "b4", "o2"]),
        ("out_o2", "f(net_o2)", f"1 / (1 + e^(−{no2:.4f}))", oo2, ["o2"]),
    ]  # fmt: skip
    return [_step(k, "S3 forward", k, f, s, v, lec.get(k), marks=m) for k, f, s, v, m in rows]


def _cross_entropy_steps(w5: dict, w1: dict) -> list[dict]:
    """S4 for E = −Σ [t ln out + (1 − t) ln(1 − out)]: the sigmoid's slope cancels, dE/dnet =
    out − t, so the gradients are not the lecture's (its E is the squared error)."""
    oo1, oo2 = w5["forward"][2]["out"]
    no1 = w5["forward"][2]["net"][0]
    o1, o2 = TARGETS
    p1, p2 = w1["paths"]["shown"]
    note = "The lecture's E is the squared error: its printed gradients are of that one."
    rows = [
        _step("E", "S3 forward", "E", formulas("crossEntropy", "sigmoid", 2)[0],
              f"−({o1} ln {oo1:.4f} + {1 - o1:.2f} ln {1 - oo1:.4f}"
              f" + {o2} ln {oo2:.4f} + {1 - o2:.2f} ln {1 - oo2:.4f})",
              w5["error"], marks=["o1", "o2"]),
        _step("dE_dout_o1", "S4 backward", "∂E/∂out_o1", "−o1 / out_o1 + (1 − o1) / (1 − out_o1)",
              f"−{o1} / {oo1:.4f} + {1 - o1:.2f} / {1 - oo1:.4f}", w5["dE_dout"], None, note,
              ["o1"]),
        _step("dout_o1_dnet_o1", "S4 backward", "∂out_o1/∂net_o1", "f(net_o1) f(−net_o1)",
              f"f({no1:.4f}) × f(−{no1:.4f})", w5["dout_dnet"], None, marks=["o1"]),
        _step("dE_dnet_o1", "S4 backward", "∂E/∂net_o1", "out_o1 − o1: the sigmoid's slope cancels",
              f"{oo1:.4f} − {o1}", w5["dE_dout"] * w5["dout_dnet"], None, marks=["o1"]),
        _step("dnet_o1_dw5", "S4 backward", "∂net_o1/∂w5", "out_h1", f"{w5['dnet_dw']:.4f}",
              w5["dnet_dw"], "0.5933", marks=["w5", "h1"]),
        _step("dE_dw5", "S4 backward", "∂E/∂w5", "(out_o1 − o1) × out_h1",
              f"{oo1 - o1:.4f} × {w5['dnet_dw']:.4f}", w5["gradient"], None, note, ["w5"]),
        _step("dE_dnet_o2", "S4 backward", "∂E/∂net_o2", "out_o2 − o2", f"{oo2:.4f} − {o2}",
              p2["dE_dout"] * p2["links"][0]["dout_dnet"], None, marks=["o2"]),
        _step("dE_dw1", "S4 backward", "∂E/∂w1",
              "(out_o1 − o1) w5 f(net_h1) f(−net_h1) i1 + (out_o2 − o2) w7 f(net_h1) f(−net_h1) i1",
              f"{p1['dE_dout'] * p1['links'][0]['dout_dnet']:.4f} × {W['w5']} × "
              f"{w1['dout_dnet']:.4f} × {INPUTS[0]} + "
              f"({p2['dE_dout'] * p2['links'][0]['dout_dnet']:.4f}) × {W['w7']} × "
              f"{w1['dout_dnet']:.4f} × {INPUTS[0]}",
              w1["gradient"], None, note, ["w1"]),
    ]  # fmt: skip
    return rows


def _backward_steps(w5: dict, w1: dict, convention: str) -> list[dict]:
    if convention == "crossEntropy":
        return _cross_entropy_steps(w5, w1)
    lecture_e = convention == "lecture"
    k = CONVENTIONS[convention][2]
    two = "2 " if lecture_e else ""
    oo1, oo2 = w5["forward"][2]["out"]
    no1, no2 = w5["forward"][2]["net"]
    nh1 = w5["forward"][1]["net"][0]
    p1, p2 = w1["paths"]["shown"]  # h1 -> o1 and h1 -> o2
    d_o2, s_o2 = p2["dE_dout"], p2["links"][0]["dout_dnet"]
    dnet_o1_dw1 = W["w5"] * w1["dout_dnet"] * INPUTS[0]
    dnet_o2_dw1 = W["w7"] * w1["dout_dnet"] * INPUTS[0]
    half_note = None if lecture_e else "The lecture's E has no ½: its value is twice this one."
    rows = [
        _step("E", "S3 forward", "E", CONVENTIONS[convention][0],
              f"{'' if lecture_e else '½ '}(({TARGETS[0]} − {oo1:.4f})²"
              f" + ({TARGETS[1]} − {oo2:.4f})²)",
              w5["error"], marks=["o1", "o2"]),
        _step("dE_dout_o1", "S4 backward", "∂E/∂out_o1", f"−{two}(o1 − out_o1)",
              f"−{two}({TARGETS[0]} − {oo1:.4f})", w5["dE_dout"],
              "1.2504", half_note, ["o1"]),
        _step("dout_o1_dnet_o1", "S4 backward", "∂out_o1/∂net_o1", "f(net_o1) f(−net_o1)",
              f"f({no1:.4f}) × f(−{no1:.4f})", w5["dout_dnet"], "0.2317", marks=["o1"]),
        _step("dnet_o1_dw5", "S4 backward", "∂net_o1/∂w5", "out_h1", f"{w5['dnet_dw']:.4f}",
              w5["dnet_dw"], "0.5933", marks=["w5", "h1"]),
        _step("dE_dw5", "S4 backward", "∂E/∂w5",
              "∂E/∂out_o1 × ∂out_o1/∂net_o1 × ∂net_o1/∂w5",
              f"{w5['dE_dout']:.4f} × {w5['dout_dnet']:.4f} × {w5['dnet_dw']:.4f}",
              w5["gradient"], "0.1719", half_note, ["w5"]),
        _step("dE_dout_o2", "S4 backward", "∂E/∂out_o2", f"−{two}(o2 − out_o2)",
              f"−{two}({TARGETS[1]} − {oo2:.4f})", d_o2, None, marks=["o2"]),
        _step("dout_o2_dnet_o2", "S4 backward", "∂out_o2/∂net_o2", "f(net_o2) f(−net_o2)",
              f"f({no2:.4f}) × f(−{no2:.4f})", s_o2, None, marks=["o2"]),
        _step("dnet_o1_dw1", "S4 backward", "∂net_o1/∂w1",
              "∂net_o1/∂out_h1 × ∂out_h1/∂net_h1 × ∂net_h1/∂w1 = w5 f(net_h1) f(−net_h1) i1",
              f"{W['w5']} × f({nh1:.4f}) × f(−{nh1:.4f}) × {INPUTS[0]}", dnet_o1_dw1, "0.0048",
              marks=["w5", "h1", "w1"]),
        _step("dnet_o2_dw1", "S4 backward", "∂net_o2/∂w1",
              "∂net_o2/∂out_h1 × ∂out_h1/∂net_h1 × ∂net_h1/∂w1 = w7 f(net_h1) f(−net_h1) i1",
              f"{W['w7']} × f({nh1:.4f}) × f(−{nh1:.4f}) × {INPUTS[0]}", dnet_o2_dw1, "0.0006",
              "The lecture prints 0.0006: a misprint of 0.0060. Its own total 5.5090e-04 needs "
              "0.0060; with 0.0006 the sum would be 1.3068e-03.", ["w7", "h1", "w1"]),
        _step("dE_dw1", "S4 backward", "∂E/∂w1",
              "∂E/∂out_o1 ∂out_o1/∂net_o1 ∂net_o1/∂w1 + ∂E/∂out_o2 ∂out_o2/∂net_o2 ∂net_o2/∂w1",
              f"{p1['dE_dout']:.4f} × {p1['links'][0]['dout_dnet']:.4f} × {dnet_o1_dw1:.4f}"
              f" + ({d_o2:.4f}) × {s_o2:.4f} × {dnet_o2_dw1:.4f}",
              w1["gradient"], "5.5090e-04",
              "The lecture multiplies values already rounded to 4 places (0.6352, 0.6723, 0.0048, "
              f"0.0060): that gives {_lecture_dw1() * k / 2:.4e}; unrounded it is "
              f"{w1['gradient']:.4e}." + ("" if lecture_e else " (Halved here: E has a ½.)"),
              ["w1"]),
    ]  # fmt: skip
    return rows


def _update_steps(w5: dict, w1: dict, e_after: float) -> list[dict]:
    a = LEARNING_RATE
    return [
        _step("w5_new", "S5 update", "w5⁺", "w5 − α ∂E/∂w5",
              f"{W['w5']} − {a} × {w5['gradient']:.4f}", w5["updated"],
              note=f"α = {a}: the lecture names no learning rate.", marks=["w5"]),
        _step("w1_new", "S5 update", "w1⁺", "w1 − α ∂E/∂w1",
              f"{W['w1']} − {a} × {w1['gradient']:.4e}", w1["updated"], marks=["w1"]),
        _step("E_new", "S5 update", "E⁺", "E after updating all 12 parameters at once",
              f"E was {w5['error']:.6f}", e_after, marks=[]),
    ]  # fmt: skip


def _error(out: np.ndarray, convention: str) -> float:
    if convention == "crossEntropy":
        return float(
            LOSSES["crossEntropy"].point_sum(out[:, None], np.array(TARGETS)[:, None], "sigmoid")[0]
        )
    return float(CONVENTIONS[convention][2] / 2 * np.sum((np.array(TARGETS) - out) ** 2))


def _train(net: Network, convention: str, iterations: int) -> list[float]:
    """Full-batch gradient descent on the one point; E before each update and after the last."""
    X, Y = np.array([INPUTS]), np.array([TARGETS])
    loss = "crossEntropy" if convention == "crossEntropy" else "squared"
    scale = 1.0 if loss == "crossEntropy" else CONVENTIONS[convention][2]
    errors = []
    for _ in range(iterations + 1):
        out = net.forward(X)[0]
        errors.append(_error(out, convention))
        if len(errors) > iterations:
            break
        dW, db = net.gradients(X, Y, loss=loss)
        for layer in range(len(net.weights)):
            net.weights[layer] = net.weights[layer] - LEARNING_RATE * scale * dW[layer]
            net.biases[layer] = net.biases[layer] - LEARNING_RATE * scale * db[layer]
    return errors


def lesson(convention: str) -> dict:
    """Every step of S3 forward, S4 backward and S5 update, with the lecture's printed values."""
    if convention not in LESSON_CONVENTIONS:
        allowed = ", ".join(LESSON_CONVENTIONS)
        raise ValueError(f"convention: {convention!r} is not allowed; allowed: {allowed}")
    net = lecture_network()
    X, Y = np.array([INPUTS]), np.array([TARGETS])
    loss = "crossEntropy" if convention == "crossEntropy" else "squared"
    squared = "half" if loss == "crossEntropy" else convention
    args = {"learning_rate": LEARNING_RATE, "convention": squared, "loss": loss}
    w5 = inspect(net, X, Y, 1, 0, 0, **args)
    w1 = inspect(net, X, Y, 0, 0, 0, **args)
    e_after = _train(lecture_network(), convention, 1)[-1]
    steps = (
        _forward_steps(w5["forward"])
        + _backward_steps(w5, w1, convention)
        + _update_steps(w5, w1, e_after)
    )
    return {
        "convention": convention,
        "loss": w5["loss"],
        "learning_rate": LEARNING_RATE,
        "inputs": INPUTS,
        "targets": TARGETS,
        "weights": W,
        "biases": B,
        "steps": steps,
    }


def training(convention: str, iterations: int) -> dict:
    """E over `iterations` updates of the whole network from the lecture's weights."""
    if convention not in LESSON_CONVENTIONS:
        allowed = ", ".join(LESSON_CONVENTIONS)
        raise ValueError(f"convention: {convention!r} is not allowed; allowed: {allowed}")
    if not (isinstance(iterations, int) and 1 <= iterations <= MAX_ITERATIONS):
        raise ValueError(
            f"iterations: {iterations!r} is not allowed; allowed: an integer 1 .. {MAX_ITERATIONS}"
        )
    errors = list(_curve(convention)[: iterations + 1])
    return {"convention": convention, "learning_rate": LEARNING_RATE, "errors": errors}


@lru_cache(maxsize=len(LESSON_CONVENTIONS))
def _curve(convention: str) -> tuple[float, ...]:
    """E over the most iterations, once per convention: training is deterministic, and fewer
    iterations are exactly this curve's beginning, so no request trains twice."""
    return tuple(_train(lecture_network(), convention, MAX_ITERATIONS))
