"""Classroom rooms in-process: failed attempts per address, the registry of rooms, members."""

from __future__ import annotations

import math
import time

import pytest

from server.classroom.goals import Reached, better
from server.classroom.model import Member, Room
from server.classroom.registry import AttemptLimiter, RoomRegistry
from server.classroom.rules import RoomError, secret_hash
from server.settings import Settings

SESSION = object()  # what a room trains; these rules never touch it


def test_attempts_block_an_address_for_the_rest_of_the_window():
    limiter = AttemptLimiter(per_minute=3, max_addresses=100)
    for t in (0.0, 10.0, 20.0):
        assert not limiter.blocked("a", now=t)
        limiter.fail("a", now=t)
    assert limiter.blocked("a", now=20.0) and limiter.blocked("a", now=59.9)
    assert not limiter.blocked("b", now=20.0)  # other addresses are not affected
    assert not limiter.blocked("a", now=60.0)  # the first attempt is a minute old


def test_attempts_remember_a_bounded_number_of_addresses():
    limiter = AttemptLimiter(per_minute=1, max_addresses=2)
    for address in ("a", "b", "c"):
        limiter.fail(address, now=0.0)
    assert not limiter.blocked("a", now=0.0)  # forgotten: the oldest goes first
    assert limiter.blocked("b", now=0.0) and limiter.blocked("c", now=0.0)


def registry(**settings) -> RoomRegistry:
    return RoomRegistry(Settings(**settings))


def test_rooms_get_distinct_codes_and_tokens_and_are_found_by_a_typed_code():
    rooms = registry()
    (one, one_token), (two, two_token) = rooms.create(SESSION), rooms.create(SESSION)
    assert one.code != two.code and one_token != two_token
    assert one.is_instructor(one_token) and not one.is_instructor(two_token)
    assert one_token not in one.token_hash  # only a hash of it is kept
    typed = f"{one.code[:3].lower()}-{one.code[3:].lower()}"
    assert rooms.find(typed, "10.0.0.1") is one


def test_room_creation_is_bounded_in_number_and_rate():
    rooms = registry(max_rooms=2, room_creations_per_minute=3)
    rooms.admit("a")
    rooms.create(SESSION)
    rooms.admit("a")
    rooms.create(SESSION)
    with pytest.raises(RoomError) as refused:
        rooms.admit("b")
    assert refused.value.status == 503
    with pytest.raises(RoomError) as refused:
        rooms.create(SESSION)  # the last place went while a session was being built
    assert refused.value.status == 503
    rooms.remove(next(iter(rooms.rooms)))
    rooms.admit("a")  # the third creation this minute
    with pytest.raises(RoomError) as refused:
        rooms.admit("a")
    assert refused.value.status == 429 and "3 new rooms" in refused.value.allowed


def test_failed_joins_count_and_then_block_even_the_right_code():
    rooms = registry(join_attempts_per_minute=2)
    room, _ = rooms.create(SESSION)
    with pytest.raises(RoomError) as refused:
        rooms.find("ZZZZZZ", "a")
    assert (refused.value.field, refused.value.status) == ("code", 404)
    with pytest.raises(RoomError) as refused:
        rooms.find("not a code", "a")  # a guess of the wrong shape counts too
    assert refused.value.status == 400
    with pytest.raises(RoomError) as refused:
        rooms.find(room.code, "a")
    assert refused.value.status == 429
    assert rooms.find(room.code, "b") is room


def test_a_removed_room_is_closed_and_no_longer_found():
    rooms = registry()
    room, _ = rooms.create(SESSION)
    assert rooms.remove(room.code) is room and room.closed
    assert rooms.remove(room.code) is None
    with pytest.raises(RoomError) as refused:
        rooms.find(room.code, "a")
    assert refused.value.status == 404


def test_idle_rooms_are_the_ones_untouched_for_the_timeout():
    rooms = registry(room_idle_timeout_s=60)
    (old, _), (fresh, _) = rooms.create(SESSION), rooms.create(SESSION)
    now = time.monotonic()
    old.last_active = now - 61
    fresh.touch()
    assert rooms.idle(now) == [old]


def test_members_are_bounded_and_found_by_their_own_token():
    room = Room(code="ABCDEF", token_hash=secret_hash("t"), session=SESSION)
    (ada, ada_token), (bo, bo_token) = room.add_member("Ada", 2), room.add_member("Bo", 2)
    assert (ada.id, bo.id) == ("s1", "s2") and ada_token != bo_token
    with pytest.raises(RoomError) as refused:
        room.add_member("Cy", 2)
    assert refused.value.status == 409 and "2 students" in refused.value.allowed
    assert room.member_by_token(bo_token) is bo
    assert room.member_by_token("forged") is None and room.member_by_token(None) is None
    assert room.member_by_token("t") is None  # the instructor's token is no member's


def reached(loss: float) -> Reached:
    return Reached(
        test_loss=loss, accuracy=None, weights=18, layers=[2, 4, 2, 1], epoch=1, seconds=1
    )


def keep_best(member: Member, loss: float) -> None:
    """What the gallery does with a counting run's figures (goals.better, no goal: lowest loss)."""
    figures = reached(loss)
    if better(None, figures, member.best):
        member.best = figures


def test_a_member_keeps_the_best_finite_loss():
    member = Member(id="s1", name="Ada", token_hash=secret_hash("t"))
    keep_best(member, math.nan)  # a diverged run
    assert member.best is None
    for loss in (0.4, 0.5, -math.inf):
        keep_best(member, loss)
    assert member.best.test_loss == 0.4
    keep_best(member, 0.2)
    assert member.best.test_loss == 0.2


def test_the_leaderboard_ranks_by_best_loss_and_leaves_out_who_has_none():
    room = Room(code="ABCDEF", token_hash=secret_hash("t"), session=SESSION)
    room.challenge = {"config": {}, "constraints": {}, "goal": None}
    for name, loss in (("Ada", 0.3), ("Bo", None), ("Cy", 0.1)):
        member, _ = room.add_member(name, 10)
        if loss is not None:
            keep_best(member, loss)
    board = room.leaderboard()
    assert [(row["name"], row["testLoss"], row["rank"]) for row in board] == [
        ("Cy", 0.1, 1),
        ("Ada", 0.3, 2),
    ]
