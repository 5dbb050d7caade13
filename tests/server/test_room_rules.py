"""Classroom rules in-process: join codes, display names, tokens, challenge constraints, locks."""

from __future__ import annotations

import pytest

from server.classroom.rules import (
    CODE_ALPHABET,
    CODE_LENGTH,
    LOCKABLE,
    RoomError,
    check_constraints,
    clean_constraints,
    clean_locks,
    clean_name,
    lock_refusal,
    new_code,
    normalise_code,
    tokens_match,
)
from server.core.errors import MAX_ECHO_CHARS
from server.settings import Settings

SETTINGS = Settings(max_hidden_layers=6, max_neurons=8)


def test_codes_are_six_characters_that_cannot_be_misread():
    codes = {new_code() for _ in range(200)}
    assert len(codes) > 190  # drawn at random
    assert all(len(code) == CODE_LENGTH and set(code) <= set(CODE_ALPHABET) for code in codes)
    assert not set("0O1IL") & set(CODE_ALPHABET)


def test_a_typed_code_is_normalised():
    assert normalise_code(" abc-def ") == "ABCDEF"
    assert normalise_code("abc def") == "ABCDEF"


@pytest.mark.parametrize("raw", ["ABCDE", "ABCDEFG", "ABCDE0", "ABCDEI", "", "   ", None, 123456])
def test_a_code_of_the_wrong_shape_is_refused(raw):
    with pytest.raises(RoomError) as refused:
        normalise_code(raw)
    assert (refused.value.field, refused.value.status) == ("code", 400)


def test_names_are_trimmed_and_normalised():
    assert clean_name("  Ada \t  Lovelace ", 32) == "Ada Lovelace"
    assert (
        clean_name("Jose\u0301", 32) == "Jos\u00e9"
    )  # one character, as typed on another keyboard
    assert clean_name("<b>Bo</b>", 32) == "<b>Bo</b>"  # markup is text like any other
    assert clean_name("x" * 32, 32) == "x" * 32


@pytest.mark.parametrize("raw", ["", "  ", "x" * 33, "bell\x07", "zero\u200bwidth", 42, None])
def test_bad_names_are_refused(raw):
    with pytest.raises(RoomError) as refused:
        clean_name(raw, 32)
    assert refused.value.field == "name" and "1 to 32" in refused.value.allowed


def test_tokens_match_only_the_same_string():
    assert tokens_match("secret", "secret")
    assert not tokens_match("secret", "Secret")
    assert not tokens_match("secret", None) and not tokens_match("secret", ["secret"])


def test_an_error_names_the_field_and_shortens_what_it_echoes():
    error = RoomError("name", "x" * 200, "1 to 32 printable characters")
    message = error.as_dict("join")
    assert message["request"] == "join" and message["field"] == "name"
    assert message["value"] == "x" * (MAX_ECHO_CHARS - 3) + "..."
    assert RoomError("controls", ["a"], "a list").as_dict("lock")["value"] is None


def test_constraints_are_checked_against_a_config():
    constraints = {"maxLayers": 2, "maxNeurons": 5, "features": ["x", "y"]}
    assert check_constraints({"networkShape": [3, 2], "x": True, "y": True}, constraints) is None
    error = check_constraints({"networkShape": [1, 1, 1]}, constraints)
    assert error.field == "networkShape" and "2 hidden layers" in error.allowed
    error = check_constraints({"networkShape": [3, 3]}, constraints)
    assert error.field == "networkShape" and "5 neurons" in error.allowed
    error = check_constraints({"networkShape": [2], "x": True, "sinX": True}, constraints)
    assert error.field == "sinX" and "x, y" in error.allowed
    assert check_constraints({"networkShape": [8] * 6, "sinX": True}, {}) is None


def test_constraints_are_cleaned_within_the_servers_limits():
    assert clean_constraints(None, SETTINGS) == {}
    cleaned = clean_constraints({"maxLayers": 6, "features": ["y", "x"]}, SETTINGS)
    assert cleaned == {"maxLayers": 6, "features": ["x", "y"]}  # in the features' own order
    assert clean_constraints({"maxNeurons": 48}, SETTINGS) == {"maxNeurons": 48}


@pytest.mark.parametrize(
    ("raw", "field"),
    [
        ([1], "constraints"),
        ({"maxLayers": 7}, "constraints.maxLayers"),
        ({"maxNeurons": 49}, "constraints.maxNeurons"),
        ({"maxNeurons": True}, "constraints.maxNeurons"),
        ({"maxNeurons": -1}, "constraints.maxNeurons"),
        ({"features": []}, "constraints.features"),
        ({"features": ["cosX"]}, "constraints.features"),
        ({"speed": 1}, "constraints"),
    ],
)
def test_bad_constraints_are_refused(raw, field):
    with pytest.raises(RoomError) as refused:
        clean_constraints(raw, SETTINGS)
    assert refused.value.field == field


def test_locks_name_the_originals_controls():
    assert clean_locks(["learningRate", "stepButton"]) == {"learningRate", "stepButton"}
    assert clean_locks([]) == frozenset()
    for raw in (["nonsense"], "learningRate", None):
        with pytest.raises(RoomError) as refused:
            clean_locks(raw)
        assert refused.value.field == "controls"


def test_a_lock_refuses_its_messages_and_changes_to_its_keys_only():
    locks = frozenset({"stepButton", "learningRate", "features"})
    current = {"learningRate": 0.03, "x": True, "sinX": False}
    error = lock_refusal(locks, {"type": "step"}, current)
    assert (error.field, error.status) == ("step", 403)
    error = lock_refusal(locks, {"type": "config", "config": {"learningRate": 0.3}}, current)
    assert error.field == "learningRate" and "learningRate" in error.allowed
    error = lock_refusal(locks, {"type": "config", "config": {"sinX": True}}, current)
    assert error.field == "sinX"
    # The same values again, and keys no lock guards, go through: pages send whole configs.
    same = {"learningRate": 0.03, "x": True, "dataset": "xor"}
    assert lock_refusal(locks, {"type": "config", "config": same}, current) is None
    assert lock_refusal(locks, {"type": "play"}, current) is None
    assert lock_refusal(frozenset(), {"type": "step"}, current) is None


def test_every_lock_guards_something_or_is_shown_only():
    shown_only = {"showTestData", "discretize"}  # display choices: nothing to refuse
    for name, (keys, kinds) in LOCKABLE.items():
        assert bool(keys or kinds) is (name not in shown_only), name


def test_refusals_a_student_reads_are_written_with_the_pages_names():
    constraints = {"maxLayers": 1, "maxNeurons": 5, "features": ["x", "y"]}
    refusals = [
        check_constraints({"networkShape": [2, 2]}, constraints),
        check_constraints({"networkShape": [6]}, constraints),
        check_constraints({"networkShape": [2], "x": True, "sinX": True}, constraints),
        *(lock_refusal(frozenset({name}), {"type": "play"}, {}) for name in ("playButton",)),
        lock_refusal(frozenset({"learningRate"}), *({"type": "config", "config": {}},), {}),
        lock_refusal(
            frozenset({"percTrainData"}), {"type": "config", "config": {"percTrainData": 10}}, {}
        ),
    ]
    refusals = [r for r in refusals if r is not None]
    messages = [r.message for r in refusals]
    assert messages[:3] == [
        "This challenge allows at most 1 hidden layers; that is 2.",
        "This challenge allows at most 5 neurons; that is 6.",
        "This challenge uses only Input X1, Input X2; Input sin(X1) is not one of them.",
    ]
    assert messages[3] == "The Play button is locked by the instructor."
    assert "Ratio of training to test data" in messages[4] or "training" in messages[4].lower()
    for error in [*refusals, RoomError("code", "X", "y")]:
        if error.message.startswith("code:"):
            continue  # the generic form, for programs
        assert not any(key in error.message for key in ("percTrainData", "playButton", "sinX"))
    for raw in ("", "AB", 7):
        with pytest.raises(RoomError) as refused:
            normalise_code(raw)
        assert "room code" in refused.value.message
