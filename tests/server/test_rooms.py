"""Classroom rooms over a real server: follow, fork, push, gallery, spotlight, locks, tokens."""

from __future__ import annotations

import asyncio
import json

import pytest
import websockets
from room_client import (
    TIMEOUT,
    Client,
    get,
    join,
    new_room,
    post,
    status_of,
    student,
    teacher,
)

# Every test here makes its own room on this module's server. The limits counted per client
# address (all tests come from 127.0.0.1) are lifted so that no test uses them up for the next;
# test_rooms_limits.py tests them, each on a server of its own.
SERVER_SETTINGS = {
    "room_creations_per_minute": 1000,
    "join_attempts_per_minute": 1000,
    "max_rooms_per_ip": 1000,
}


@pytest.fixture(scope="module")
def server(module_server):
    return module_server


def test_create_and_join(server):
    room = new_room(server)
    assert len(room["code"]) == 6 and room["token"] and room["token"] not in room["joinUrl"]
    member = join(server, room, "  Ada   Lovelace ")
    assert member["name"] == "Ada Lovelace" and "token" not in member
    assert member["memberToken"] != room["token"]
    assert status_of(server, room)["members"] == 1
    code, body = get(server, f"/classroom/api/rooms/{room['code']}")
    assert code == 403 and body["field"] == "x-room-token"


def test_names_are_checked(server):
    room = new_room(server)
    for bad in ["", "   ", "x" * 33, "bell\x07", 42]:
        code, body = post(server, "/classroom/api/join", {"code": room["code"], "name": bad})
        assert code == 400 and body["field"] == "name", (bad, body)
    # Markup is a name like any other: the pages show it as text (see the browser test).
    assert join(server, room, "<b>Bo</b>")["name"] == "<b>Bo</b>"


def test_followers_share_one_training(server):
    async def scenario():
        room = new_room(server)
        inst = await teacher(server, room)
        students = [await student(server, room, f"s{i}") for i in range(3)]
        for s in students:
            await s.frame(0)
        before = status_of(server, room)
        await inst.send(type="step", n=7)
        frames = [await s.frame(7) for s in [inst, *students]]
        after = status_of(server, room)
        # The room trained 7 epochs once, not once per follower, and encoded one frame for all.
        assert after["epochsTrained"] - before["epochsTrained"] == 7
        assert after["framesEncoded"] - before["framesEncoded"] == 1
        assert after["followers"] == 4
        assert all(f[12:] == frames[0][12:] for f in frames)  # the same bytes, own seq each
        # A follower may read the chain rule of the network on screen, not change it.
        await students[0].send(type="inspect", layer=0, to=1, **{"from": 0})
        seen = await students[0].message("inspection")
        await inst.send(type="inspect", layer=0, to=1, **{"from": 0})
        assert (await inst.message("inspection"))["gradient"] == seen["gradient"]
        assert seen["epoch"] == 7
        await students[0].send(type="step", n=1)
        assert (await students[0].message("error"))["request"] == "step"
        for client in [inst, *students]:
            await client.close()

    asyncio.run(scenario())


def test_fork_copies_weights_exactly(server):
    async def scenario():
        room = new_room(server)
        inst = await teacher(server, room)
        bob = await student(server, room, "Bob")
        await inst.send(type="step", n=10)
        await bob.frame(10)
        await inst.send(type="snapshot")
        original = await inst.message("snapshot")
        await bob.send(type="fork")
        forked = await bob.message("forked")
        for key in ("config", "epoch", "weights", "biases", "dead"):
            assert forked[key] == original[key], key
        await bob.send(type="snapshot")
        assert (await bob.message("snapshot"))["weights"] == original["weights"]
        # The fork is Bob's own: training it leaves the room where it was.
        await bob.send(type="step", n=5)
        await bob.frame(15)
        await inst.send(type="snapshot")
        assert (await inst.message("snapshot"))["epoch"] == 10
        await inst.close()
        await bob.close()

    asyncio.run(scenario())


def test_push_switches_students(server):
    async def scenario():
        room = new_room(server)
        inst = await teacher(server, room)
        kids = [await student(server, room, n) for n in ("Cy", "Di")]
        challenge = {"config": {"dataset": "xor"}, "constraints": {"maxNeurons": 4}}
        await inst.send(type="push", token=room["token"], challenge=challenge)
        for kid in kids:
            pushed = await kid.message("pushed", kind="challenge")
            assert pushed["challenge"]["constraints"] == {"maxNeurons": 4}
            state = await kid.message("state", source="own")
            assert state["config"]["dataset"] == "xor"
        # A bad challenge is refused with the field named, and changes nothing.
        pushed = status_of(server, room)["challenge"]
        bad = {"config": {"dataset": "moons"}}
        await inst.send(type="push", token=room["token"], challenge=bad)
        assert (await inst.message("error", request="push"))["field"] == "dataset"
        assert pushed["constraints"] == {"maxNeurons": 4}
        assert status_of(server, room)["challenge"] == pushed
        # The challenge's constraints hold on the server.
        await kids[0].send(type="config", config={"networkShape": [3, 3]})
        error = await kids[0].message("error", request="config")
        assert error["field"] == "networkShape" and "4 neurons" in error["allowed"]
        await kids[0].send(type="config", config={"networkShape": [3]})
        assert (await kids[0].message("state", source="own"))["config"]["networkShape"] == [3]
        # Pushing the setup gives everyone the instructor's network, weights included.
        await inst.send(type="step", n=3)
        await inst.frame(3)
        await inst.send(type="push", token=room["token"])
        for kid in kids:
            await kid.message("pushed", kind="setup")
            state = await kid.message("state", source="own")
            assert state["config"]["dataset"] == "circle" and state["epoch"] == 3
        for client in [inst, *kids]:
            await client.close()

    asyncio.run(scenario())


def test_gallery_leaderboard_and_spotlight(server):
    async def scenario():
        room = new_room(server)
        inst = await teacher(server, room)
        eve = await student(server, room, "Eve")
        fay = await student(server, room, "Fay")
        challenge = {"config": {"dataset": "circle"}, "constraints": {"maxLayers": 2}}
        await inst.send(type="push", token=room["token"], challenge=challenge)
        await eve.message("pushed")
        await eve.send(type="step", n=20)
        await eve.frame(20)

        def trained(m):
            eve_tile = [s for s in m.get("students", []) if s["name"] == "Eve"]
            return m["type"] == "gallery" and eve_tile and eve_tile[0]["epoch"] == 20

        gallery = await inst.next(lambda m: isinstance(m, dict) and trained(m), "Eve at 20 epochs")
        tiles = {s["name"]: s for s in gallery["students"]}
        assert set(tiles) == {"Eve", "Fay"}
        assert tiles["Eve"]["layers"] == [2, 4, 2, 1]
        assert len(tiles["Eve"]["thumb"]) == 4 * -(-(tiles["Eve"]["size"] ** 2) // 3)
        assert tiles["Eve"]["testLoss"] > 0

        board = await fay.next(lambda m: isinstance(m, dict) and m.get("entries"), "leaderboard")
        assert board["type"] == "leaderboard" and board["entries"][0]["name"] == "Eve"

        await inst.send(type="spotlight", token=room["token"], member=tiles["Eve"]["id"])
        info = await inst.message("room")
        assert info["spotlight"]["name"] == "Eve"
        assert (await eve.message("spotlight"))["on"] is True
        await eve.send(type="step", n=2)
        await inst.frame(22)  # the projector shows Eve's session, not the room's (epoch 0)
        await inst.send(type="spotlight", token=room["token"], member=None)
        await inst.frame(0)
        for client in (inst, eve, fay):
            await client.close()

    asyncio.run(scenario())


def test_locks_are_enforced_by_the_server(server):
    async def scenario():
        room = new_room(server)
        inst = await teacher(server, room)
        gus = await student(server, room, "Gus")
        await gus.send(type="fork")
        await gus.message("forked")
        controls = ["learningRate", "stepButton"]
        await inst.send(type="lock", token=room["token"], controls=controls)
        assert (await gus.message("locks"))["controls"] == sorted(controls)
        await gus.send(type="config", config={"learningRate": 0.3})
        error = await gus.message("error", request="config")
        assert error["field"] == "learningRate" and "locked" in error["allowed"]
        await gus.send(type="step")
        assert (await gus.message("error", request="step"))["field"] == "step"
        # Unchanged locked values and unlocked keys still go through.
        await gus.send(type="config", config={"learningRate": 0.03, "dataset": "gauss"})
        state = await gus.message("state", source="own")
        assert state["config"]["dataset"] == "gauss" and state["config"]["learningRate"] == 0.03
        await inst.send(type="lock", token=room["token"], controls=["nonsense"])
        assert (await inst.message("error", request="lock"))["field"] == "controls"
        await inst.close()
        await gus.close()

    asyncio.run(scenario())


def test_only_the_instructor_token_pushes_spotlights_locks_closes(server):
    async def scenario():
        room = new_room(server)
        inst = await teacher(server, room)
        hal = await student(server, room, "Hal")
        for kind in ("push", "spotlight", "lock", "close"):
            for token in (None, "forged-" + room["token"][7:], room["code"]):
                message = {"type": kind, "member": None, "controls": []}
                if token is not None:
                    message["token"] = token
                await hal.send(**message)
                error = await hal.message("error", request=kind)
                assert error["field"] == "token", error
        # A follower cannot drive the room's network either.
        await hal.send(type="play")
        assert "fork first" in (await hal.message("error", request="play"))["allowed"]
        # Nothing happened: the room is open and unlocked, and Hal still follows it.
        status = status_of(server, room)
        assert status["locks"] == [] and status["challenge"] is None and status["epoch"] == 0
        await inst.send(type="step")
        await hal.frame(1)
        # The instructor's role itself needs the token.
        forged = {"role": "instructor", "code": room["code"], "token": "not-it"}
        intruder = await Client.open(server, forged)
        assert (await intruder.message("error"))["field"] == "token"
        await intruder.ws.wait_closed()
        assert intruder.ws.close_code == 4404
        await inst.close()
        await hal.close()

    asyncio.run(scenario())


def test_closing_a_room_tells_everyone(server):
    async def scenario():
        room = new_room(server)
        inst = await teacher(server, room)
        ivy = await student(server, room, "Ivy")
        await inst.send(type="close", token=room["token"])
        assert (await ivy.message("closed"))["reason"] == "closed by the instructor"
        await ivy.ws.wait_closed()
        code, body = post(server, "/classroom/api/join", {"code": room["code"], "name": "Jo"})
        assert code == 404 and body["field"] == "code"
        await inst.close()

    asyncio.run(scenario())


def test_a_bad_hello_gets_a_named_error_and_4404(server):
    room = new_room(server)

    async def hello(first) -> tuple[dict, int]:
        ws = await websockets.connect(server.url.replace("http", "ws") + "/classroom/ws")
        await ws.send(first)
        error = json.loads(await asyncio.wait_for(ws.recv(), TIMEOUT))
        await ws.wait_closed()
        return error, ws.close_code

    cases = {
        b"\x00\x01": "message",
        "not json": "message",
        json.dumps({"type": "config"}): "type",
        json.dumps({"type": "hello", "role": "boss", "code": room["code"]}): "role",
        json.dumps({"type": "hello", "role": "student", "code": room["code"]}): "member",
    }
    for first, field in cases.items():
        error, code = asyncio.run(hello(first))
        assert (error["type"], error["field"], code) == ("error", field, 4404), first


def test_a_second_tab_takes_over_and_the_first_is_told(server):
    async def scenario():
        room = new_room(server)
        member = join(server, room, "Kim")
        hello = {"role": "student", "code": room["code"], "member": member["memberToken"]}
        first = await Client.open(server, hello)
        await first.message("room")
        await first.send(type="fork")
        await first.message("forked")
        await first.send(type="follow")
        second = await Client.open(server, hello)
        # The new tab follows, as Kim last chose; the old one is told why it stops.
        assert (await second.message("room"))["mode"] == "follow"
        assert "another tab" in (await first.message("closed"))["reason"]
        await first.ws.wait_closed()
        await second.close()

    asyncio.run(scenario())


def test_a_student_goes_back_to_their_own_network_after_following(server):
    async def scenario():
        room = new_room(server)
        inst = await teacher(server, room)
        member = join(server, room, "Kim")
        hello = {"role": "student", "code": room["code"], "member": member["memberToken"]}
        kim = await Client.open(server, hello)
        assert (await kim.message("room", role="student"))["own"] is None
        await kim.send(type="resume")
        assert (await kim.message("error"))["field"] == "resume"  # nothing of their own yet
        await kim.send(type="fork")
        await kim.message("forked")
        await kim.send(type="step", n=5)
        await kim.frame(5)
        await kim.send(type="follow")
        await inst.send(type="step", n=2)
        await kim.frame(2)  # the room's network again
        # A reload while following: the room message says what is kept.
        again = await Client.open(server, hello)
        info = await again.message("room", role="student")
        assert (info["mode"], info["own"]) == ("follow", {"epoch": 5})
        await again.send(type="resume")
        state = await again.message("state", source="own")
        assert state["epoch"] == 5  # the work as it was, not a new copy of the room's
        await again.frame(5)
        for client in (inst, kim, again):
            await client.close()

    asyncio.run(scenario())


def test_a_student_who_joins_after_a_push_takes_the_challenge(server):
    async def scenario():
        room = new_room(server)
        inst = await teacher(server, room)
        late = await student(server, room, "Lou")
        await late.send(type="take_challenge")
        assert (await late.message("error"))["field"] == "take_challenge"  # none runs yet
        challenge = {"config": {"dataset": "xor", "networkShape": [3]}, "constraints": {}}
        await inst.send(type="push", token=room["token"], challenge=challenge)
        await inst.message("pushed", kind="challenge")
        later = await student(server, room, "Max")
        await later.send(type="take_challenge")
        state = await later.message("state", source="own")
        got = (state["config"]["dataset"], state["layers"], state["epoch"])
        assert got == ("xor", [2, 3, 1], 0)
        for client in (inst, late, later):
            await client.close()

    asyncio.run(scenario())
