"""One client's outlet in-process: one unacknowledged frame, the newest wins, the fps clock, and
an outbox that stays small however long the client does not read."""

from __future__ import annotations

import asyncio
import json

import numpy as np
import pytest
from frames import decode

from server.core.offload import Offload
from server.core.outlet import MAX_PENDING_ERRORS, MAX_PENDING_MESSAGES, ClientOutlet
from server.core.protocol import ProtocolError
from server.core.session import Session
from server.settings import Settings


def run(coro):
    return asyncio.run(coro)


async def new_outlet(**settings) -> ClientOutlet:
    settings = Settings(engine_workers=0, **settings)
    session = await Session.create(settings, Offload(1), {"seed": "0.12345"})
    return ClientOutlet(session, settings)


async def train(outlet: ClientOutlet, n: int = 1) -> None:
    await outlet.session.request_steps(n)
    assert outlet.session.train_here(n) == n


async def pending(outlet: ClientOutlet) -> list[str | bytes]:
    """Everything the send loop would send now, in order (without waiting for more)."""
    items = []
    while outlet.outbox or outlet.frame is not None:
        items.append(await outlet.next_outgoing())
    return items


def test_json_goes_first_then_the_frame():
    async def go():
        outlet = await new_outlet()
        assert outlet.frame_due(0.0)  # the first frame goes at once
        outlet.make_frame(0.0)
        state, data, frame = await pending(outlet)
        assert json.loads(state)["type"] == "state" and json.loads(data)["type"] == "data"
        assert decode(frame).seq == 1

    run(go())


def test_at_most_one_frame_is_unacknowledged():
    async def go():
        outlet = await new_outlet()
        outlet.make_frame(0.0)
        await pending(outlet)
        await train(outlet)
        assert not outlet.frame_due(10.0)  # changed, and long due, but frame 1 is not acked
        assert outlet.next_due(10.0) is None  # nothing to wake up for until a message comes
        with pytest.raises(ProtocolError) as refused:
            outlet.ack(2)
        assert refused.value.field == "seq" and "1" in refused.value.allowed
        outlet.ack(1)
        assert outlet.frame_due(10.0)
        with pytest.raises(ProtocolError):
            outlet.ack(1)  # once only

    run(go())


def test_the_newest_frame_wins_while_the_client_does_not_read():
    async def go():
        outlet = await new_outlet()
        outlet.make_frame(0.0)
        await pending(outlet)  # frame 1 is being sent, and the send stalls there
        for now in (1.0, 2.0, 3.0):
            outlet.ack(outlet.seq)  # a client that acks blindly
            await train(outlet)
            outlet.make_frame(now)
        (frame,) = await pending(outlet)  # one frame waits: the newest
        assert (decode(frame).seq, decode(frame).epoch) == (4, 3)

    run(go())


def test_a_change_replaces_the_unsent_frame_under_its_number_with_its_loss_points():
    async def go():
        outlet = await new_outlet()
        outlet.make_frame(0.0)
        await pending(outlet)
        outlet.ack(1)
        await train(outlet, 2)
        outlet.make_frame(1.0)  # frame 2, epochs 1 and 2, not sent yet
        await outlet.session.set_weight(0, 0, 0, 0.5)
        outlet.want_frame()
        assert outlet.frame is None and outlet.frame_due(1.0)
        outlet.make_frame(1.0)
        (raw,) = await pending(outlet)
        frame = decode(raw)
        assert frame.seq == 2 and frame.weights[0][0, 0] == 0.5
        assert frame.history[:, 0].tolist() == [1, 2]  # the dropped frame's points come along

    run(go())


def test_frames_follow_the_fps_clock_and_only_when_something_changed():
    async def go():
        outlet = await new_outlet()
        outlet.fps = 8  # 1/8 s apart: exact in binary
        outlet.make_frame(0.0)
        await pending(outlet)
        outlet.ack(outlet.seq)
        assert not outlet.frame_due(5.0)  # nothing new to show
        await train(outlet)
        # 1/fps apart on average: a frame made late lets the next come early, but never closer
        # than half an interval.
        for due, made in ((0.0625, 0.0625), (0.1875, 0.25), (0.3125, 0.3125)):
            assert outlet.next_due(0.0) == due
            assert not outlet.frame_due(due - 0.001) and outlet.frame_due(due)
            outlet.make_frame(made)
            outlet.ack(outlet.seq)
            await train(outlet)
        outlet.want_frame()  # a change the client should see soon: no waiting for the clock
        assert outlet.frame_due(0.32)

    run(go())


def test_newer_state_and_data_replace_unsent_ones():
    async def go():
        outlet = await new_outlet()
        for fps in range(1, 61):
            outlet.fps = fps
            outlet.sync(force_state=True)
        await outlet.session.regenerate()
        await outlet.session.regenerate()
        outlet.sync()
        state, data = await pending(outlet)
        assert json.loads(state)["fps"] == 60
        points = np.array(json.loads(data)["train"])
        assert np.array_equal(points, outlet.session.snapshot.train_points)

    run(go())


def test_errors_beyond_a_few_are_dropped_and_counted():
    async def go():
        outlet = await new_outlet()
        for i in range(MAX_PENDING_ERRORS + 12):
            outlet.send({"type": "error", "field": "n", "value": i})
        sent = [json.loads(text)["value"] for text in await pending(outlet)]
        assert sent == list(range(MAX_PENDING_ERRORS)) and outlet.errors_dropped == 12
        assert outlet.close_reason is None

    run(go())


def test_a_client_that_asks_for_more_answers_than_it_reads_is_closed():
    async def go():
        outlet = await new_outlet()
        for i in range(MAX_PENDING_MESSAGES):
            outlet.send({"type": "snapshot", "i": i})
        assert outlet.close_reason is None
        outlet.send({"type": "snapshot", "i": MAX_PENDING_MESSAGES})
        assert f"more than {MAX_PENDING_MESSAGES} unread" in outlet.close_reason
        assert len(outlet.outbox) == MAX_PENDING_MESSAGES
        assert await outlet.next_outgoing() is None  # close now
        assert not outlet.frame_due(0.0)

    run(go())
