"""The config schema as the server enforces it: one table, narrowed to the server's limits."""

from __future__ import annotations

import numpy as np
import pytest

from engine import Run
from engine.config import DEFAULT_CONFIG, SCHEMA
from server.core.config import (
    PAGE_SCHEMA_FILE,
    check_config,
    client_limits,
    page_schema,
    page_schema_module,
    schema,
)
from server.core.protocol import ProtocolError
from server.settings import Settings

SETTINGS = Settings(max_hidden_layers=6, max_neurons=8, max_batch_size=1200)


@pytest.mark.parametrize(
    ("key", "value", "allowed"),
    [
        ("noise", 33.7, "an integer 0 .. 50"),
        ("noise", 55, "an integer 0 .. 50"),
        ("percTrainData", 5, "an integer 10 .. 90"),
        ("percTrainData", 95, "an integer 10 .. 90"),
        ("percTrainData", 42.5, "an integer 10 .. 90"),
        ("batchSize", 1201, "an integer 1 .. 1200"),
        ("batchSize", 0, "an integer 1 .. 1200"),
        ("learningRate", 0, "a finite number > 0"),
        ("regularizationRate", -1, "a finite number >= 0"),
        ("networkShape", [9], "a list of 0 .. 6 integers, each 1 .. 8"),
        ("networkShape", [1] * 7, "a list of 0 .. 6 integers, each 1 .. 8"),
        ("activation", "softmax", "one of relu, tanh, sigmoid, linear"),
        ("dataset", "moons", "one of circle, xor, gauss, spiral"),
        ("seed", "s" * 65, "a string of at most 64 characters"),
        ("x", "yes", "true or false"),
    ],
)
def test_every_range_the_protocol_states_is_enforced(key, value, allowed):
    with pytest.raises(ProtocolError) as refused:
        check_config({key: value}, SETTINGS)
    error = refused.value
    assert (error.field, error.allowed) == (key, allowed)
    assert error.value == value


def test_values_inside_the_ranges_pass_normalised():
    accepted = check_config({"noise": 50.0, "percTrainData": 10, "batchSize": 30.0}, SETTINGS)
    assert accepted == {"noise": 50, "percTrainData": 10, "batchSize": 30}
    assert isinstance(accepted["batchSize"], int)


def test_display_keys_and_hidden_controls_are_accepted_and_not_passed_on():
    changes = {"showTestData": True, "projector": True, "cosX": True, "playButton_hide": True}
    assert check_config(changes, SETTINGS) == {}
    with pytest.raises(ProtocolError) as refused:
        check_config({"colour": "red"}, SETTINGS)
    assert refused.value.field == "colour"


def test_the_page_is_told_the_ranges_the_server_enforces():
    rows = {row["key"]: row for row in page_schema(SETTINGS)}
    assert list(rows) == list(SCHEMA)  # every hash key, in the original's link order
    assert rows["batchSize"]["high"] == client_limits(SETTINGS)["maxBatchSize"] == 1200
    assert rows["networkShape"]["length"] == 6 and rows["networkShape"]["high"] == 8
    assert rows["noise"]["kind"] == "integer" and rows["noise"]["high"] == 50
    assert rows["percTrainData"]["low"] == 10 and rows["percTrainData"]["high"] == 90
    assert rows["regularization"]["omit"] == "none" and "omit" not in rows["activation"]
    assert rows["projector"]["effect"] == "display" and rows["cosX"]["effect"] == "ignored"
    for key, row in rows.items():
        assert row["allowed"] == schema(SETTINGS)[key].allowed()
        if row["effect"] in ("learningRate", "network", "data"):
            assert row["default"] == DEFAULT_CONFIG[key]


def test_the_page_reads_the_engines_table_as_it_is_now():
    """static/js/schema.js is written from engine/config.py (`python -m server.core.config`):
    a change to the table that is not written there fails here, not in a user's browser."""
    assert PAGE_SCHEMA_FILE.read_text() == page_schema_module(), (
        "static/js/schema.js is out of date: run `python -m server.core.config`"
    )


def test_a_lower_batch_limit_than_the_engines_is_the_one_told_and_enforced():
    settings = Settings(max_batch_size=64)
    assert client_limits(settings)["maxBatchSize"] == 64
    with pytest.raises(ProtocolError):
        check_config({"batchSize": 65}, settings)
    # and never above the engine's own ceiling
    assert client_limits(Settings(max_batch_size=5000))["maxBatchSize"] == 1200


def test_batch_gradient_descent_follows_the_training_set_when_the_ratio_drops():
    run = Run.from_config({"seed": "0.12345", "batchSize": 250})  # all 250 training points
    assert run.batch_size == 250
    run.update({"percTrainData": 10})  # 50 training points
    assert run.batch_size == 50
    before = run.network.params.copy()
    run.step(3)
    assert not np.array_equal(before, run.network.params)  # the weights still change
    assert run._trainer.state.carry_count[0] == 0  # and nothing piles up as carried points
