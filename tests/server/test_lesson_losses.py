"""The backprop lesson under cross-entropy: the loss written out, dE/dnet = out - t at an output,
and training that lowers E."""

import pytest

from server.lessons.backprop import lesson, training


def test_cross_entropy_writes_out_its_loss_and_output_factor():
    steps = {s["key"]: s for s in lesson("crossEntropy")["steps"]}
    assert steps["E"]["formula"] == "E = −Σ [t ln out + (1 − t) ln(1 − out)]"
    assert steps["dE_dout_o1"]["formula"] == "−o1 / out_o1 + (1 − o1) / (1 − out_o1)"
    out_o1 = steps["out_o1"]["value"]
    assert steps["dE_dnet_o1"]["value"] == pytest.approx(out_o1 - 0.01)
    assert steps["dE_dw5"]["value"] == pytest.approx((out_o1 - 0.01) * steps["out_h1"]["value"])
    assert steps["dE_dw5"]["lecture"] is None  # the lecture printed its squared error's values
    errors = training("crossEntropy", 50)["errors"]
    assert errors[-1] < errors[0] and len(errors) == 51


def test_the_squared_conventions_are_unchanged():
    assert lesson("half")["loss"] == "E = ½ Σ (t − out)²"
    assert lesson("lecture")["loss"] == "E = Σ (t − out)²"
    with pytest.raises(ValueError, match="half, lecture, crossEntropy"):
        lesson("hinge")
