"""Classroom rooms: join codes, tokens, names, locks, challenges, members and the registry."""

from __future__ import annotations

import hmac
import itertools
import math
import secrets
import time
import unicodedata
from collections import OrderedDict, deque
from dataclasses import dataclass, field
from typing import Any

from server.session import Session
from server.settings import Settings

# No 0/O, 1/I/L: a code read off a projector is typed without guessing.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 6

# The original's `<control>_hide` names (plus `features`), and what each one guards on the
# server: config keys a student may no longer change, and message types they may no longer send.
LOCKABLE: dict[str, tuple[frozenset[str], frozenset[str]]] = {
    "playButton": (frozenset(), frozenset({"play", "pause", "speed"})),
    "stepButton": (frozenset(), frozenset({"step"})),
    "resetButton": (frozenset(), frozenset({"reset", "regenerate"})),
    "learningRate": (frozenset({"learningRate"}), frozenset()),
    "activation": (frozenset({"activation"}), frozenset()),
    "regularization": (frozenset({"regularization"}), frozenset()),
    "regularizationRate": (frozenset({"regularizationRate"}), frozenset()),
    "problem": (frozenset({"problem"}), frozenset()),
    "dataset": (frozenset({"dataset", "regDataset", "seed"}), frozenset()),
    "percTrainData": (frozenset({"percTrainData"}), frozenset()),
    "noise": (frozenset({"noise"}), frozenset()),
    "batchSize": (frozenset({"batchSize"}), frozenset()),
    "numHiddenLayers": (frozenset({"networkShape"}), frozenset()),
    "features": (
        frozenset({"x", "y", "xSquared", "ySquared", "xTimesY", "sinX", "sinY"}),
        frozenset(),
    ),
    "weights": (frozenset(), frozenset({"set_weight"})),
    "showTestData": (frozenset(), frozenset()),
    "discretize": (frozenset(), frozenset()),
}
FEATURE_KEYS = ("x", "y", "xSquared", "ySquared", "xTimesY", "sinX", "sinY")


class RoomError(Exception):
    """A refused classroom request: field, value and what is allowed, like the protocol's errors."""

    def __init__(self, field: str, value: object, allowed: str, status: int = 400) -> None:
        super().__init__(f"{field}: {value!r} is not allowed; allowed: {allowed}")
        self.field, self.value, self.allowed, self.status = field, value, allowed, status

    def as_dict(self, request: str) -> dict:
        value = self.value if isinstance(self.value, str | int | float | bool) else None
        if isinstance(value, str) and len(value) > 80:
            value = value[:80] + "..."
        return {
            "type": "error",
            "request": request,
            "field": self.field,
            "value": value,
            "allowed": self.allowed,
            "message": str(self),
        }


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalise_code(raw: object) -> str:
    if not isinstance(raw, str) or not raw.strip():
        raise RoomError("code", raw, f"{CODE_LENGTH} letters or digits", 400)
    code = raw.strip().upper().replace("-", "").replace(" ", "")
    if len(code) != CODE_LENGTH or any(c not in CODE_ALPHABET for c in code):
        raise RoomError("code", raw, f"{CODE_LENGTH} characters from {CODE_ALPHABET}", 400)
    return code


def clean_name(raw: object, max_length: int) -> str:
    """A display name: trimmed, NFC, 1..max_length characters, no control characters."""
    allowed = f"1 to {max_length} printable characters"
    if not isinstance(raw, str):
        raise RoomError("name", raw, allowed)
    name = unicodedata.normalize("NFC", " ".join(raw.split()))
    if not name or len(name) > max_length:
        raise RoomError("name", raw, allowed)
    if any(unicodedata.category(c) in ("Cc", "Cf", "Cs", "Co", "Cn") for c in name):
        raise RoomError("name", raw, allowed)
    return name


def tokens_match(expected: str, given: object) -> bool:
    if not isinstance(given, str):
        return False
    return hmac.compare_digest(expected.encode(), given.encode())


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


def check_constraints(config: dict, constraints: dict) -> RoomError | None:
    """Whether a config respects a challenge's constraints; the first broken one as an error."""
    shape = config.get("networkShape", [])
    if "maxLayers" in constraints and len(shape) > constraints["maxLayers"]:
        return RoomError("networkShape", shape, f"at most {constraints['maxLayers']} hidden layers")
    if "maxNeurons" in constraints and sum(shape) > constraints["maxNeurons"]:
        return RoomError("networkShape", shape, f"at most {constraints['maxNeurons']} neurons")
    if "features" in constraints:
        for key in FEATURE_KEYS:
            if config.get(key) and key not in constraints["features"]:
                allowed = ", ".join(constraints["features"])
                return RoomError(key, True, f"only these features: {allowed}")
    return None


def clean_constraints(raw: object, settings: Settings) -> dict:
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise RoomError("constraints", raw, "an object with maxNeurons, maxLayers, features")
    out: dict[str, Any] = {}
    for key, value in raw.items():
        if key in ("maxNeurons", "maxLayers"):
            top = settings.max_neurons * settings.max_hidden_layers
            top = settings.max_hidden_layers if key == "maxLayers" else top
            if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= top:
                raise RoomError(f"constraints.{key}", value, f"an integer 0 .. {top}")
            out[key] = value
        elif key == "features":
            known = isinstance(value, list) and all(f in FEATURE_KEYS for f in value)
            if not known or not value:
                raise RoomError("constraints.features", value, ", ".join(FEATURE_KEYS))
            out[key] = [f for f in FEATURE_KEYS if f in value]
        else:
            raise RoomError("constraints", key, "maxNeurons, maxLayers, features")
    return out


def clean_locks(raw: object) -> frozenset[str]:
    if not isinstance(raw, list) or any(name not in LOCKABLE for name in raw):
        raise RoomError("controls", raw, "a list of: " + ", ".join(LOCKABLE))
    return frozenset(raw)


def lock_refusal(locks: frozenset[str], msg: dict, current: dict) -> RoomError | None:
    """The error for a student's message that a lock forbids, else None.

    A `config` is refused only for locked keys whose value would change, so a page that sends its
    whole config on every change still works under locks.
    """
    kind = msg.get("type")
    for name in locks:
        keys, kinds = LOCKABLE[name]
        if kind in kinds:
            return RoomError(kind, kind, f"not while the instructor locks {name}", 403)
        if kind == "config" and isinstance(msg.get("config"), dict):
            for key in keys:
                if key in msg["config"] and msg["config"][key] != current.get(key):
                    return RoomError(key, msg["config"][key], f"locked by the instructor ({name})")
    return None


class RoomSession(Session):
    """The instructor's session; it counts the epochs it trains, to show a room trains once."""

    epochs_trained = 0

    def train(self, n: int) -> int:
        done = super().train(n)
        self.epochs_trained += done
        return done


@dataclass
class Member:
    """A student in a room; `id` is shown to the instructor only, `token` only to the student."""

    id: str
    name: str
    token: str
    session: Session | None = None
    best_loss: float | None = None
    outlet: Any = None  # this student's FollowerOutlet while connected
    following: bool = False  # back to following after a fork, own session kept
    tile: tuple[int, str] | None = None  # (session version, thumbnail) for the gallery

    def record_loss(self, test_loss: float, eligible: bool) -> None:
        better = self.best_loss is None or test_loss < self.best_loss
        if eligible and math.isfinite(test_loss) and better:
            self.best_loss = test_loss


@dataclass
class Room:
    code: str
    token: str
    session: RoomSession
    created: float = field(default_factory=time.monotonic)
    last_active: float = field(default_factory=time.monotonic)
    members: dict[str, Member] = field(default_factory=dict)
    locks: frozenset[str] = frozenset()
    challenge: dict | None = None
    spotlight: str | None = None
    share_leaderboard: bool = True
    closed: bool = False
    fan: Any = None  # FanOutlet of the room's session
    spot_fan: Any = None  # FanOutlet of the spotlighted student's session
    instructors: set = field(default_factory=set)  # instructors' FollowerOutlets
    last_gallery: str = ""
    pushes: int = 0  # a newer push supersedes one still building sessions
    last_board: str = ""
    _ids: itertools.count = field(default_factory=lambda: itertools.count(1))

    def touch(self) -> None:
        self.last_active = time.monotonic()

    def add_member(self, name: str, max_members: int) -> Member:
        if len(self.members) >= max_members:
            raise RoomError("room", self.code, f"at most {max_members} students per room", 409)
        member = Member(id=f"s{next(self._ids)}", name=name, token=secrets.token_urlsafe(18))
        self.members[member.id] = member
        self.touch()
        return member

    def member_by_token(self, token: object) -> Member | None:
        found = None
        for member in self.members.values():
            if tokens_match(member.token, token):
                found = member
        return found

    def leaderboard(self) -> list[dict]:
        ranked = [m for m in self.members.values() if m.best_loss is not None]
        ranked.sort(key=lambda m: m.best_loss)
        return [{"name": m.name, "testLoss": m.best_loss} for m in ranked]

    @property
    def channel(self) -> str:
        return f"room:{self.code}"

    def outlets(self) -> list:
        members = [m.outlet for m in self.members.values() if m.outlet is not None]
        return [*self.instructors, *members]


class RoomRegistry:
    """Every room of this process, by code; bounded by `max_rooms`."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.rooms: dict[str, Room] = {}
        most = settings.max_rate_limited_addresses
        self.limiter = AttemptLimiter(settings.join_attempts_per_minute, most)
        self.creations = AttemptLimiter(settings.room_creations_per_minute, most)

    def admit(self, address: str) -> None:
        """Whether this address may create a room now; counts the attempt."""
        if len(self.rooms) >= self.settings.max_rooms:
            raise RoomError("rooms", len(self.rooms), f"at most {self.settings.max_rooms}", 503)
        if self.creations.blocked(address):
            per = self.settings.room_creations_per_minute
            raise RoomError("rooms", None, f"at most {per} new rooms a minute per address", 429)
        self.creations.fail(address)  # every creation counts, not only failed ones

    def create(self, session: RoomSession) -> Room:
        if len(self.rooms) >= self.settings.max_rooms:  # filled up while the session was built
            raise RoomError("rooms", len(self.rooms), f"at most {self.settings.max_rooms}", 503)
        code = new_code()
        while code in self.rooms:
            code = new_code()
        room = Room(code=code, token=secrets.token_urlsafe(24), session=session)
        self.rooms[code] = room
        return room

    def find(self, raw_code: object, address: str) -> Room:
        """The room for a join attempt; failed attempts count against the address."""
        if self.limiter.blocked(address):
            per = self.settings.join_attempts_per_minute
            raise RoomError("code", raw_code, f"at most {per} failed attempts a minute", 429)
        try:
            room = self.rooms.get(normalise_code(raw_code))
        except RoomError:
            self.limiter.fail(address)
            raise
        if room is None or room.closed:
            self.limiter.fail(address)
            raise RoomError("code", raw_code, "the code of an open room", 404)
        return room

    def remove(self, code: str) -> Room | None:
        room = self.rooms.pop(code, None)
        if room is not None:
            room.closed = True
        return room

    def idle(self, now: float | None = None) -> list[Room]:
        now = time.monotonic() if now is None else now
        limit = self.settings.room_idle_timeout_s
        return [r for r in self.rooms.values() if now - r.last_active >= limit]


def snapshot(session: Session) -> dict:
    """A session's config and parameters as the protocol's `restore` fields, exact (float64)."""
    net = session.run.network
    return {
        "config": session.run.config,
        "epoch": int(session.run.epoch),
        "weights": [w.tolist() for w in net.weights],
        "biases": [b.tolist() for b in net.biases],
        "dead": [d.astype(int).tolist() for d in net.dead],
    }


def parameters(session: Session) -> dict:
    """Copies of what a fork takes from a session, taken between two training slices."""
    net = session.run.network
    return {
        "config": dict(session.run.config),
        "epoch": int(session.run.epoch),
        "weights": [w.copy() for w in net.weights],
        "biases": [b.copy() for b in net.biases],
        "dead": [d.copy() for d in net.dead],
    }


def session_from(parts: dict, settings: Settings) -> Session:
    """A new session with these parameters: same config and data, weights, dead links, epoch.

    Building data takes milliseconds of pure Python, so callers run this off the event loop.
    """
    session = Session(settings, parts["config"])
    session.restore(
        parts["config"], parts["epoch"], parts["weights"], parts["biases"], parts["dead"]
    )
    return session
