"""Two server processes sharing rooms through a real redis-server."""

from __future__ import annotations

import asyncio
import json
import re
import signal
import urllib.request

import pytest
import redis
import websockets
from room_client import Client, get, header, join, seated, teacher
from room_client import new_room as create

pytestmark = pytest.mark.timeout(90)
LIMITS = {
    "room_creations_per_minute": 100,
    "join_attempts_per_minute": 100,
    "max_rooms_per_ip": 100,
}


@pytest.fixture
def pair(redis_server, make_server):
    """Two processes on one Redis: `home` creates the rooms, `other` is any other process."""
    settings = {"redis_url": redis_server.url, "engine_workers": 0, **LIMITS}
    return make_server(**settings), make_server(**settings)


def test_a_room_homed_in_one_process_is_used_whole_from_the_other(pair):
    home, other = pair
    room = create(home)
    ana, ben = join(other, room, "Ana"), join(home, room, "Ana")
    assert ben["name"] == "Ana (2)"  # one room, wherever the join arrived

    async def scenario():
        inst = await teacher(other, room)  # drives the room from the process it does not live in
        near, far = await seated(home, room, ben), await seated(other, room, ana)
        try:
            await inst.send(type="config", config={"seed": "0.12345", "networkShape": [3]})
            await inst.send(type="step", n=4)
            for client in (inst, near, far):  # frames of the room reach both processes
                assert header(await client.frame(4))["layers"] == 3
            await inst.send(type="push", token=room["token"], challenge={"config": {"x": "no"}})
            error = await inst.message("error")  # refused at the home, told here
            assert error["request"] == "push" and error["field"] == "x"
            await far.send(type="fork")
            forked = await far.message("forked")
            assert forked["epoch"] == 4 and forked["config"]["networkShape"] == [3]
            await far.send(type="step", n=2)
            assert header(await far.frame(6))["epoch"] == 6  # its own session, at the home
            await inst.send(type="lock", token=room["token"], controls=["learningRate"])
            await far.message("locks", controls=["learningRate"])
            await far.send(type="config", config={"learningRate": 1})
            assert (await far.message("error"))["field"] == "learningRate"
            tiles = await inst.message("gallery")
            assert {t["name"] for t in tiles["students"]} == {"Ana", "Ana (2)"}
            far_id = next(t["id"] for t in tiles["students"] if t["name"] == "Ana")
            await inst.send(type="spotlight", token=room["token"], member=far_id)
            await far.message("spotlight", on=True)
            await inst.frame(6)  # the instructor's page shows her session now
        finally:
            for client in (inst, near, far):
                await client.close()

    asyncio.run(scenario())
    headers = {"x-room-token": room["token"]}
    status, body = get(other, f"/classroom/api/rooms/{room['code']}", headers)
    assert status == 200 and body["members"] == 2 and body["epoch"] == 4
    assert get(other, f"/classroom/api/rooms/{room['code']}")[0] == 403


def test_a_room_goes_on_when_its_home_process_is_killed(pair):
    """Three followers on the other process see the room go on, from at most 2 s back."""
    home, other = pair
    room = create(home)
    members = [join(other, room, f"Follower {i}") for i in range(3)]
    speed = 60  # epochs a second, the room's default

    async def scenario():
        inst = await teacher(home, room)
        await inst.send(type="config", config={"seed": "0.12345"})
        await inst.send(type="play")
        followers = [await seated(other, room, m) for m in members]
        try:
            for f in followers:
                await f.next(lambda m: isinstance(m, bytes) and header(m)["epoch"] > 2 * speed)
            before = [
                header(await f.next(lambda m: isinstance(m, bytes)))["epoch"] for f in followers
            ]
            home.proc.kill()  # SIGKILL: no goodbye, no handing over
            return before, [
                await epochs_until_past(f, b) for f, b in zip(followers, before, strict=True)
            ]
        finally:
            for client in followers:
                await client.close()
            await inst.close()

    before, epochs = asyncio.run(scenario())
    for last, seen in zip(before, epochs, strict=True):
        assert seen[-1] > last  # the room trains on, in the other process now
        assert min(seen) >= last - 2 * speed, (last, seen)  # from at most 2 s back
    state = json.loads(
        redis.Redis.from_url(other.env["PLAYGROUND_REDIS_URL"]).get(f"room:{room['code']}:state")
    )
    assert state["code"] == room["code"] and state["playing"] is True


async def epochs_until_past(client: Client, epoch: int) -> list[int]:
    """The epochs of the frames a follower gets until one is past `epoch`."""
    seen: list[int] = []

    def past(message) -> bool:
        if isinstance(message, bytes):
            seen.append(header(message)["epoch"])
            return seen[-1] > epoch
        return False

    await client.next(past)
    return seen


def test_a_home_that_was_frozen_gives_its_room_up_to_the_process_that_adopted_it(pair):
    """SIGSTOP the home past its expiry: the other process adopts the room; SIGCONT: the old
    home's copy stops (its connections are told), and followers see one room, not two."""
    home, other = pair
    room = create(home)
    member = join(other, room, "Follower")

    async def scenario():
        inst = await teacher(home, room)
        await inst.send(type="config", config={"seed": "0.12345"})
        await inst.send(type="play")
        follower = await seated(other, room, member)
        try:
            await follower.next(lambda m: isinstance(m, bytes) and header(m)["epoch"] > 120)
            home.proc.send_signal(signal.SIGSTOP)
            try:
                last = header(await follower.next(lambda m: isinstance(m, bytes)))["epoch"]
                await epochs_until_past(follower, last + 60)  # adopted: it trains on
            finally:
                home.proc.send_signal(signal.SIGCONT)
            with pytest.raises(websockets.ConnectionClosed) as closed:  # the old copy stops
                await inst.message("never")
            assert "another server" in closed.value.rcvd.reason  # the page says so, reconnects
            seen = await epochs_until_past(follower, last + 300)
            return seen
        finally:
            await follower.close()
            await inst.close()

    seen = asyncio.run(scenario())
    tail = seen[len(seen) // 2 :]
    assert tail == sorted(tail), tail  # one copy publishes: epochs never go back


def test_a_student_arriving_while_the_home_does_not_answer_is_told_to_try_again(pair):
    """The home frozen (SIGSTOP): a hello on the other process waits for it in vain and is
    refused as busy, with close code 1013, which a page retries (4404 would end its retries).
    Once the room is adopted, the same hello is answered."""
    home, other = pair
    room = create(home)
    member = join(other, room, "Late")
    hello = {"role": "student", "code": room["code"], "member": member["memberToken"]}

    def answered(message) -> bool:
        return isinstance(message, dict) and message["type"] in ("room", "error")

    async def scenario():
        home.proc.send_signal(signal.SIGSTOP)
        try:
            late = await Client.open(other, hello)
            refused = await late.next(answered)
            await late.ws.wait_closed()
            assert refused["type"] == "error" and "answer" in refused["allowed"], refused
            assert late.ws.close_code == 1013, late.ws.close_reason
            async with asyncio.timeout(30):  # the page's retries, until the room is adopted
                while True:
                    again = await Client.open(other, hello)
                    first = await again.next(answered)
                    if first["type"] == "room":
                        await again.close()
                        return
                    await again.ws.wait_closed()
                    assert again.ws.close_code == 1013, first
        finally:
            home.proc.send_signal(signal.SIGCONT)

    asyncio.run(scenario())


def test_with_redis_readiness_needs_redis_and_metrics_name_the_process(redis_server, make_server):
    server = make_server(redis_url=redis_server.url, engine_workers=0)
    status, ready = get(server, "/readyz")
    assert status == 200 and ready["redis"] is True
    with urllib.request.urlopen(server.url + "/metrics", timeout=10) as response:
        text = response.read().decode()
    samples = [line for line in text.splitlines() if line and not line.startswith("#")]
    assert samples and all('process="' in line for line in samples)
    assert re.search(r'^playground_sessions\{process="[0-9a-f]+"\} 0$', text, re.M)
    assert re.search(r'_bucket\{le="0\.1",process="[0-9a-f]+"\} \d+$', text, re.M)
    assert re.search(
        r'^playground_redis_dropped_messages_total\{process="[0-9a-f]+"\} 0$', text, re.M
    )
    redis_server.stop()
    status, ready = get(server, "/readyz")
    assert status == 503 and ready["redis"] is False and "Redis" in ready["reason"]
    with urllib.request.urlopen(server.url + "/healthz", timeout=10) as response:
        assert response.read() == b"ok"  # alive all the same


def test_the_course_wide_session_limit_counts_every_process(redis_server, make_server):
    """max_cluster_sessions 2: one page on each process, then a third anywhere is told 'full'."""
    settings = {"redis_url": redis_server.url, "engine_workers": 0, "max_cluster_sessions": 2}
    home, other = make_server(**settings), make_server(**settings)

    async def scenario():
        loop = asyncio.get_running_loop()
        first = await websockets.connect(home.ws_url)
        second = await websockets.connect(other.ws_url)
        try:
            await first.recv()  # each has its session
            await second.recv()
            deadline = loop.time() + 10
            while True:  # until the counts of the last heartbeat say the course is full
                async with websockets.connect(home.ws_url) as third:
                    try:
                        await asyncio.wait_for(third.recv(), 5)
                    except websockets.ConnectionClosed as exc:
                        assert exc.rcvd is not None and exc.rcvd.code == 1013
                        return exc.rcvd.reason
                assert loop.time() < deadline, "the course never counted as full"
        finally:
            await first.close()
            await second.close()

    assert "server full" in asyncio.run(scenario())
