"""A room connection's messages: its `hello` first, then each message to where it goes (an
instructor's action, a student's, or the playground's handler for the session it drives, within
the room's locks and challenge). A refusal becomes an `error` reply, never a closed room."""

from __future__ import annotations

import logging
from dataclasses import replace

from server.classroom import actions as room_actions
from server.classroom.hub import Hub
from server.classroom.model import Member, Room
from server.classroom.rules import RoomError, check_constraints, lock_refusal
from server.core.context import HANDLERS, Context
from server.core.protocol import ProtocolError, error_message, parse_message
from server.core.session import Session

log = logging.getLogger(__name__)

INSTRUCTOR_ONLY = frozenset(room_actions.INSTRUCTOR_ACTIONS)


def check_hello(message: dict) -> str:
    """A connection's first message is a `hello` of an instructor or a student: the role."""
    if message.get("type") != "hello":
        raise RoomError("type", message.get("type"), '"hello" first')
    role = message.get("role")
    if role not in ("instructor", "student"):
        raise RoomError("role", role, '"instructor" or "student"')
    return role


async def handle(hub: Hub, ctx: Context, text: str) -> None:
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
            if not room.is_instructor(message.get("token")):
                raise RoomError("token", None, "the room's instructor token", 403)
            await room_actions.INSTRUCTOR_ACTIONS[kind](hub, room, message, ctx)
        elif kind == "snapshot":
            if ctx.session is None:
                raise RoomError("snapshot", kind, "after fork: you follow the instructor")
            ctx.reply({"type": "snapshot", **ctx.session.snapshot.restore_fields()})
        elif member is not None and kind in room_actions.STUDENT_ACTIONS:
            await room_actions.STUDENT_ACTIONS[kind](hub, room, member, ctx)
        else:
            await _session_message(room, member, ctx, message)
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


async def _session_message(room: Room, member: Member | None, ctx: Context, message: dict) -> None:
    kind = message["type"]
    fn = HANDLERS.get(kind)
    if fn is None:
        extra = ", fork, follow, resume, take_challenge" if member else ""
        known = ", ".join(sorted(HANDLERS))
        rooms = "snapshot, " + ", ".join(room_actions.INSTRUCTOR_ACTIONS)
        raise ProtocolError("type", kind, f"one of {known}{extra}, {rooms}")
    if member is not None and ctx.session is None and kind == "inspect":
        # Reading is allowed while following: the chain rule of the network on screen.
        await fn(replace(ctx, session=room.session), message)
        return
    if member is not None and kind not in ("ack", "fps"):
        if ctx.session is None:
            message = "You are following the instructor: work on your own copy first."
            raise RoomError(kind, kind, "fork first: you follow the instructor", 403, message)
        refusal = lock_refusal(room.locks, message, ctx.session.snapshot.config)
        refusal = refusal or _constraint_refusal(room, ctx.session, message)
        if refusal is not None:
            raise refusal
    await fn(ctx, message)


def _constraint_refusal(room: Room, session: Session, message: dict):
    if room.challenge is None or message["type"] not in ("config", "import"):
        return None
    model = message.get("model")  # an imported model file must keep the limits too
    changes = (
        message.get("config")
        if message["type"] == "config"
        else (model.get("config") if isinstance(model, dict) else None)
    )
    if not isinstance(changes, dict):
        return None
    config = {**session.snapshot.config, **changes}
    return check_constraints(config, room.challenge["constraints"])
