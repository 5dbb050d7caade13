"""Room housekeeping: idle rooms expire; the gallery and leaderboard refresh about once a second."""

from __future__ import annotations

import asyncio
import base64
import logging
import time

from engine.grid import quantise
from server.classroom.goals import better, describe, measure
from server.classroom.hub import Hub
from server.classroom.model import Member, Room, to_json
from server.classroom.rules import check_constraints

log = logging.getLogger(__name__)


async def housekeeping(hub: Hub) -> None:
    """Runs while there are rooms; `Classroom.create_room` starts it again after a quiet spell."""
    settings = hub.settings
    tick = max(0.05, min(settings.gallery_interval_s, settings.room_idle_timeout_s / 4))
    while hub.registry.rooms:
        await asyncio.sleep(tick)
        for room in hub.registry.idle():
            hub.close_room(room, f"idle for {settings.room_idle_timeout_s:g} s")
        for room in list(hub.registry.rooms.values()):
            try:
                await refresh_gallery(hub, room)
            except Exception:  # one room's trouble must not stop the others' gallery
                log.exception("gallery refresh failed for a room")


async def refresh_gallery(hub: Hub, room: Room) -> None:
    if not room.members or room.closed:
        return
    students = []
    for i, member in enumerate(list(room.members.values())):
        students.append(tile(hub, room, member))
        if i % 20 == 19:
            await asyncio.sleep(0)  # a big room never holds the loop for long
    gallery = to_json({"type": "gallery", "students": students})
    if gallery != room.last_gallery:  # nothing changed: nothing to send
        room.last_gallery = gallery
        hub.broker.publish_event(f"{room.channel}:teach", gallery, retain="gallery")
    publish_leaderboard(hub, room)


def tile(hub: Hub, room: Room, member: Member) -> dict:
    """One student's gallery tile; the thumbnail is encoded again only when the session changed."""
    out = {"id": member.id, "name": member.name, "connected": member.seat is not None}
    if member.session is None:
        return {**out, "layers": None, "epoch": 0, "testLoss": None}
    snap = member.session.snapshot
    size = hub.settings.thumb_size
    if member.tile is None or member.tile[0] != snap.version:
        grid = snap.thumbs(size)[-1]
        member.tile = (snap.version, base64.b64encode(quantise(grid).tobytes()).decode())
    if member.measured is None or member.measured[0] != snap.version:
        seconds = time.monotonic() - room.challenge_started
        member.measured = (snap.version, measure(snap, seconds))
    figures = member.measured[1]
    challenge = room.challenge
    counts = challenge is not None and snap.epoch > 0 and eligible(challenge, snap.config)
    if counts and better(challenge.get("goal"), figures, member.best):
        member.best = figures
    out.update(layers=list(snap.layers), epoch=snap.epoch, testLoss=figures.test_loss)
    out["diverged"] = snap.diverged
    out.update(accuracy=figures.accuracy, weights=figures.weights)
    return {**out, "thumb": member.tile[1], "size": size}


def eligible(challenge: dict, config: dict) -> bool:
    """Whether a network counts for the challenge: its constraints kept, on the challenge's data."""
    if check_constraints(config, challenge["constraints"]) is not None:
        return False
    wanted = challenge["config"]
    return all(config[key] == wanted[key] for key in ("problem", "dataset", "regDataset"))


def publish_leaderboard(hub: Hub, room: Room) -> None:
    entries = room.leaderboard() if room.challenge is not None else []
    goal = room.challenge.get("goal") if room.challenge else None
    message = {"type": "leaderboard", "goal": goal, "goalText": describe(goal), "entries": entries}
    board = to_json(message)
    if board == room.last_board:
        return
    room.last_board = board
    hub.broker.publish_event(f"{room.channel}:teach", board, retain="leaderboard")
    if room.challenge is not None and room.share_leaderboard:
        hub.broker.publish_event(room.channel, board, retain="leaderboard")
