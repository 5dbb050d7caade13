"""Runs from hashes and configs, every kind of change, edits, restore, and input validation."""

import math

import numpy as np
import pytest

from engine import DEFAULT_CONFIG, FEATURES, ConfigError, Run, parse_hash, to_hash

ORIGINAL_DEFAULT_LINK = (
    "#activation=tanh&batchSize=10&dataset=circle&regDataset=reg-plane&learningRate=0.03&"
    "regularizationRate=0&noise=0&networkShape=4,2&seed=0.12345&showTestData=false&"
    "discretize=false&percTrainData=50&x=true&y=true&xTimesY=false&xSquared=false&"
    "ySquared=false&cosX=false&sinX=false&cosY=false&sinY=false&collectStats=false&"
    "problem=classification&initZero=false&hideText=false"
)


def test_defaults_and_feature_registry():
    assert DEFAULT_CONFIG["activation"] == "tanh" and DEFAULT_CONFIG["networkShape"] == [4, 2]
    assert DEFAULT_CONFIG["batchSize"] == 10 and DEFAULT_CONFIG["learningRate"] == 0.03
    assert list(FEATURES) == ["x", "y", "xSquared", "ySquared", "xTimesY", "sinX", "sinY"]
    assert FEATURES["xTimesY"].label == "X_1X_2"


def test_hash_and_config_build_the_same_run():
    a = Run.from_hash(ORIGINAL_DEFAULT_LINK)
    b = Run.from_config({"seed": "0.12345"})
    assert a.config == b.config == {**DEFAULT_CONFIG, "seed": "0.12345"}
    assert (a.network.params == b.network.params).all()
    assert (a.train_points == b.train_points).all() and (a.test_points == b.test_points).all()
    assert a.input_names == ["x", "y"]


def test_hash_round_trip_and_original_value_formats():
    config = parse_hash("#networkShape=&x=0&sinY=yes&noise=15&learningRate=1&cosX=true&foo=1")
    assert config == {"networkShape": [], "x": True, "sinY": True, "noise": 15, "learningRate": 1}
    run = Run.from_hash(
        to_hash(
            {
                **DEFAULT_CONFIG,
                "seed": "0.5",
                "regularization": "L2",
                "networkShape": [3],
                "sinX": True,
            }
        )
    )
    assert run.config["regularization"] == "L2" and run.config["networkShape"] == [3]
    assert run.input_names == ["x", "y", "sinX"]
    assert to_hash(run.config).startswith("#activation=tanh&regularization=L2&batchSize=10&")
    assert "regularization=" not in to_hash({**DEFAULT_CONFIG, "seed": "1"})


def test_missing_seed_gets_a_fresh_one():
    run = Run.from_config()
    assert len(run.config["seed"]) == 7 and run.config["seed"].startswith("0.")


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("learningRate", "abc"),
        ("learningRate", 0),
        ("learningRate", math.inf),
        ("regularizationRate", -0.1),
        ("regularizationRate", math.nan),
        ("batchSize", 0),
        ("batchSize", 2.5),
        ("batchSize", True),
        ("activation", "softmax"),
        ("regularization", "l1"),
        ("dataset", "moons"),
        ("regDataset", "circle"),
        ("problem", "ranking"),
        ("noise", -5),
        ("percTrainData", 100),
        ("networkShape", [4, 0]),
        ("networkShape", "4,2"),
        ("networkShape", [1000]),
        ("x", "yes"),
        ("seed", 12345),
        ("colour", "red"),
    ],
)
def test_bad_values_raise_config_error_naming_field_value_and_allowed(field, value):
    run = Run.from_config({"seed": "0.1"})
    before = dict(run.config)
    with pytest.raises(ConfigError) as caught:
        run.update({"learningRate": 0.1, field: value})
    error = caught.value
    assert isinstance(error, ValueError)
    assert error.field == field and error.allowed
    assert (error.value == value) or (value != value)  # NaN is not equal to itself
    assert str(error).startswith(f"{field}: {value!r} is not allowed; allowed: ")
    assert run.config == before  # validated first: nothing applied, not even learningRate
    with pytest.raises(ConfigError):
        Run.from_config({field: value})


def test_bad_hash_values_raise():
    with pytest.raises(ConfigError, match="^batchSize: 'ten'"):
        Run.from_hash("#batchSize=ten")
    with pytest.raises(ConfigError, match="^networkShape: '4,x'"):
        Run.from_hash("#networkShape=4,x")
    with pytest.raises(ConfigError, match="^activation: 'elu'"):
        Run.from_hash("#activation=elu")


def test_update_reports_what_it_rebuilt():
    run = Run.from_config({"seed": "0.2"})
    run.step(3)
    assert run.update({}) == "none"
    assert run.update({"learningRate": 0.03, "showTestData": True}) == "none"
    assert run.update({"learningRate": 0.1}) == "learningRate" and run.epoch == 3
    assert run.update({"activation": "relu", "learningRate": 0.3}) == "network"
    assert run.epoch == 0 and run.config["learningRate"] == 0.3
    assert run.update({"xSquared": True}) == "network"
    assert run.input_names == ["x", "y", "xSquared"] and run.network.layer_sizes[0] == 3
    run.step(2)
    assert run.update({"noise": 20, "batchSize": 5}) == "data"
    assert run.epoch == 0
    rebuilt = Run.from_config(run.config)  # a data change is a fresh page load of the config
    assert (rebuilt.network.params == run.network.params).all()
    assert (rebuilt.train_points == run.train_points).all()


def test_problem_switch_uses_the_regression_set_and_linear_output():
    run = Run.from_config({"seed": "0.3"})
    assert run.update({"problem": "regression"}) == "data"
    assert len(run.train_points) + len(run.test_points) == 1200
    assert run.network.output_activation == "linear"


def test_reset_draws_new_weights_from_the_continuing_stream():
    a, b = Run.from_config({"seed": "0.6"}), Run.from_config({"seed": "0.6"})
    first = a.network.params.copy()
    a.step(4)
    a.reset()
    b.reset()
    assert a.epoch == 0 and (a.network.params == b.network.params).all()
    assert not (a.network.params == first).all()


def test_regenerate_new_seed_new_data_same_weights_and_epoch():
    run = Run.from_config({"seed": "0.8"})
    run.step(2)
    params, points = run.network.params.copy(), run.train_points.copy()
    run.regenerate()
    assert run.config["seed"] != "0.8" and len(run.config["seed"]) == 7
    assert run.epoch == 2 and (run.network.params == params).all()
    assert not (run.train_points == points).all()
    assert (Run.from_config(run.config).train_points == run.train_points).all()
    assert run.step(1)[0, 0] == 3


def test_set_weight_and_bias_validate_and_do_not_reset():
    run = Run.from_config({"seed": "0.1"})
    run.step(2)
    run.set_weight(1, 1, 3, 0.25)
    run.set_bias(2, 0, -0.5)
    assert run.network.weights[1][1, 3] == 0.25 and run.network.biases[2][0] == -0.5
    assert run.epoch == 2
    for args, field in [
        ((3, 0, 0, 1.0), "layer"),
        ((0, 4, 0, 1.0), "to"),
        ((0, 0, 2, 1.0), "from"),
        ((0, 0, 0, math.nan), "value"),
        ((0, 0, 0, "1"), "value"),
    ]:
        with pytest.raises(ConfigError) as caught:
            run.set_weight(*args)
        assert caught.value.field == field
    with pytest.raises(ConfigError, match="^to: 2"):
        run.set_bias(2, 2, 0.1)


def test_restore_takes_parameters_and_epoch():
    a = Run.from_config(
        {"seed": "0.5", "regularization": "L1", "regularizationRate": 0.1, "learningRate": 0.3}
    )
    a.step(20)
    b = Run.from_config(a.config)
    b.restore(
        [w.tolist() for w in a.network.weights],
        [x.tolist() for x in a.network.biases],
        a.epoch,
        dead=[d.tolist() for d in a.network.dead],
    )
    assert b.epoch == 20 and (b.network.params == a.network.params).all()
    assert (b.network.dead_mask == a.network.dead_mask).all()
    assert b.test_loss == a.test_loss
    weights = [w.tolist() for w in a.network.weights]
    with pytest.raises(ConfigError, match=r"^weights\[0\]"):
        b.restore([weights[0][:2], *weights[1:]], [x.tolist() for x in a.network.biases], 1)
    weights[1][0][0] = math.inf
    with pytest.raises(ConfigError, match=r"^weights\[1\]"):
        b.restore(weights, [x.tolist() for x in a.network.biases], 1)
    with pytest.raises(ConfigError, match="^epoch"):
        b.restore(
            [w.tolist() for w in a.network.weights], [x.tolist() for x in a.network.biases], -1
        )
    assert b.epoch == 20


def test_network_rejects_bad_layer_sizes_and_names():
    from engine import Network

    for sizes in ([2], [2, 0, 1], "2,1", [2.0, 1]):
        with pytest.raises(ConfigError, match="^layer_sizes"):
            Network(sizes)
    with pytest.raises(ConfigError, match="^activation"):
        Network([2, 1], activation="swish")
    net = Network([2, 3, 1])
    net.weights[0] = np.ones((2, 3))
    with pytest.raises(ConfigError, match=r"^weights\[0\]"):
        net.forward(np.zeros((1, 2)))
