"""Fair shares of training time: every playing person gets an equal share of the engine's time,
split evenly between that person's playing sessions, whatever each session's epoch costs.

A session's account holds its virtual time: the seconds of training it was charged, divided by
its weight. The scheduler trains the sessions whose virtual time is lowest first (start-time fair
queueing), so over any stretch each gets time in proportion to its weight: a network whose epoch
costs ten times more gets about a tenth of the epochs, and a cheap one never waits for it.

Who is a person: the page makes a random id once, keeps it in its localStorage and sends it with
its opening message (`person`), so one student's tabs share it while a class behind one NAT
(one client address) stays many people. The id counts together with the client's address, so
nobody can shrink someone else's share by claiming their id from elsewhere. The connections of
one address without an id (scripts, a browser that refuses storage) are one person together, so
opening many is no way to more of the machine; a classroom member has one session at most, so is
one already.
"""

from __future__ import annotations

import json
import re
from collections.abc import Hashable
from dataclasses import dataclass

PERSON_ID = re.compile(r"[A-Za-z0-9_-]{8,64}")
# How often a session's pace (epochs/s, and why it is slower than its speed) is measured.
PACE_WINDOW_S = 1.0
# A pace is worth telling when the session trains slower than this share of its speed, and worth
# telling again when it moved by more than PACE_STEP (or its reason changed).
PACE_SHORT = 0.85
PACE_STEP = 0.15


def person_of(address: str, opening: dict | None, most: int = 65536) -> tuple:
    """The person behind a connection from `address` whose first message was `opening` (a
    `websocket.receive` dict, or None, of `most` characters at most: else it is refused anyway):
    (address, the page's id), or (address, None) without a valid id."""
    text = (opening or {}).get("text")
    if not text or len(text) > most:
        return (address, None)
    try:
        person = json.loads(text).get("person")
    except (ValueError, AttributeError):
        return (address, None)
    if not isinstance(person, str) or not PERSON_ID.fullmatch(person):
        return (address, None)
    return (address, person)


@dataclass
class Person:
    """One person's clock: the time charged to their playing sessions, over their weight."""

    vt: float = 0.0  # virtual time: charged seconds / weight, summed
    playing: int = 0
    weight: float = 1.0  # sessions' shares they get together: min(playing, per_person)


@dataclass
class Account:
    """One session's share: whose it is, its weight, what it was charged."""

    whose: Hashable  # its person's key
    person: Person
    weight: float = 1.0  # its part of a session's share: its person's weight over their playing
    own: float = 0.0  # seconds charged: among one person's sessions the least served goes first
    owing: float = 0.0  # seconds charged ahead for a job in flight, settled when it lands
    seconds: float = 0.0  # seconds of training, all along
    epochs: int = 0
    busy: bool = False
    # The pace window: when it opened, seconds and epochs then; the last pace measured.
    since: float = 0.0
    since_seconds: float = 0.0
    since_epochs: int = 0
    eps: float = 0.0
    cost: float = 0.0  # seconds per epoch over the last window
    shown: dict | None = None  # the pace the page was last told

    @property
    def vt(self) -> float:
        """Its person's virtual time: who is furthest behind goes first."""
        return self.person.vt

    def restart_window(self, now: float) -> None:
        self.since, self.since_seconds, self.since_epochs = now, self.seconds, self.epochs


class Shares:
    """Every session's account; weights follow who plays. `per_person`: the session shares one
    person's playing sessions get together at most (0: every session counts alone)."""

    def __init__(self, per_person: float = 1.0) -> None:
        self.per_person = per_person
        self.accounts: dict[Hashable, Account] = {}
        self._persons: dict[Hashable, Person] = {}
        self._members: dict[Hashable, set] = {}  # person -> their sessions

    def add(self, session: Hashable, person: Hashable | None = None) -> None:
        if session in self.accounts:
            return
        if person is None or self.per_person <= 0:
            person = ("session", session)  # a person of their own
        clock = self._persons.setdefault(person, Person())
        self._members.setdefault(person, set()).add(session)
        self.accounts[session] = Account(person, clock, weight=self._weight(clock))

    def remove(self, session: Hashable) -> None:
        self.set_busy(session, False)
        account = self.accounts.pop(session, None)
        if account is None:
            return
        members = self._members[account.whose]
        members.discard(session)
        if not members:
            del self._members[account.whose], self._persons[account.whose]

    def __getitem__(self, session: Hashable) -> Account:
        return self.accounts[session]

    def weight(self, session: Hashable) -> float:
        return self.accounts[session].weight

    def _weight(self, person: Person) -> float:
        return person.weight / max(1, person.playing)

    def set_busy(self, session: Hashable, busy: bool, now: float = 0.0) -> None:
        """The session started or stopped playing: its person's sessions share anew."""
        account = self.accounts.get(session)
        if account is None or account.busy == busy:
            return
        account.busy = busy
        person = account.person
        person.playing += 1 if busy else -1
        person.weight = max(1.0, min(float(person.playing), self.per_person))
        if busy:
            account.restart_window(now)
        for other in self._members[account.whose]:
            self.accounts[other].weight = self._weight(person)

    def lift(self, session: Hashable, floor: float) -> None:
        """A person who did not want time (paused, waiting for their speed) gets no credit for
        it: they start again no further back than `floor`."""
        person = self.accounts[session].person
        person.vt = max(person.vt, floor)

    def ahead(self, session: Hashable, seconds: float) -> None:
        """Charge a job going out by what it should cost, so the next choices already count it."""
        account = self.accounts[session]
        account.owing += seconds
        account.own += seconds
        account.person.vt += seconds / account.person.weight

    def started(self, session: Hashable) -> float:
        """The virtual time its job in flight started at (before it was charged ahead)."""
        account = self.accounts[session]
        return account.person.vt - account.owing / account.person.weight

    def charge(self, session: Hashable, seconds: float, epochs: int) -> None:
        """A job came back (or was dropped: 0, 0) having cost `seconds` for `epochs`."""
        account = self.accounts.get(session)
        if account is None:
            return
        account.person.vt += (seconds - account.owing) / account.person.weight
        account.own += seconds - account.owing
        account.owing = 0.0
        account.seconds += seconds
        account.epochs += epochs

    def pace(self, session: Hashable, now: float) -> bool:
        """Measure the session's epochs/s and cost per epoch once a window has passed; whether it
        did."""
        account = self.accounts[session]
        elapsed = now - account.since
        if elapsed < PACE_WINDOW_S:
            return False
        epochs = account.epochs - account.since_epochs
        seconds = account.seconds - account.since_seconds
        account.eps = epochs / elapsed
        if epochs:
            account.cost = seconds / epochs
        account.restart_window(now)
        return True


def pace_note(account: Account, speed: int | str) -> dict | None:
    """What the page shows beside the speed setting: None when the session trains at its speed,
    else its real pace (`eps`) and why it is slower (`by`): "size" when even a core of its own
    would not give this network its speed and it gets at least half of that (a bigger network is
    slower, nothing is wrong); else "tabs" when the person's other playing tabs share its time,
    or "load" when the machine is shared by many. At "max" the real pace is always worth
    showing: `by` is "max" when it gets at least half of what a core of its own would give."""
    if not account.cost:
        return None
    asked = float("inf") if speed == "max" else float(speed)
    if account.eps >= PACE_SHORT * asked:
        return None
    alone = 1.0 / account.cost  # epochs/s with a core of its own
    if account.eps >= 0.5 * alone:
        by = "max" if speed == "max" else "size"
    else:
        by = "tabs" if account.weight < 1.0 else "load"
    return {"eps": _two_digits(account.eps), "by": by}


def worth_telling(old: dict | None, new: dict | None) -> bool:
    """Whether a new pace differs enough from the one shown to send a new `state`."""
    if old is None or new is None:
        return old is not new
    if old["by"] != new["by"]:
        return True
    return abs(new["eps"] - old["eps"]) > PACE_STEP * max(old["eps"], 1e-9)


def _two_digits(x: float) -> float:
    if x <= 0:
        return 0.0
    return float(f"{x:.2g}") if x < 100 else float(round(x))


def jain(values: list[float]) -> float:
    """Jain's fairness index: (sum x)^2 / (n sum x^2), 1 when all are equal, 1/n at worst."""
    total, squares = sum(values), sum(x * x for x in values)
    return total * total / (len(values) * squares) if squares > 0 else 1.0
