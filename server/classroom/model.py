"""Classroom rooms: members and rooms, the channels a room connection listens to, and room events
as JSON."""

from __future__ import annotations

import itertools
import json
import secrets
import time
from dataclasses import dataclass, field
from typing import Any

from server.classroom.goals import Reached, board
from server.classroom.rules import RoomError, hash_matches, secret_hash
from server.core.session import Session


@dataclass
class Member:
    """A student in a room; `id` is shown to the instructor only, `token` only to the student."""

    id: str
    name: str
    token_hash: str  # see rules.secret_hash: the token itself is only ever told to the student
    session: Session | None = None
    best: Reached | None = None  # the best of the current challenge
    seat: Any = None  # this student's connection (a Seat) while connected
    fan: Any = None  # the FanOutlet of their own session while their page shows it
    following: bool = False  # back to following after a fork, own session kept
    tile: tuple[int, str] | None = None  # (session version, thumbnail) for the gallery
    measured: tuple[int, Reached] | None = None  # (session version, its figures)
    forking: bool = False  # a fork is being built: at most one at a time per student


@dataclass
class Room:
    code: str
    token_hash: str  # the instructor's token, hashed (rules.secret_hash)
    session: Session  # the instructor's, trained once for the whole room
    created: float = field(default_factory=time.monotonic)
    last_active: float = field(default_factory=time.monotonic)
    members: dict[str, Member] = field(default_factory=dict)
    locks: frozenset[str] = frozenset()
    challenge: dict | None = None
    challenge_started: float = 0.0  # time.monotonic() when the challenge was pushed
    spotlight: str | None = None
    share_leaderboard: bool = True
    joins_locked: bool = False  # the instructor closed the room to new students
    creator: str = ""  # the address that created it here ("" for a room adopted from elsewhere)
    closed: bool = False
    fan: Any = None  # FanOutlet of the room's session
    spot_fan: Any = None  # FanOutlet of the spotlighted student's session
    instructors: set = field(default_factory=set)  # instructors' connections (Seats)
    last_gallery: str = ""
    pushes: int = 0  # a newer push supersedes one still building sessions
    last_board: str = ""
    _ids: itertools.count = field(default_factory=lambda: itertools.count(1))

    def touch(self) -> None:
        self.last_active = time.monotonic()

    def add_member(self, name: str, max_members: int) -> tuple[Member, str]:
        """A new student, and the token only they are told (the room keeps its hash)."""
        if len(self.members) >= max_members:
            message = f"Room {self.code} is full: it takes at most {max_members} students."
            allowed = f"at most {max_members} students per room"
            raise RoomError("room", self.code, allowed, 409, message)
        name = self.unique_name(name)
        token = secrets.token_urlsafe(18)
        member = Member(id=f"s{next(self._ids)}", name=name, token_hash=secret_hash(token))
        self.members[member.id] = member
        self.touch()
        return member, token

    def is_instructor(self, token: object) -> bool:
        return hash_matches(self.token_hash, token)

    def unique_name(self, name: str) -> str:
        """`name`, or "name (2)", "name (3)", ...: two students the gallery can tell apart."""
        taken = {m.name.casefold() for m in self.members.values()}
        unique, n = name, 1
        while unique.casefold() in taken:
            n += 1
            unique = f"{name} ({n})"
        return unique

    def member_by_token(self, token: object) -> Member | None:
        found = None
        for member in self.members.values():
            if hash_matches(member.token_hash, token):
                found = member
        return found

    def leaderboard(self) -> list[dict]:
        goal = self.challenge.get("goal") if self.challenge else None
        return board(goal, [(m.name, m.best) for m in self.members.values() if m.best])

    @property
    def channel(self) -> str:
        return f"room:{self.code}"

    def seats(self) -> list:
        members = [m.seat for m in self.members.values() if m.seat is not None]
        return [*self.instructors, *members]

    def listened(self, member: Member | None) -> tuple[str, ...]:
        return listened(self.code, None if member is None else member.id)

    def own_channel(self, member: Member) -> str:
        """Where a student's own session is published while their page shows it."""
        return f"{self.channel}:own:{member.id}"


def listened(code: str, member: str | None) -> tuple[str, ...]:
    """The channels a room connection listens to: an instructor's (the room, the gallery, the
    spotlight) or a student's (the room, and messages for them alone)."""
    channel = f"room:{code}"
    if member is None:
        return (channel, f"{channel}:teach", f"{channel}:spot")
    return (channel, f"{channel}:member:{member}")


def to_json(message: dict) -> str:
    """A room event as compact JSON, encoded once for every connection that gets it."""
    return json.dumps(message, allow_nan=False, separators=(",", ":"))
