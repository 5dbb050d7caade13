"""What a worker trains next: the sessions furthest behind their fair share first, those of one
structure together as one stack, each item of work cut to a bounded time.

Pure: it reads the sessions' accounts (server.core.shares) and charges the items it makes ahead,
so a test can drive it with simulated costs. A worker holds at most two items (one training, one
waiting), so the pipe never runs dry and a new item waits behind one at most; an item is about a
frame interval's worth of its members' shares, never more than `item_s` (the setting stack_ms,
MAX_ITEM_S by default; a single epoch may be longer: an epoch is never cut), so a cheap session
waits one such item at most for its turn.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass

from server.core.shares import Shares

ITEMS_PER_WORKER = 2  # one training, one waiting in the pipe
MIN_ITEM_S = 0.002  # shorter items cost more in round trips than they give in frames
MAX_ITEM_S = 0.015  # what a cheap session may wait behind another item, at most (by default)
# A session is chosen while its virtual time is within an item (`item_s`) of the lowest of its
# worker: a little credit lets the second slot be filled, the worker never idles for want of
# fairness. A stack takes in the others of its structure within MERGE items of the lowest.
MERGE = 3
MAX_STACK = 32  # as engine.stack.MAX_STACK: a larger group would be cut there anyway


@dataclass
class Ready:
    """A session that could train now: its stack key, its cost per epoch as last charged (0 until
    measured), at most how many epochs its speed allows (None: as many as fit), and since when it
    has waited (when its last result came back; 0 for a new one)."""

    session: Hashable
    key: Hashable
    cost: float
    cap: int | None = None
    since: float = 0.0


def plan(
    ready: list[Ready],
    flying: list[Hashable],
    shares: Shares,
    slots: int,
    load: float,
    frame_s: float,
    item_s: float = MAX_ITEM_S,
) -> list[list[tuple[Hashable, int]]]:
    """Items of (session, epochs) for one worker with `slots` free, from its `ready` sessions,
    while `flying` ones of it train. `load` is the weight of every session it trains (its playing
    sessions): a group's item is its part of a frame interval. Each session is charged ahead.

    Of the sessions not ahead of the others by more than `item_s`, the one that has waited
    longest (counted in items: those back within one item of each other waited alike) goes
    first, with those of its structure: every session's results (so its frames) come at an even
    pace however the items' times vary, and sessions that train in one stack stay together. (By
    virtual time alone, a session charged a little more for one item waited two or three items
    for its next, and at 200 students the slowest twentieth got 9 frames/s where the median got
    11.5.) A session whose turns are long (a large network, a tab of many) gets ahead by more
    than `item_s` with each turn, so it waits while the others take their short turns, then
    takes its own, one at a time. Of those that waited alike, the one whose turn would end first
    (virtual time plus its turn's charge over its weight) goes first.
    """
    if not ready or slots <= 0:
        return []
    if flying:
        # Who did not want time meanwhile (paused, waiting for its speed) gets little credit for
        # it: it starts no further back than a little before the work in flight started.
        started = min(shares.started(s) for s in flying)
        for r in ready:
            shares.lift(r.session, started - item_s)
    vt = {r.session: shares[r.session].vt for r in ready}
    floor = min([*vt.values(), *(shares[s].vt for s in flying)])
    guess = _guesses(ready)
    soonest: dict[Hashable, float] = {}  # person -> when their soonest turn would end
    for r in ready:
        account = shares[r.session]
        weight = account.weight
        turn = max(r.cost or guess[r.key], min(item_s, frame_s * weight / max(load, weight)))
        # When its turn would end on its person's clock; of one person's sessions (one clock),
        # the soonest end counts for all and the least served goes first, whatever each costs:
        # else the one measured a little cheaper would take every turn of its person.
        end = vt[r.session] + turn / account.person.weight
        soonest[account.whose] = min(end, soonest.get(account.whose, end))
    ends = {r.session: (soonest[shares[r.session].whose], shares[r.session].own) for r in ready}
    eligible = [r for r in ready if vt[r.session] <= floor + item_s]
    first = {r.session: (int(r.since / item_s), ends[r.session]) for r in ready}  # see above
    eligible.sort(key=lambda r: first[r.session])
    items = []
    while eligible and slots > 0:
        lead = eligible[0]
        # Its stack takes in the others of its structure not far ahead: a stack costs them
        # little more than the lead alone, and charges all alike.
        near = floor + MERGE * item_s
        group = [r for r in ready if r.key == lead.key and vt[r.session] <= near]
        others = sorted((r for r in group if r is not lead), key=lambda r: first[r.session])
        group = [lead, *others]
        alone = all(r.key == lead.key for r in eligible)
        if slots >= 2 and alone and len(group) >= 2 and not flying:
            group = group[: (len(group) + 1) // 2]  # two halves: one trains while one travels
        members, item = _item(group, shares, load, frame_s, item_s, guess[group[0].key])
        items.append(item)
        eligible = [r for r in eligible if r.session not in members]
        ready = [r for r in ready if r.session not in members]
        slots -= 1
    return items


def _guesses(ready: list[Ready]) -> dict[Hashable, float]:
    """Per stack key, what an unmeasured member costs: what the dearest measured one does."""
    guess: dict[Hashable, float] = {}
    for r in ready:
        guess[r.key] = max(guess.get(r.key, 0.0), r.cost)
    return guess


def _item(
    group: list[Ready], shares: Shares, load: float, frame_s: float, item_s: float, guess: float
) -> tuple[set, list[tuple[Hashable, int]]]:
    """One stack from the front of `group` (first turns first): as many members as one epoch of
    all of them fits in `item_s` (one at least), as many epochs as their part of a frame
    interval allows within that bound."""
    members: list[Ready] = []
    epoch_s = 0.0
    for r in group[:MAX_STACK]:
        cost = r.cost or guess
        if members and (epoch_s + cost > item_s or not cost):
            break
        members.append(r)
        epoch_s += cost
        if not cost:
            break  # nothing known of it: one epoch alone first, to learn its cost
    weight = sum(shares[r.session].weight for r in members)
    budget = min(item_s, max(MIN_ITEM_S, frame_s * weight / max(load, weight)))
    n = max(1, int(budget / epoch_s)) if epoch_s > 0 else 1
    item = []
    for r in members:
        epochs = n if r.cap is None else min(n, r.cap)
        shares.ahead(r.session, epochs * (r.cost or guess))
        item.append((r.session, epochs))
    return {r.session for r in members}, item
