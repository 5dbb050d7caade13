"""Where each room lives, and how it outlives its home process.

In Redis, with expiry: `proc:<id>:alive` (each process, renewed every second), `room:<code>:home`
(the id of the room's home, renewed every second by the home) and `room:<code>:state` (what the
room is rebuilt from: its instructor's session as the protocol's restore fields, members with
their token hashes, locks, challenge), written by the home at least every 2 s while the room
trains and at once when the room itself changes. When a home stops renewing its key, the first
process that needs the room (one of its connections' processes, checking twice a second, or any
process a page asks) claims it with SET NX and rebuilds it from its state; connections held
elsewhere are seated again at the new home, and followers, who listen to the room's channels,
never noticed anything but a pause.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import logging
import time
from typing import Any

from redis.exceptions import RedisError

from server.classroom.census import CENSUS
from server.classroom.model import Member, Room
from server.core.session import Session

log = logging.getLogger(__name__)
TTL_MS = 3000  # a home (or a process) missing this long is gone
HEARTBEAT_S = 1.0
WATCH_S = 0.5
SNAPSHOT_S = 2.0  # a training room's state is written at least this often
# A home keeps its room (and writes its state, when one is given) only while no other process
# holds it: the home key is renewed if it is ours or gone, else the other home's id comes back
# (this process lost Redis for a while, and the room was adopted meanwhile).
RENEW = """
local home = redis.call('GET', KEYS[1])
if home ~= false and home ~= ARGV[1] then return home end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
if ARGV[3] ~= '' then redis.call('SET', KEYS[2], ARGV[3], 'PX', ARGV[4]) end
return ARGV[1]
"""


def room_state(room: Room) -> dict:
    """What another process rebuilds the room from."""
    snap = room.session.snapshot
    members = [
        {"id": m.id, "name": m.name, "tokenHash": m.token_hash} for m in room.members.values()
    ]
    return {
        "code": room.code,
        "tokenHash": room.token_hash,
        "members": members,
        "locks": sorted(room.locks),
        "challenge": room.challenge,
        "shareLeaderboard": room.share_leaderboard,
        "joinsLocked": room.joins_locked,
        "session": snap.restore_fields(),
        "playing": snap.playing,
        "speed": snap.speed,
    }


class Homes:
    """This process's side of where rooms live: heartbeats, snapshots, claims and adoptions."""

    def __init__(self, cluster: Any) -> None:
        self.cluster = cluster
        self.redis = cluster.redis
        self._dirty: set[str] = set()
        self._writing: set[str] = set()
        # code -> (session version, playing, time) of the last state written
        self._written: dict[str, tuple[int, bool, float]] = {}
        self._tasks: list[asyncio.Task] = []
        self._renew_home = self.redis.register_script(RENEW)

    def start(self) -> None:
        loop = asyncio.get_running_loop()
        self._tasks = [loop.create_task(self._beat()), loop.create_task(self._watch())]

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        registry = self.cluster.classroom.registry if self.cluster.classroom else None
        codes = list(registry.rooms) if registry else []
        with contextlib.suppress(RedisError, OSError):  # let others adopt at once
            await self.redis.delete(
                f"proc:{self.cluster.id}:alive", *(f"room:{c}:home" for c in codes)
            )
            await self.redis.hdel(CENSUS, self.cluster.id)

    def changed(self, room: Room) -> None:
        """The room's state is written at once (one write at a time per room; a change made
        meanwhile is written by the next heartbeat)."""
        self._dirty.add(room.code)
        if room.code not in self._writing:
            self._writing.add(room.code)
            self.cluster.spawn(self._write_now(room))

    async def written(self, room: Room) -> None:
        """Until the room's home and state are in Redis."""
        await self._write_now(room)

    async def _write_now(self, room: Room) -> None:
        try:
            self._dirty.discard(room.code)
            home = await self._renew_home(**self._renewal(room, with_state=True))
            if home.decode() == self.cluster.id:  # else the next heartbeat stops this copy
                self._written[room.code] = self._mark(room, time.monotonic())
        except (RedisError, OSError) as exc:
            self._dirty.add(room.code)  # the next heartbeat tries again
            log.warning("could not write room %s's state to Redis (%s)", room.code, exc)
        finally:
            self._writing.discard(room.code)

    # Where a room lives.

    async def home_of(self, code: str) -> str | None:
        """The id of the room's live home; the room is adopted here if it has none but a state."""
        home = await self.redis.get(f"room:{code}:home")
        if home is not None:
            return home.decode()
        state = await self.redis.get(f"room:{code}:state")
        if state is None:
            return None
        return await self.claim(code, state)

    async def claim(self, code: str, state: bytes) -> str | None:
        me = self.cluster.id
        if await self.redis.set(f"room:{code}:home", me, nx=True, px=TTL_MS):
            try:
                await self.adopt(json.loads(state))
            except Exception:
                log.exception("room %s could not be adopted", code)
                await self.redis.delete(f"room:{code}:home")
                return None
            return me
        home = await self.redis.get(f"room:{code}:home")
        return None if home is None else home.decode()

    async def adopt(self, state: dict) -> Room:
        """Rebuild a room whose home is gone, here: its session from the state, paused or playing
        as it was, its members able to greet with their tokens."""
        classroom = self.cluster.classroom
        settings = classroom.settings
        session = await Session.from_parts(settings, classroom.scheduler.offload, state["session"])
        room = Room(code=state["code"], token_hash=state["tokenHash"], session=session)
        for m in state["members"]:
            room.members[m["id"]] = Member(id=m["id"], name=m["name"], token_hash=m["tokenHash"])
        numbers = [int(mid[1:]) for mid in room.members if mid[1:].isdigit()]
        room._ids = itertools.count(max(numbers, default=0) + 1)
        room.locks = frozenset(state["locks"])
        room.challenge = state["challenge"]
        room.share_leaderboard = state["shareLeaderboard"]
        room.joins_locked = state["joinsLocked"]
        classroom.registry.rooms[room.code] = room
        classroom.install(room)
        await session.set_speed(state["speed"])
        if state["playing"]:
            await session.set_playing(True)
        log.warning("room %s was adopted by this process (its home stopped)", room.code)
        return room

    # Heartbeats: this process, its rooms and their states.

    async def _beat(self) -> None:
        while True:
            try:
                await self._renew()
            except (RedisError, OSError) as exc:
                log.warning("could not renew this process's rooms in Redis (%s)", exc)
            await asyncio.sleep(HEARTBEAT_S)

    async def _renew(self) -> None:
        me, now = self.cluster.id, time.monotonic()
        rooms = list(self.cluster.classroom.registry.rooms.values())
        due = {room.code for room in rooms if self._due(room, now)}
        async with self.redis.pipeline(transaction=False) as pipe:
            pipe.set(f"proc:{me}:alive", "1", px=TTL_MS)
            self.cluster.census.count(pipe)
            for room in rooms:
                await self._renew_home(**self._renewal(room, room.code in due), client=pipe)
            replies = await pipe.execute()
        stale = self.cluster.census.counted(replies[2])
        if stale:  # processes gone for good
            await self.redis.hdel(CENSUS, *stale)
        for room, home in zip(rooms, replies[3:], strict=True):
            if home.decode() != me:
                log.warning("room %s has another home now; this copy stops", room.code)
                self.cluster.classroom.stop_here(room, "the room moved to another server")
            elif room.code in due:
                self._dirty.discard(room.code)
                self._written[room.code] = self._mark(room, now)

    def _renewal(self, room: Room, with_state: bool) -> dict:
        """The RENEW script's keys and arguments for `room` (its state too, if `with_state`)."""
        state = json.dumps(room_state(room), allow_nan=False) if with_state else ""
        ttl = int(self.cluster.settings.room_idle_timeout_s * 1000)
        keys = [f"room:{room.code}:home", f"room:{room.code}:state"]
        return {"keys": keys, "args": [self.cluster.id, TTL_MS, state, ttl]}

    @staticmethod
    def _mark(room: Room, now: float) -> tuple[int, bool, float]:
        snap = room.session.snapshot
        return snap.version, snap.playing, now

    def _due(self, room: Room, now: float) -> bool:
        """Written at the next heartbeat: a changed room, one that started or stopped playing,
        or one that trained since its state was written a while ago."""
        version, playing, at = self._written.get(room.code, (-1, False, float("-inf")))
        snap = room.session.snapshot
        moved = snap.version != version and now - at >= SNAPSHOT_S / 2
        return room.code in self._dirty or snap.playing != playing or moved

    async def closed(self, code: str) -> None:
        await self.redis.delete(f"room:{code}:home", f"room:{code}:state")

    # Watching: homes of our connections' rooms, processes of our rooms' connections.

    async def _watch(self) -> None:
        while True:
            await asyncio.sleep(WATCH_S)
            try:
                await self._check_homes()
                await self._check_processes()
            except (RedisError, OSError) as exc:
                log.warning("could not check rooms' homes in Redis (%s)", exc)

    async def _check_homes(self) -> None:
        by_room: dict[str, list] = {}
        for link in list(self.cluster.links.values()):
            by_room.setdefault(link.code, []).append(link)
        for code, links in by_room.items():
            home = await self.home_of(code)
            for link in links:
                if home is None:
                    link.lost()
                elif home != link.home:
                    await link.rehome(home)

    async def _check_processes(self) -> None:
        procs = {seat.proc for seat in self.cluster.seats.values()}
        for proc in procs:
            if not await self.redis.exists(f"proc:{proc}:alive"):
                await self.cluster.forget_process(proc)
