"""Challenges with a goal over a real server: students train, the leaderboard ranks them live."""

from __future__ import annotations

import asyncio
import csv
import io
import urllib.request

import pytest
from room_client import get, join, new_room, student, teacher

pytestmark = pytest.mark.timeout(60)
# A server of this module's own, with no limit on rooms or joins from this one address.
SERVER_SETTINGS = {
    "room_creations_per_minute": 1000,
    "join_attempts_per_minute": 1000,
    "max_rooms_per_ip": 1000,
}


def test_a_challenge_with_a_goal_ranks_who_reached_it(make_server):
    server = make_server(gallery_interval_s=0.1)

    async def scenario():
        room = new_room(server)
        clients = [await teacher(server, room)]
        clients += [await student(server, room, "Eve"), await student(server, room, "Fay")]
        try:
            await play(room, *clients)
        finally:
            for client in clients:
                await client.close()

    async def play(room, inst, eve, fay):
        goal = {"kind": "testLoss", "target": 0.2}
        challenge = {"config": {"dataset": "circle", "seed": "0.12345"}, "goal": goal}
        await inst.send(type="push", token=room["token"], challenge=challenge)
        pushed = await eve.message("pushed")
        assert pushed["challenge"]["goal"] == goal
        # Eve trains until her network is past the goal (test loss 0.12 at epoch 60, 0.5 at
        # epoch 1); Fay takes one epoch.
        await eve.send(type="step", n=60)
        await eve.frame(60)
        await fay.send(type="step", n=1)
        await fay.frame(1)

        seen: dict[str, dict] = {}

        def settled(m) -> bool:
            """Both students ranked, and the gallery showing where each of them is."""
            if isinstance(m, dict) and m.get("type") in ("leaderboard", "gallery"):
                seen[m["type"]] = m
            board, gallery = seen.get("leaderboard"), seen.get("gallery")
            epochs = {t["name"]: t["epoch"] for t in gallery["students"]} if gallery else {}
            return bool(board) and len(board["entries"]) == 2 and epochs == {"Eve": 60, "Fay": 1}

        await inst.next(settled)
        board, gallery = seen["leaderboard"], seen["gallery"]
        assert board["goal"] == goal and board["goalText"] == "test loss at most 0.2"
        first, second = board["entries"]
        assert (first["name"], first["rank"], first["reached"]) == ("Eve", 1, True)
        # Her best is when she first reached the goal, on the way to epoch 60.
        assert first["testLoss"] <= 0.2 and 1 <= first["epoch"] <= 60
        assert first["accuracy"] > 0.75 and first["weights"] == 18  # measured when first reached
        assert first["layers"] == [2, 4, 2, 1] and first["seconds"] >= 0
        assert (second["name"], second["reached"]) == ("Fay", False)
        # The gallery's tiles carry the same figures.
        tiles = {tile["name"]: tile for tile in gallery["students"]}
        assert tiles["Eve"]["epoch"] == 60 and tiles["Eve"]["accuracy"] >= first["accuracy"]
        assert tiles["Eve"]["weights"] == 18 and tiles["Eve"]["diverged"] is False
        check_results(server, room, first)

    asyncio.run(scenario())


def check_results(server, room: dict, best: dict) -> None:
    """The instructor's CSV and JSON downloads hold what the leaderboard shows."""
    path = f"/classroom/api/rooms/{room['code']}/results"
    headers = {"x-room-token": room["token"]}
    status, text, content_type = fetch(server, path + ".csv", headers)
    assert status == 200 and content_type.startswith("text/csv")
    table = list(csv.DictReader(io.StringIO(text)))
    assert [row["name"] for row in table] == ["Eve", "Fay"]
    eve = table[0]
    assert eve["challenge"] == "test loss at most 0.2" and eve["reached goal"] == "yes"
    assert float(eve["best test loss"]) == best["testLoss"] and eve["architecture"] == "2-4-2-1"
    assert int(eve["epoch"]) == best["epoch"] and int(eve["weights"]) == 18
    assert float(eve["test accuracy"]) == best["accuracy"]
    status, body = get(server, path + ".json", headers)
    assert status == 200 and body["goalText"] == "test loss at most 0.2"
    assert body["students"][0]["testLoss"] == best["testLoss"]
    assert {m["name"] for m in body["members"]} == {"Eve", "Fay"}
    assert get(server, path + ".json")[0] == 403  # not without the instructor's token


def fetch(server, path: str, headers: dict) -> tuple[int, str, str]:
    request = urllib.request.Request(server.url + path, headers=headers)
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.status, response.read().decode(), response.headers["content-type"]


def test_a_bad_goal_is_refused_with_its_field(module_server):
    server = module_server

    async def scenario():
        room = new_room(server)
        inst = await teacher(server, room)
        challenge = {"config": {}, "goal": {"kind": "testLoss", "target": -1}}
        await inst.send(type="push", token=room["token"], challenge=challenge)
        try:
            error = await inst.message("error")
        finally:
            await inst.close()
        assert error["field"] == "goal.target" and error["request"] == "push"

    asyncio.run(scenario())


def test_two_students_of_one_name_can_be_told_apart(module_server):
    server = module_server
    room = new_room(server)
    names = [join(server, room, name)["name"] for name in ("Ana", "ana", "Ana", "Bea")]
    assert names == ["Ana", "ana (2)", "Ana (3)", "Bea"]


def test_the_instructor_hears_who_is_connected_now(module_server):
    server = module_server

    async def scenario():
        room = new_room(server)
        inst = await teacher(server, room)
        join(server, room, "Away")
        here = await student(server, room, "Here")
        try:
            info = await inst.message("room", connected=1)
            assert info["members"] == 2
            await here.close()
            info = await inst.message("room", connected=0)
            assert info["members"] == 2
        finally:
            await inst.close()

    asyncio.run(scenario())
