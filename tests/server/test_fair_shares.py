"""Fair shares of training time (server.core.shares, planner, seats), on simulated workers
(fairsim): equal time whatever a network costs, one person's tabs as one, bounded waiting."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from fairsim import DEFAULT, LARGEST, WIDE, Kind, Sim

from server.core.planner import MAX_ITEM_S, Ready, plan
from server.core.seats import Seats
from server.core.shares import Shares, jain, pace_note, person_of, worth_telling

SECONDS, FROM = 4.0, 1.0
# Ten times a default epoch alone, and no cheaper in a stack.
TENFOLD = Kind(alone=0.0031, fixed=0.0, per_member=0.0031, grids=0.0003)


def mixed(n_cheap: int, dear: Kind, n_dear: int, person: str | None = None, workers: int = 2):
    sim = Sim(workers=workers)
    for i in range(n_cheap):
        sim.add(f"cheap{i}", DEFAULT, "default")
    for i in range(n_dear):
        sim.add(f"dear{i}", dear, "dear", person=person)
    sim.run(SECONDS, measure_from=FROM)
    return sim


def group(sim: Sim, prefix: str, what: dict) -> list:
    return [what[s] for s in sim.kinds if s.startswith(prefix)]


def test_every_session_gets_an_equal_share_of_the_time_whatever_its_epoch_costs():
    sim = mixed(18, WIDE, 2)
    seconds = [sim.seconds[s] for s in sim.kinds]
    assert jain(seconds) >= 0.95
    assert sim.busy_fraction(SECONDS) > 0.9  # fairness does not leave the workers idle


def test_a_session_ten_times_dearer_gets_about_a_tenth_of_the_epochs():
    sim = mixed(4, TENFOLD, 1, workers=1)
    cheap = np.median(group(sim, "cheap", sim.epochs))
    dear = sim.epochs["dear0"]
    # A default epoch in a stack of four costs less than alone: the dear one gets fewer still.
    assert 0.02 * cheap < dear < 0.15 * cheap
    assert jain([sim.seconds[s] for s in sim.kinds]) >= 0.9


def test_one_persons_tabs_share_one_share():
    sim = mixed(10, LARGEST, 20, person="student")
    tabs = sum(group(sim, "dear", sim.seconds))
    cheap = group(sim, "cheap", sim.seconds)
    assert jain([*cheap, tabs]) >= 0.9
    assert tabs < 2 * np.median(cheap)
    assert min(group(sim, "dear", sim.epochs)) > 0  # every tab still trains


def test_without_an_id_every_tab_counts_alone():
    sim = mixed(10, LARGEST, 20)
    assert sum(group(sim, "dear", sim.seconds)) > 10 * np.median(group(sim, "cheap", sim.seconds))


def test_a_cheap_session_never_waits_long_behind_dear_ones():
    sim = mixed(10, LARGEST, 20, person="student")
    frame_s = sim.frame_s
    for session in sim.kinds:
        if session.startswith("cheap"):
            gaps = np.diff(sim.results[session])
            # A result (so a frame) every frame interval or so: at most one item of someone
            # else's, and the others' short turns, in between.
            assert gaps.max() < frame_s + 2 * MAX_ITEM_S + 0.01, session
            assert max(sim.waits[session]) < frame_s + 2 * MAX_ITEM_S


@pytest.mark.parametrize("item_s", [MAX_ITEM_S, 0.006])
def test_an_item_is_cut_to_a_bounded_time_and_charged_ahead(item_s):
    shares = Shares()
    for name in ("a", "b", "c"):
        shares.add(name)
        shares.set_busy(name, True)
    ready = [Ready(name, "k", 0.002) for name in ("a", "b", "c")]
    items = plan(ready, [], shares, slots=2, load=3, frame_s=1.0, item_s=item_s)
    assert items
    for item in items:
        assert len(item) * 0.002 * item[0][1] <= item_s
    assert all(shares[s].owing > 0 for item in items for s, _ in item)


def test_of_the_sessions_fairness_lets_go_the_one_that_waited_longest_goes_first():
    shares = Shares()
    for session in "abc":
        shares.add(session)
        shares.set_busy(session, True, 0.0)
    shares.ahead("b", 0.001)
    shares.charge("b", 0.001, 1)  # a little ahead of the others, but it has waited longest
    ready = [Ready(s, f"key {s}", 0.0005, since=t) for s, t in (("a", 2.0), ("b", 1.0), ("c", 3.0))]
    assert plan(ready, [], shares, 1, 3, 1 / 30)[0][0][0] == "b"
    shares.ahead("b", 0.05)
    shares.charge("b", 0.05, 1)  # now ahead by more than an item: the others go first
    assert plan(ready, [], shares, 1, 3, 1 / 30)[0][0][0] == "a"
    new = [Ready(s, f"key {s}", 0.0005) for s in "ac"]  # none has waited: the fairer goes
    shares.ahead("a", 0.001)
    shares.charge("a", 0.001, 1)
    assert plan(new, [], shares, 1, 2, 1 / 30)[0][0][0] == "c"


def test_a_capped_session_is_sent_no_more_than_its_speed_allows():
    shares = Shares()
    shares.add("a")
    shares.set_busy("a", True)
    (item,) = plan([Ready("a", "k", 0.0001, cap=3)], [], shares, slots=1, load=1, frame_s=1 / 30)
    assert item == [("a", 3)]


def test_a_persons_weight_is_capped_and_split_between_their_playing_sessions():
    shares = Shares(per_person=2.0)
    for i in range(4):
        shares.add(f"tab{i}", person="p")
    shares.add("other")
    for name in ("tab0", "tab1", "tab2", "tab3", "other"):
        shares.set_busy(name, True)
    assert [shares.weight(f"tab{i}") for i in range(4)] == [0.5] * 4
    assert shares.weight("other") == 1.0
    shares.set_busy("tab3", False)
    shares.remove("tab2")
    assert shares.weight("tab0") == pytest.approx(1.0)  # two playing: two shares, one each


def test_a_person_is_the_address_and_a_valid_page_id_or_the_address_alone():
    opening = {"text": '{"type": "config", "config": {}, "person": "abcdef0123456789"}'}
    assert person_of("1.2.3.4", opening) == ("1.2.3.4", "abcdef0123456789")
    for text in (
        '{"person": "short"}',
        '{"person": 5}',
        "[1]",
        "not json",
        '{"person": "a b c d e f"}',
    ):
        assert person_of("1.2.3.4", {"text": text}) == ("1.2.3.4", None)
    assert person_of("1.2.3.4", None) == ("1.2.3.4", None)
    assert person_of("1.2.3.4", opening, most=20) == ("1.2.3.4", None)  # too long: refused anyway


def test_seats_even_the_workers_loads_by_weight():
    now = [0.0]
    seats = Seats(2, clock=lambda: now[0])
    for i in range(4):
        seats.seat(f"s{i}", "k", 1.0).busy_at = now[0]
    assert sorted(seats.loads()) == [2.0, 2.0]
    heavy = [s for s, seat in seats if seat.worker == 0]
    for session in heavy:
        seats.seat(session, "k", 0.1)  # one person's tabs now: a tenth each
    moved = seats.rebalance({s for s, _ in seats})
    assert moved is not None and moved[0] not in heavy
    assert max(seats.loads()) - min(seats.loads()) < 2.0


def test_the_page_hears_its_pace_only_when_slower_and_why():
    shares = Shares()
    shares.add("s")
    account = shares["s"]
    account.eps, account.cost = 59.0, 0.001  # at its speed
    assert pace_note(account, 60) is None
    account.eps, account.cost = 20.0, 0.04  # a core of its own would give 25/s
    assert pace_note(account, 60) == {"eps": 20.0, "by": "size"}
    account.eps, account.cost = 5.0, 0.001  # could do 1000/s: the machine is shared
    assert pace_note(account, 60) == {"eps": 5.0, "by": "load"}
    assert pace_note(account, "max") == {"eps": 5.0, "by": "load"}
    account.eps = 700.0  # at "max", about what a core of its own gives: no reason to give
    assert pace_note(account, "max") == {"eps": 700.0, "by": "max"}
    account.weight = 0.25  # one of four playing tabs of one person
    account.eps = 240.0
    assert pace_note(account, "max") == {"eps": 240.0, "by": "tabs"}
    assert not worth_telling({"eps": 20.0, "by": "size"}, {"eps": 21.0, "by": "size"})
    assert worth_telling({"eps": 20.0, "by": "size"}, {"eps": 30.0, "by": "size"})
    assert worth_telling(None, {"eps": 20.0, "by": "size"})


def test_jain():
    assert jain([1.0, 1.0, 1.0]) == pytest.approx(1.0)
    assert jain([1.0, 0.0, 0.0, 0.0]) == pytest.approx(0.25)


def test_one_persons_tabs_take_turns_even_when_their_costs_differ_a_little():
    sim = Sim(workers=1)
    for i in range(2):
        sim.add(f"cheap{i}", DEFAULT, "default")
    for i in range(6):  # measured costs never quite agree: the cheapest must not take every turn
        tab = replace(LARGEST, alone=LARGEST.alone * (1 + 0.02 * i))
        sim.add(f"dear{i}", tab, "dear", person="student")
    sim.run(SECONDS, measure_from=FROM)
    assert jain(group(sim, "dear", sim.seconds)) >= 0.9
    assert jain([*group(sim, "cheap", sim.seconds), sum(group(sim, "dear", sim.seconds))]) >= 0.9
