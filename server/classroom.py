"""Classroom rooms: pages, REST endpoints and the room WebSocket (`/classroom/ws`)."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import logging

from fastapi import APIRouter, FastAPI, Request, WebSocket, WebSocketDisconnect
from fastapi.responses import HTMLResponse, JSONResponse

from server.broker import FanOutlet, FollowerOutlet, MemoryBroker
from server.handlers import HANDLERS, Context
from server.limits import origin_allowed
from server.protocol import ProtocolError, error_message, parse_message, quantise
from server.rooms import (
    LOCKABLE,
    Member,
    Room,
    RoomError,
    RoomRegistry,
    RoomSession,
    check_constraints,
    clean_constraints,
    clean_locks,
    clean_name,
    lock_refusal,
    parameters,
    session_from,
    snapshot,
    tokens_match,
)
from server.scheduler import Scheduler
from server.session import Session
from server.settings import Settings
from server.templating import templates
from server.ws import check_size, close, receive_loop, send_loop

log = logging.getLogger(__name__)

router = APIRouter(prefix="/classroom")
HELLO_TIMEOUT_S = 10.0
CLOSED_ROOM = 4404  # close code: the room does not exist (any more); pages stop reconnecting


def classroom_of(app: FastAPI) -> Classroom:
    """The app's one Classroom, made on first use (it needs the app's scheduler)."""
    state = app.state
    if getattr(state, "classroom", None) is None:
        state.classroom = Classroom(state.settings, state.scheduler)
    return state.classroom


def _error(exc: RoomError, request: str) -> JSONResponse:
    return JSONResponse(exc.as_dict(request), status_code=exc.status)


def _page(request: Request, name: str) -> HTMLResponse:
    settings = request.app.state.settings
    context = {"settings": settings, "lockable": list(LOCKABLE)}
    context["max_name_length"] = settings.max_name_length
    return templates.TemplateResponse(request, f"classroom/{name}", context)


@router.get("", response_class=HTMLResponse)
async def landing(request: Request) -> HTMLResponse:
    return _page(request, "index.html")


@router.get("/new", response_class=HTMLResponse)
async def instructor_page(request: Request) -> HTMLResponse:
    return _page(request, "teach.html")


@router.get("/join", response_class=HTMLResponse)
async def student_page(request: Request) -> HTMLResponse:
    return _page(request, "join.html")


async def _json_body(request: Request) -> dict:
    try:
        body = await request.json()
    except ValueError:
        raise RoomError("body", None, "a JSON object") from None
    if not isinstance(body, dict):
        raise RoomError("body", body, "a JSON object")
    return body


@router.post("/api/rooms")
async def create_room(request: Request) -> JSONResponse:
    address = request.client.host if request.client else "unknown"
    try:
        room = await classroom_of(request.app).create_room(address)
    except RoomError as exc:
        return _error(exc, "create")
    # The token rides in the fragment: browsers send it to no server and in no Referer.
    body = {"code": room.code, "token": room.token}
    body["instructorUrl"] = f"/classroom/new#code={room.code}&token={room.token}"
    body["joinUrl"] = f"/classroom/join?code={room.code}"
    return JSONResponse(body, status_code=201)


@router.post("/api/join")
async def join_room(request: Request) -> JSONResponse:
    classroom = classroom_of(request.app)
    address = request.client.host if request.client else "unknown"
    try:
        body = await _json_body(request)
        room = classroom.registry.find(body.get("code"), address)
        name = clean_name(body.get("name"), classroom.settings.max_name_length)
        member = room.add_member(name, classroom.settings.max_room_members)
    except RoomError as exc:
        return _error(exc, "join")
    body = {"code": room.code, "member": member.id, "memberToken": member.token, "name": name}
    return JSONResponse(body, status_code=201)


def _instructor_room(request: Request, code: str) -> tuple[Classroom, Room]:
    classroom = classroom_of(request.app)
    room = classroom.registry.rooms.get(code.upper())
    if room is None or not tokens_match(room.token, request.headers.get("x-room-token")):
        # One answer for a wrong code and a wrong token: nothing to probe codes with.
        raise RoomError("x-room-token", None, "the instructor token of an open room", 403)
    return classroom, room


@router.get("/api/rooms/{code}")
async def room_status(request: Request, code: str) -> JSONResponse:
    try:
        classroom, room = _instructor_room(request, code)
    except RoomError as exc:
        return _error(exc, "status")
    return JSONResponse(classroom.status(room))


@router.post("/api/rooms/{code}/close")
async def close_room(request: Request, code: str) -> JSONResponse:
    try:
        classroom, room = _instructor_room(request, code)
    except RoomError as exc:
        return _error(exc, "close")
    classroom.close_room(room, "closed by the instructor")
    return JSONResponse({"code": room.code, "closed": True})


@router.websocket("/ws")
async def room_socket(websocket: WebSocket) -> None:
    app = websocket.app.state
    settings, metrics = app.settings, app.metrics
    origin = websocket.headers.get("origin")
    await websocket.accept()
    if not origin_allowed(origin, websocket.headers.get("host"), settings.allowed_origins):
        metrics.refused += 1
        await close(websocket, 1008, f"origin not allowed: {origin}")
        return
    address = websocket.client.host if websocket.client else "unknown"
    refusal = app.limiter.admit(address)
    if refusal is not None:
        metrics.refused += 1
        await close(websocket, *refusal)
        return
    try:
        await _serve(websocket, classroom_of(websocket.app), address, metrics)
    finally:
        app.limiter.release(address)


async def _hello(websocket: WebSocket, classroom: Classroom, address: str):
    """Read the first message: who this is and which room; returns (room, member or None)."""
    try:
        raw = await asyncio.wait_for(websocket.receive(), HELLO_TIMEOUT_S)
    except (TimeoutError, RuntimeError, WebSocketDisconnect):
        return None
    if raw["type"] == "websocket.disconnect":
        return None
    try:
        refusal = check_size(raw, classroom.settings.max_message_bytes)
        if refusal is not None:
            raise refusal
        message = parse_message(raw["text"])
    except ProtocolError as exc:
        exc.request = "hello"
        await websocket.send_text(_json(error_message(exc)))
        return None
    try:
        return classroom.greet(message, address)
    except RoomError as exc:
        await websocket.send_text(_json(exc.as_dict("hello")))
        return None


async def _serve(websocket: WebSocket, classroom: Classroom, address: str, metrics) -> None:
    greeted = await _hello(websocket, classroom, address)
    if greeted is None:
        await close(websocket, CLOSED_ROOM, "no such room, or not allowed in it")
        return
    room, member = greeted
    scheduler = classroom.scheduler
    outlet = FollowerOutlet(None, classroom.settings)
    ctx = Context(room.session if member is None else None, outlet, scheduler, classroom.settings)
    ctx.extras.update(room=room, member=member)
    outlet.context = ctx
    classroom.attach(room, member, outlet, ctx)
    scheduler.add_outlet(outlet)
    sender = asyncio.create_task(send_loop(websocket, outlet, metrics))
    try:
        await receive_loop(websocket, ctx, metrics, handle=classroom.handle)
    finally:
        sender.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await sender
        scheduler.remove_outlet(outlet)
        classroom.detach(room, member, outlet)


def _json(message: dict) -> str:
    return json.dumps(message, allow_nan=False, separators=(",", ":"))


# The rooms of this process: their sessions, fan-out, members and housekeeping.

INSTRUCTOR_ONLY = frozenset({"push", "lock", "spotlight", "close"})


class Classroom:
    """Every room of one server process, wired to the shared scheduler and a broker."""

    def __init__(self, settings: Settings, scheduler: Scheduler) -> None:
        self.settings = settings
        self.scheduler = scheduler
        self.broker = MemoryBroker()
        self.registry = RoomRegistry(settings)
        self._task: asyncio.Task | None = None
        self._jobs: set[asyncio.Task] = set()  # forks and pushes building sessions

    # Rooms.

    async def create_room(self, address: str) -> Room:
        self.registry.admit(address)
        # Building the data set takes milliseconds of pure Python: off the event loop.
        session = await asyncio.to_thread(RoomSession, self.settings)
        room = self.registry.create(session)
        room.fan = FanOutlet(room.session, self.settings, self.broker, room.channel)
        self.scheduler.add_session(room.session)
        self.scheduler.add_outlet(room.fan)
        self._publish_locks(room)
        if self._task is None or self._task.done():
            self._task = asyncio.get_running_loop().create_task(self._housekeeping())
        return room

    def close_room(self, room: Room, reason: str) -> None:
        self.registry.remove(room.code)
        closed = _json({"type": "closed", "reason": reason})
        for channel in (room.channel, f"{room.channel}:teach"):
            self.broker.publish_event(channel, closed)
        for outlet in room.outlets():
            outlet.farewell(reason)
        self.scheduler.remove_outlet(room.fan)
        self._end_spotlight(room)
        self.scheduler.remove_session(room.session)
        for member in room.members.values():
            if member.session is not None:
                self.scheduler.remove_session(member.session)
        for suffix in ("", ":teach", ":spot"):
            self.broker.forget(room.channel + suffix)

    def status(self, room: Room) -> dict:
        return {
            "code": room.code,
            "members": len(room.members),
            "connected": sum(m.outlet is not None for m in room.members.values()),
            "followers": self.broker.subscriber_count(room.channel),
            "epoch": int(room.session.run.epoch),
            "epochsTrained": room.session.epochs_trained,
            "framesEncoded": room.fan.frames_encoded,
            "locks": sorted(room.locks),
            "challenge": room.challenge,
            "spotlight": room.spotlight,
        }

    # Connections.

    def greet(self, message: dict, address: str) -> tuple[Room, Member | None]:
        """Check a `hello`: the instructor's token, or a student's member token."""
        if message.get("type") != "hello":
            raise RoomError("type", message.get("type"), '"hello" first')
        role = message.get("role")
        if role not in ("instructor", "student"):
            raise RoomError("role", role, '"instructor" or "student"')
        room = self.registry.find(message.get("code"), address)
        if role == "instructor":
            if not tokens_match(room.token, message.get("token")):
                self.registry.limiter.fail(address)
                raise RoomError("token", None, "the room's instructor token", 403)
            return room, None
        member = room.member_by_token(message.get("member"))
        if member is None:
            self.registry.limiter.fail(address)
            raise RoomError("member", None, "the token /classroom/api/join gave", 403)
        return room, member

    def attach(self, room: Room, member: Member | None, outlet: FollowerOutlet, ctx) -> None:
        room.touch()
        if member is None:
            room.instructors.add(outlet)
            channels = (room.channel, f"{room.channel}:teach", f"{room.channel}:spot")
            outlet.listen(self.broker, channels)
            spot = room.spot_fan is not None
            outlet.follow(f"{room.channel}:spot" if spot else room.channel, self.broker)
            outlet.send(self._room_info(room, None))
            return
        if member.outlet is not None:
            # The older tab stops, and says why, rather than reconnecting to take over again.
            reason = "this student joined again from another tab"
            member.outlet.send({"type": "closed", "reason": reason})
            member.outlet.farewell(reason)
        member.outlet = outlet
        outlet.listen(self.broker, (room.channel, f"{room.channel}:member:{member.id}"))
        if member.session is None or member.following:
            outlet.follow(room.channel, self.broker)
        else:
            ctx.session = member.session
            outlet.own(member.session)
        outlet.send(self._room_info(room, member))
        outlet.sync()

    def detach(self, room: Room, member: Member | None, outlet: FollowerOutlet) -> None:
        if outlet.subscription is not None:
            self.broker.unsubscribe(outlet.subscription)
        if member is None:
            room.instructors.discard(outlet)
        elif member.outlet is outlet:
            member.outlet = None
            if member.session is not None and member.session.busy:
                # Nobody watches it: it stops training, and stays in the gallery as it was.
                member.session.set_playing(False)

    def _room_info(self, room: Room, member: Member | None) -> dict:
        info = {"type": "room", "code": room.code, "locks": sorted(room.locks)}
        info["challenge"] = room.challenge
        if member is None:
            info.update(role="instructor", members=len(room.members))
            spot = room.members.get(room.spotlight) if room.spotlight else None
            info["spotlight"] = {"id": spot.id, "name": spot.name} if spot else None
        else:
            info.update(role="student", member=member.id, name=member.name)
            info["mode"] = "follow" if member.session is None or member.following else "own"
        return info

    # Messages.

    def handle(self, ctx: Context, text: str) -> None:
        """One message from a room connection; a refusal becomes an `error` reply."""
        kind = None
        try:
            message = parse_message(text)
            kind = message["type"]
            room, member = ctx.extras["room"], ctx.extras["member"]
            if room.closed:
                return
            room.touch()
            if kind in INSTRUCTOR_ONLY:
                if not tokens_match(room.token, message.get("token")):
                    raise RoomError("token", None, "the room's instructor token", 403)
                getattr(self, f"_on_{kind}")(room, message, ctx)
            elif kind == "snapshot":
                if ctx.session is None:
                    raise RoomError("snapshot", kind, "after fork: you follow the instructor")
                ctx.reply({"type": "snapshot", **snapshot(ctx.session)})
            elif member is not None and kind in ("fork", "follow"):
                getattr(self, f"_on_{kind}")(room, member, ctx)
            else:
                self._session_message(room, member, ctx, message)
        except ProtocolError as exc:
            if exc.request is None:
                exc.request = kind
            ctx.reply(error_message(exc))
        except RoomError as exc:
            ctx.reply(exc.as_dict(kind or "message"))
        except Exception:  # a bug costs one answer, not the room or the server
            log.exception("handling a %r room message failed", kind)
            error = ProtocolError("type", kind, "a message the server can handle", "internal error")
            ctx.reply(error_message(error))

    def _session_message(self, room: Room, member: Member | None, ctx: Context, message: dict):
        kind = message["type"]
        fn = HANDLERS.get(kind)
        if fn is None:
            extra = ", fork, follow" if member else ""
            known = ", ".join(sorted(HANDLERS))
            rooms = "snapshot, push, lock, spotlight, close"
            raise ProtocolError("type", kind, f"one of {known}{extra}, {rooms}")
        if member is not None and kind not in ("ack", "fps"):
            if ctx.session is None:
                raise RoomError(kind, kind, "fork first: you follow the instructor", 403)
            refusal = lock_refusal(room.locks, message, ctx.session.run.config)
            refusal = refusal or self._constraint_refusal(room, ctx.session, message)
            if refusal is not None:
                raise refusal
        fn(ctx, message)

    def _constraint_refusal(self, room: Room, session: Session, message: dict):
        if room.challenge is None or message["type"] != "config":
            return None
        changes = message.get("config")
        if not isinstance(changes, dict):
            return None
        return check_constraints({**session.run.config, **changes}, room.challenge["constraints"])

    # Student actions.

    def _on_fork(self, room: Room, member: Member, ctx: Context) -> None:
        if member.session is None:
            self._check_capacity(1)
        parts = parameters(room.session)
        self._spawn(self._fork(room, member, ctx, parts))

    async def _fork(self, room: Room, member: Member, ctx: Context, parts: dict) -> None:
        session = await asyncio.to_thread(session_from, parts, self.settings)
        if not room.closed:
            self._give_session(room, member, session)
            ctx.reply({"type": "forked", **snapshot(session)})

    def _check_capacity(self, wanted: int) -> None:
        """Students' own sessions count against `max_sessions`, like the playground's."""
        most = self.settings.max_sessions
        held = sum(
            m.session is not None for r in self.registry.rooms.values() for m in r.members.values()
        )
        if held + wanted > most:
            raise RoomError("sessions", held + wanted, f"at most {most} on this server", 503)

    def _spawn(self, job) -> None:
        task = asyncio.get_running_loop().create_task(job)
        self._jobs.add(task)
        task.add_done_callback(self._job_done)

    def _job_done(self, task: asyncio.Task) -> None:
        self._jobs.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("a classroom job failed", exc_info=task.exception())

    def _on_follow(self, room: Room, member: Member, ctx: Context) -> None:
        member.following = True
        ctx.outlet.follow(room.channel, self.broker)
        ctx.session = None

    def _give_session(self, room: Room, member: Member, session: Session) -> None:
        if member.session is not None:
            self.scheduler.remove_session(member.session)
        member.session = session
        member.following = False
        member.tile = None
        self.scheduler.add_session(session)
        if room.spotlight == member.id and room.spot_fan is not None:
            self._start_spotlight(room, member)
        outlet = member.outlet
        if outlet is not None:
            outlet.context.session = session
            outlet.own(session)
            outlet.sync(force_state=True)
            self.scheduler.wake()

    # Instructor actions (the token was checked).

    def _on_push(self, room: Room, message: dict, ctx: Context) -> None:
        """Everyone gets the instructor's setup (config and weights), or a challenge."""
        raw = message.get("challenge")
        self._check_capacity(sum(m.session is None for m in room.members.values()))
        if raw is None:
            parts = parameters(room.session)
            make = lambda: session_from(parts, self.settings)  # noqa: E731
            challenge = None
        else:
            if not isinstance(raw, dict):
                raise RoomError("challenge", raw, "an object with config, constraints")
            changes = raw.get("config") or {}
            if not isinstance(changes, dict):
                raise RoomError("challenge.config", changes, "a partial playground config")
            constraints = clean_constraints(raw.get("constraints"), self.settings)
            config = {**room.session.run.config, **changes}
            make = lambda: Session(self.settings, config)  # noqa: E731
            challenge = {"config": config, "constraints": constraints}
            challenge["leaderboard"] = raw.get("leaderboard", True) is not False
        room.pushes += 1
        self._spawn(self._push(room, ctx, make, challenge, room.pushes))

    async def _push(self, room: Room, ctx: Context, make, challenge, push: int) -> None:
        try:
            first = await asyncio.to_thread(make)  # the engine checks the config here
        except ProtocolError as exc:
            exc.request = "push"
            ctx.reply(error_message(exc))
            return
        if room.closed or push != room.pushes:
            return
        room.challenge = challenge
        if challenge is not None:
            room.share_leaderboard = challenge["leaderboard"]
            for member in room.members.values():
                member.best_loss = None
        kind = "setup" if challenge is None else "challenge"
        # Pages learn what is coming first, then get their new session's state.
        pushed = {"type": "pushed", "kind": kind, "challenge": challenge}
        self.broker.publish_event(room.channel, _json(pushed))
        self._publish_leaderboard(room)
        self._send_room_info(room)
        for i, member in enumerate(list(room.members.values())):
            session = first if i == 0 else await asyncio.to_thread(make)
            if room.closed or push != room.pushes:
                return
            self._give_session(room, member, session)

    def _on_lock(self, room: Room, message: dict, ctx: Context) -> None:
        room.locks = clean_locks(message.get("controls"))
        self._publish_locks(room)
        self._send_room_info(room)

    def _publish_locks(self, room: Room) -> None:
        locks = _json({"type": "locks", "controls": sorted(room.locks)})
        self.broker.publish_event(room.channel, locks, retain="locks")

    def _on_spotlight(self, room: Room, message: dict, ctx: Context) -> None:
        target = message.get("member")
        if target is None:
            self._end_spotlight(room)
        else:
            member = room.members.get(target) if isinstance(target, str) else None
            if member is None:
                raise RoomError("member", target, "the id of a student in this room (gallery)")
            if member.session is None:
                raise RoomError("member", target, "a student with their own session (forked)")
            self._start_spotlight(room, member)
        self._send_room_info(room)

    def _start_spotlight(self, room: Room, member: Member) -> None:
        self._end_spotlight(room)
        room.spotlight = member.id
        channel = f"{room.channel}:spot"
        room.spot_fan = FanOutlet(member.session, self.settings, self.broker, channel)
        self.scheduler.add_outlet(room.spot_fan)
        for outlet in room.instructors:
            outlet.follow(room.spot_fan.channel, self.broker)
        self._tell_member(room, member, {"type": "spotlight", "on": True})

    def _end_spotlight(self, room: Room) -> None:
        if room.spot_fan is None:
            return
        self.scheduler.remove_outlet(room.spot_fan)
        self.broker.forget(room.spot_fan.channel)
        room.spot_fan = None
        member = room.members.get(room.spotlight)
        room.spotlight = None
        for outlet in room.instructors:
            outlet.follow(room.channel, self.broker)
        if member is not None:
            self._tell_member(room, member, {"type": "spotlight", "on": False})

    def _on_close(self, room: Room, message: dict, ctx: Context) -> None:
        self.close_room(room, "closed by the instructor")

    def _tell_member(self, room: Room, member: Member, message: dict) -> None:
        self.broker.publish_event(f"{room.channel}:member:{member.id}", _json(message))

    def _send_room_info(self, room: Room) -> None:
        for outlet in room.instructors:
            outlet.send(self._room_info(room, None), replaces="room")
        for member in room.members.values():
            if member.outlet is not None:
                member.outlet.send(self._room_info(room, member), replaces="room")

    # Housekeeping: idle rooms expire; the gallery and leaderboard refresh about once a second.

    async def _housekeeping(self) -> None:
        settings = self.settings
        tick = max(0.05, min(settings.gallery_interval_s, settings.room_idle_timeout_s / 4))
        while self.registry.rooms:
            await asyncio.sleep(tick)
            for room in self.registry.idle():
                self.close_room(room, f"idle for {settings.room_idle_timeout_s:g} s")
            for room in list(self.registry.rooms.values()):
                try:
                    await self._refresh_gallery(room)
                except Exception:  # one room's trouble must not stop the others' gallery
                    log.exception("gallery refresh failed for a room")

    async def _refresh_gallery(self, room: Room) -> None:
        if not room.members or room.closed:
            return
        students = []
        for i, member in enumerate(list(room.members.values())):
            students.append(self._tile(room, member))
            if i % 20 == 19:
                await asyncio.sleep(0)  # a big room never holds the loop for long
        gallery = _json({"type": "gallery", "students": students})
        if gallery != room.last_gallery:  # nothing changed: nothing to send
            room.last_gallery = gallery
            self.broker.publish_event(f"{room.channel}:teach", gallery, retain="gallery")
        self._publish_leaderboard(room)

    def _tile(self, room: Room, member: Member) -> dict:
        tile = {"id": member.id, "name": member.name, "connected": member.outlet is not None}
        session = member.session
        if session is None:
            return {**tile, "layers": None, "epoch": 0, "testLoss": None}
        if member.tile is None or member.tile[0] != session.version:
            size = self.settings.thumb_size
            grid = session.run.node_grids(size)[-1]
            member.tile = (session.version, base64.b64encode(quantise(grid).tobytes()).decode())
        test_loss = session.losses[1]
        if room.challenge is not None and session.run.epoch > 0:
            config = session.run.config
            eligible = check_constraints(config, room.challenge["constraints"]) is None
            wanted = room.challenge["config"]
            eligible = eligible and all(
                config[k] == wanted[k] for k in ("problem", "dataset", "regDataset")
            )
            member.record_loss(test_loss, eligible)
        tile.update(layers=session.layers, epoch=int(session.run.epoch), testLoss=test_loss)
        return {**tile, "thumb": member.tile[1], "size": self.settings.thumb_size}

    def _publish_leaderboard(self, room: Room) -> None:
        entries = room.leaderboard() if room.challenge is not None else []
        board = _json({"type": "leaderboard", "entries": entries})
        if board == room.last_board:
            return
        room.last_board = board
        self.broker.publish_event(f"{room.channel}:teach", board, retain="leaderboard")
        if room.challenge is not None and room.share_leaderboard:
            self.broker.publish_event(room.channel, board, retain="leaderboard")
