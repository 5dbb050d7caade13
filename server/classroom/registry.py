"""The rooms of one process by code (`RoomRegistry`) and the limits on creating and joining them."""

from __future__ import annotations

import secrets
import time
from collections import OrderedDict, deque

from server.classroom.model import Room
from server.classroom.rules import (
    RoomError,
    attempts_refused,
    creations_refused,
    new_code,
    normalise_code,
    not_open,
    rooms_full,
    rooms_held,
    secret_hash,
    tokens_match,
)
from server.core.limits import KeyedBuckets
from server.core.session import Session
from server.settings import Settings


class AttemptLimiter:
    """Failed join attempts per address in a sliding minute, over a bounded set of addresses."""

    def __init__(self, per_minute: int, max_addresses: int, window_s: float = 60.0) -> None:
        self.per_minute = per_minute
        self.max_addresses = max_addresses
        self.window_s = window_s
        self._attempts: OrderedDict[str, deque[float]] = OrderedDict()

    def _recent(self, address: str, now: float) -> deque[float]:
        times = self._attempts.get(address)
        if times is None:
            return deque()
        while times and now - times[0] >= self.window_s:
            times.popleft()
        return times

    def blocked(self, address: str, now: float | None = None) -> bool:
        now = time.monotonic() if now is None else now
        return len(self._recent(address, now)) >= self.per_minute

    def fail(self, address: str, now: float | None = None) -> None:
        now = time.monotonic() if now is None else now
        times = self._recent(address, now)
        times.append(now)
        self._attempts[address] = times
        self._attempts.move_to_end(address)
        while len(self._attempts) > self.max_addresses:
            self._attempts.popitem(last=False)


class RoomRegistry:
    """Every room of this process, by code; bounded by `max_rooms`."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.rooms: dict[str, Room] = {}
        most = settings.max_rate_limited_addresses
        self.limiter = AttemptLimiter(settings.join_attempts_per_minute, most)
        self.creations = AttemptLimiter(settings.room_creations_per_minute, most)
        self.joins_by_address = KeyedBuckets(settings.joins_per_minute_per_ip, most)
        self.joins_by_room = KeyedBuckets(settings.joins_per_minute_per_room, most)
        self.forks = KeyedBuckets(settings.forks_per_minute, most)

    def check_key(self, address: str, given: object) -> None:
        """The instance's instructor passphrase, when one is set; a wrong one counts as a room
        creation, so guesses are as slow as `room_creations_per_minute`."""
        key = self.settings.instructor_key
        if not key:
            return
        if self.creations.blocked(address):
            raise creations_refused(self.settings)
        if not tokens_match(key, given):
            self.creations.fail(address)
            allowed = "the instructor passphrase of this server (ask whoever runs it)"
            message = "Creating a room needs this server's instructor passphrase."
            raise RoomError("instructorKey", None, allowed, 403, message)

    def admit_join(self, room: Room, address: str, now: float | None = None) -> None:
        """Whether a student may join `room` from `address` now; counts the join."""
        if room.joins_locked:
            allowed = "a room open to new students (the instructor closed it to new joins)"
            message = f"Room {room.code} takes no new students now (the instructor closed it)."
            raise RoomError("code", room.code, allowed, 403, message)
        if len(room.members) >= self.settings.max_room_members:
            most = self.settings.max_room_members
            message = f"Room {room.code} is full: it takes at most {most} students."
            raise RoomError("room", room.code, f"at most {most} students per room", 409, message)
        now = time.monotonic() if now is None else now
        by_room = self.joins_by_room.bucket(room.code, now)
        by_address = self.joins_by_address.bucket(address, now)
        for bucket, per, whom in (
            (by_room, self.settings.joins_per_minute_per_room, "per room"),
            (by_address, self.settings.joins_per_minute_per_ip, "per address"),
        ):
            if not bucket.ready(now):
                wait = f"try again in {bucket.wait_s():.0f} s"
                allowed = f"at most {per} joins a minute {whom}; {wait}"
                message = f"Too many students joining at once: {wait}."
                raise RoomError("join", None, allowed, 429, message)
        by_room.take(now)
        by_address.take(now)

    def admit(self, address: str) -> None:
        """Whether this address may create a room now; counts the attempt."""
        if len(self.rooms) >= self.settings.max_rooms:
            raise rooms_full(self.settings, len(self.rooms))
        if self.creations.blocked(address):
            raise creations_refused(self.settings)
        held = sum(room.creator == address for room in self.rooms.values())
        if held >= self.settings.max_rooms_per_ip:
            raise rooms_held(self.settings, held)
        self.creations.fail(address)  # every creation counts, not only failed ones

    def create(self, session: Session, address: str = "") -> tuple[Room, str]:
        """A new room, and the instructor's token (the room keeps its hash)."""
        if len(self.rooms) >= self.settings.max_rooms:  # filled up while the session was built
            raise rooms_full(self.settings, len(self.rooms))
        code = new_code()
        while code in self.rooms:
            code = new_code()
        token = secrets.token_urlsafe(24)
        room = Room(code=code, token_hash=secret_hash(token), session=session, creator=address)
        self.rooms[code] = room
        return room, token

    def checked_code(self, raw_code: object, address: str, counted: bool = True) -> str:
        """A join attempt's code, normalised; failed attempts count against the address.

        `counted=False` for a connection's hello: the room's home checks the address's failed
        attempts after the hello's tokens, which open the room whatever they are.
        """
        if counted and self.limiter.blocked(address):
            raise attempts_refused(self.settings, raw_code)
        try:
            return normalise_code(raw_code)
        except RoomError:
            self.limiter.fail(address)
            raise

    def refused(self, error: RoomError, address: str) -> None:
        """A join refused for want of an open room counts as a failed attempt."""
        if error.field == "code" and error.status == 404 and not error.counted:
            self.limiter.fail(address)

    def find(self, raw_code: object, address: str, hello: dict | None = None) -> Room:
        """The room for a join attempt; failed attempts count against the address.

        A `hello` carrying a valid token for the room (the instructor's, or a student's member
        token) opens it whatever the address's failed attempts: classmates behind one NAT must
        not lock each other out of reconnecting by mistyping codes.
        """
        if hello is not None:
            room = self._vouched(raw_code, hello)
            if room is not None:
                return room
        if self.limiter.blocked(address):
            raise attempts_refused(self.settings, raw_code)
        try:
            room = self.rooms.get(normalise_code(raw_code))
        except RoomError:
            self.limiter.fail(address)
            raise
        if room is None or room.closed:
            self.limiter.fail(address)
            refusal = not_open(raw_code)
            refusal.counted = True  # `refused` must not count it again
            raise refusal
        return room

    def _vouched(self, raw_code: object, hello: dict) -> Room | None:
        try:
            room = self.rooms.get(normalise_code(raw_code))
        except RoomError:
            return None
        if room is None or room.closed:
            return None
        if hello.get("role") == "instructor":
            return room if room.is_instructor(hello.get("token")) else None
        return room if room.member_by_token(hello.get("member")) is not None else None

    def remove(self, code: str) -> Room | None:
        room = self.rooms.pop(code, None)
        if room is not None:
            room.closed = True
            self.joins_by_room.forget(code)
        return room

    def idle(self, now: float | None = None) -> list[Room]:
        now = time.monotonic() if now is None else now
        limit = self.settings.room_idle_timeout_s
        return [r for r in self.rooms.values() if now - r.last_active >= limit]
