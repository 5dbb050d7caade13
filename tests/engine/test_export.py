"""Keeping work: a model file restores a run that continues bit for bit, and the standalone script
predicts as the engine does and trains by the same rules."""

import json
import subprocess
import sys

import numpy as np
import pytest

from engine import ConfigError, Run
from engine.export import FORMAT, model_of, python_script, run_from_model
from engine.owndata import parse_csv

SETUPS = [
    {"seed": "0.12345", "batchSize": 30},  # the original's rules, leftover points carried
    {"seed": "0.2", "classes": 3, "dataset": "spiral", "loss": "crossEntropy",
     "optimizer": "adam", "learningRate": 0.01, "networkShape": [6, 4], "batchSize": 7},
    {"seed": "0.3", "optimizer": "momentum", "regularization": "L1",
     "regularizationRate": 0.01, "learningRate": 0.1},
    {"seed": "0.4", "problem": "regression", "regDataset": "reg-gauss", "activation": "relu",
     "optimizer": "adam", "learningRate": 0.003, "xSquared": True},
]  # fmt: skip


@pytest.mark.parametrize("config", SETUPS, ids=lambda c: c["seed"])
def test_a_model_file_continues_bit_for_bit(config):
    run = Run.from_config(config)
    history = run.step(23)
    text = json.dumps(model_of(run, history))  # what the file holds
    model = json.loads(text)
    assert model["format"] == FORMAT and model["epoch"] == 23
    assert model["training"]["carryCount"] == run._trainer.state.carry_count[0]
    again, rows = run_from_model(model, 1000)
    assert rows.tobytes() == history.tobytes()
    assert again.network.params.tobytes() == run.network.params.tobytes()
    assert again.network.dead_mask.tobytes() == run.network.dead_mask.tobytes()
    assert again.step(17).tobytes() == run.step(17).tobytes()


def test_own_data_travels_in_the_model_file():
    own = parse_csv(
        "x,y,label\n" + "".join(f"{k % 5},{k % 3 - 1},{'ab'[k % 2]}\n" for k in range(30)), 100
    )
    run = Run.from_config({"ownData": True, "seed": "0.9"}, own)
    run.step(5)
    again, _ = run_from_model(json.loads(json.dumps(model_of(run))), 100)
    assert again.own.names == ("a", "b")
    assert again.train_points.tobytes() == run.train_points.tobytes()
    assert again.step(9).tobytes() == run.step(9).tobytes()


def test_a_model_file_is_refused_whole():
    run = Run.from_config({"seed": "0.5"})
    model = json.loads(json.dumps(model_of(run)))
    for change, field in (
        ({"format": "other"}, "format"),
        ({"weights": model["weights"][:1]}, "weights"),
        ({"training": {"moments": [[1.0]]}}, "training.moments"),
        ({"data": {"train": model["data"]["train"][1:], "test": []}}, "data.train"),
        ({"config": {**model["config"], "activation": "cosine"}}, "activation"),
        ({"history": [[2, 0.1, 0.1], [1, 0.1, 0.1]]}, "history"),
    ):
        with pytest.raises(ConfigError, match=field):
            run_from_model({**model, **change}, 100)
    # the classroom's network file (config, epoch, weights, biases, dead) is a model file too
    keys = ("config", "epoch", "weights", "biases", "dead")
    again, _ = run_from_model({k: model[k] for k in keys}, 100)
    assert again.network.params.tobytes() == run.network.params.tobytes()


@pytest.mark.parametrize("config", SETUPS[1:], ids=lambda c: c["seed"])
def test_the_script_predicts_as_the_engine_and_trains_by_its_rules(config, tmp_path):
    run = Run.from_config(config)
    run.step(11)
    script = tmp_path / "model.py"
    script.write_text(python_script(run))
    points = [(0.5, -1.25), (-4.0, 3.0), (5.9, 5.9)]
    args = [str(v) for p in points for v in p]
    out = subprocess.run([sys.executable, str(script), *args], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    classes = run.task.classes
    step = 1 if classes == 0 else 2
    got = np.array([[float(v) for v in line.split()] for line in lines[::step]])
    np.testing.assert_allclose(got, run.predict(np.array(points)), rtol=0, atol=1e-12)
    if classes:
        for line, want in zip(
            lines[1::2], run.task.predicted(run.predict(np.array(points)).T), strict=True
        ):
            assert line.startswith(f"class {want} ")
    out = subprocess.run(
        [sys.executable, str(script), "--train", "6", "0", "0"], capture_output=True, text=True
    )
    assert out.returncode == 0, out.stderr
    rows = run.step(6)
    trained = [line.split() for line in out.stdout.splitlines()[:6]]
    np.testing.assert_allclose(
        [[float(t[4]), float(t[7])] for t in trained], rows[:, 1:], rtol=1e-9
    )
    after = [float(v) for v in out.stdout.splitlines()[6].split()]
    np.testing.assert_allclose(after, run.predict(np.array([[0.0, 0.0]]))[0], rtol=1e-9, atol=1e-12)
