"""A user's own points: CSV reading and its errors, edits, the seeded split, and replay."""

import numpy as np
import pytest

from engine import ConfigError, Run
from engine.owndata import DataError, OwnData, from_json, parse_csv


def test_csv_with_labels_names_its_classes():
    own = parse_csv("x,y,label\n1,2,cat\n-1,0.5,dog\n3,-3,cat\n0,0,bird\n", 100)
    assert own.problem == "classification" and own.names == ("cat", "dog", "bird")
    assert own.points.tolist() == [[1, 2, 0], [-1, 0.5, 1], [3, -3, 0], [0, 0, 2]]
    # integers in numeric order: -1 (the original's orange) is class 0, 1 is class 1
    own = parse_csv("label,x,y\n1,0,0\n-1,1,1\n", 100)
    assert own.names == ("-1", "1") and own.points[:, 2].tolist() == [1, 0]
    assert own.labels(2)[:, 2].tolist() == [1, -1]


def test_csv_with_values_is_regression():
    own = parse_csv("x,y,value\n0.5,0.5,0.25\n\n-6,6,-1e-3\n", 100)
    assert own.problem == "regression" and own.points.tolist() == [
        [0.5, 0.5, 0.25],
        [-6, 6, -0.001],
    ]


@pytest.mark.parametrize(
    ("text", "line", "column", "words"),
    [
        ("", 1, "header", "x,y,label or x,y,value"),
        ("a,b,c\n1,2,3", 1, "header", "the columns x,y,label"),
        ("x,y,label\n1,2,a\n1,two,b", 3, "y", "a number from -6 to 6"),
        ("x,y,label\n1,2,a\n7,0,b", 3, "x", "points outside are refused"),
        ("x,y,value\n1,2,nan", 2, "value", "a finite number"),
        ("x,y,label\n1,2", 2, "x", "3 values"),
        ("x,y,label\n1,2,", 2, "label", "a class name"),
        ("x,y,label\n" + "".join(f"0,0,c{k}\n" for k in range(9)), 10, "label", "at most 8"),
        ("x,y,label\n" + "0,0,a\n" * 6, 7, "x", "at most 5 points"),
        ("x,y,value\n", 2, "x", "at least one point"),
    ],
)
def test_a_malformed_file_names_line_column_and_what_was_expected(text, line, column, words):
    with pytest.raises(DataError) as caught:
        parse_csv(text, 5 if "at most 5" in words else 100)
    error = caught.value
    assert (error.line, error.column, error.field) == (line, column, "csv")
    assert str(error).startswith(f"line {line}, column {column}")
    assert words in str(error)


def test_own_points_are_split_by_the_ratio_after_a_seeded_shuffle():
    own = OwnData("classification", [[k / 10, 0, k % 3] for k in range(40)], ("a", "b", "c"))
    run = Run.from_config({"ownData": True, "classes": 3, "seed": "0.5", "percTrainData": 70}, own)
    assert len(run.train_points) == 28 and len(run.test_points) == 12
    again = Run.from_config(
        {"ownData": True, "classes": 3, "seed": "0.5", "percTrainData": 70}, own
    )
    assert run.train_points.tobytes() == again.train_points.tobytes()
    assert run.network.params.tobytes() == again.network.params.tobytes()
    other = Run.from_config(
        {"ownData": True, "classes": 3, "seed": "0.6", "percTrainData": 70}, own
    )
    assert other.train_points.tobytes() != run.train_points.tobytes()
    together = np.concatenate([run.train_points, run.test_points])
    assert sorted(map(tuple, together.tolist())) == sorted(map(tuple, own.points.tolist()))


def test_own_data_must_fit_the_classes_asked_for():
    own = OwnData("classification", [[0, 0, 0], [1, 1, 3]])
    with pytest.raises(ConfigError, match="classes: 3 .* at least 4"):
        Run.from_config({"ownData": True, "classes": 3}, own)
    run = Run.from_config({"ownData": True, "classes": 4}, own)
    with pytest.raises(ConfigError, match="classes"):
        run.update({"classes": 2})
    assert run.config["classes"] == 4 and run.network.layer_sizes[-1] == 4


def test_drawing_keeps_the_network_and_follows_the_points():
    run = Run.from_config({"ownData": True, "seed": "0.1"})
    assert len(run.train_points) == 0 and not run.diverged
    assert len(run.step(3)) == 3  # nothing to train on: epochs pass, nothing moves
    before = run.network.params.copy()
    points = [[-3, -3, 0], [-2, -3, 0], [3, 3, 1], [2, 3, 1], [-3, -2, 0], [3, 2, 1]]
    run.set_own(run.own.added(points, 100))
    assert run.network.params.tobytes() == before.tobytes()
    assert len(run.train_points) == 3 and len(run.test_points) == 3
    assert set(np.concatenate([run.train_points, run.test_points])[:, 2]) == {-1.0, 1.0}
    run.step(50)
    assert run.metrics().accuracy() == (1.0, 1.0)
    run.set_own(run.own.erased(3, 3, 1.5))
    assert len(run.own) == 3
    with pytest.raises(ConfigError, match="at most 97 more points"):
        run.own.added([[0, 0, 0]] * 98, 100)
    with pytest.raises(ConfigError, match=r"add\[0\]"):
        run.own.added([[7, 0, 0]], 100)


def test_own_data_as_json_round_trips_and_is_checked():
    own = parse_csv("x,y,label\n1,2,a\n0,0,b\n", 10)
    assert from_json(own.as_json(), 10).as_json() == own.as_json()
    for bad, field in (
        ({"problem": "art"}, "own.problem"),
        ({"problem": "regression", "points": [[0, 0, "x"]]}, r"own.points\[0\]"),
        ({"problem": "classification", "points": [[0, 0, 9]]}, r"own.points\[0\]"),
        ({"problem": "classification", "names": ["a" * 41]}, "own.names"),
    ):
        with pytest.raises(ConfigError, match=field):
            from_json(bad, 10)
    with pytest.raises(ConfigError, match="at most 1 more"):
        from_json(own.as_json(), 1)


def test_replay_starts_again_from_the_same_weights_and_points():
    run = Run.from_config({"seed": "0.3", "optimizer": "adam", "learningRate": 0.01})
    first = run.step(40)
    start = run._start[0]
    run.regenerate()  # other points, same network
    run.step(5)
    run.replay()
    assert run.epoch == 0 and run.network.params.tobytes() == start.tobytes()
    again = run.step(40)
    assert again.tobytes() == first.tobytes()
    run.reset()  # the original's reset: new weights
    assert run.network.params.tobytes() != start.tobytes()
