"""New sessions at a steady pace: pacing in-process, then a real server told of a crowd."""

from __future__ import annotations

import asyncio
import json

import pytest
import websockets

from server.core.admission import Admission

pytestmark = pytest.mark.timeout(60)


def test_a_burst_starts_at_once_then_the_rest_wait_in_order():
    gate = Admission(rate=10, burst=3, most_waiting=5)
    waits = [gate.reserve(now=100.0) for _ in range(9)]
    assert waits[:3] == [0.0, 0.0, 0.0]
    assert waits[3:8] == pytest.approx([0.1, 0.2, 0.3, 0.4, 0.5])
    assert waits[8] is None  # a sixth waiting one is refused, not queued without end
    assert gate.reserve(now=101.0) == 0.0  # once the crowd has passed, at once again


def test_no_pacing_when_the_rate_is_zero():
    gate = Admission(rate=0, burst=1, most_waiting=0)
    assert [gate.reserve(now=1.0) for _ in range(100)] == [0.0] * 100


def test_a_crowd_is_told_its_wait_and_every_page_gets_its_session(make_server):
    server = make_server(
        admissions_per_second=20,
        admission_burst=2,
        max_admission_queue=40,
        max_connections_per_ip=40,
        engine_workers=0,
    )

    async def open_one() -> tuple[list[str], float]:
        loop = asyncio.get_running_loop()
        start = loop.time()
        async with websockets.connect(server.ws_url) as ws:
            kinds = []
            while "state" not in kinds:
                raw = await asyncio.wait_for(ws.recv(), 20)
                if isinstance(raw, str):
                    message = json.loads(raw)
                    kinds.append(message["type"])
                    if message["type"] == "queued":
                        assert message["waitS"] >= 0.5
            return kinds, loop.time() - start

    async def crowd():
        return await asyncio.gather(*(open_one() for _ in range(24)))

    results = asyncio.run(crowd())
    told = [kinds for kinds, _ in results if kinds[0] == "queued"]
    assert len(told) >= 10  # the later ones heard how long they would wait
    assert all(kinds[-1] == "state" for kinds, _ in results)  # and every one got its session
    assert max(seconds for _, seconds in results) >= 1.0  # 24 at 20 a second after 2: paced
