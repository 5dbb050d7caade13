"""The /ws protocol against a real server: handshake, step, play, pause, reset, edits, focus."""

from __future__ import annotations

import asyncio

import numpy as np
import websockets
from frames import Client, Frame, deadline, dequantise

SEED = {"seed": "0.12345"}


def run(coro):
    return asyncio.run(coro)


async def connect(url: str, **kwargs) -> tuple[Client, object]:
    ws = await websockets.connect(url, max_size=2**22, **kwargs)
    return Client(ws), ws


async def seeded(ws) -> Client:
    """A client past the opening messages, on the seeded config, its `state` received."""
    client = Client(ws)
    await client.ready()
    await client.send(type="config", config=SEED)
    await client.until("state")
    return client


async def assert_nothing_more(client: Client) -> None:
    """Nothing else arrives within half a second."""
    try:
        extra = await client.next(timeout=0.5)
    except TimeoutError:
        extra = None
    assert extra is None


def test_handshake_sends_state_data_and_a_frame(server):
    async def go():
        async with websockets.connect(server.ws_url) as ws:
            client = Client(ws)
            state = await client.next()
            assert state["type"] == "state"
            assert state["protocol"] == 1
            assert state["epoch"] == 0 and state["playing"] is False
            assert state["speed"] == 60 and state["fps"] == 30
            assert state["layers"] == [2, 4, 2, 1] and state["inputs"] == ["x", "y"]
            assert state["config"]["dataset"] == "circle"
            assert state["limits"]["maxHiddenLayers"] == 6 and state["limits"]["maxNeurons"] == 8
            data = await client.next()
            assert data["type"] == "data"
            assert len(data["train"]) == 250 and len(data["test"]) == 250
            frame = await client.next()
            assert isinstance(frame, Frame) and frame.seq == 1 and frame.epoch == 0

    run(go())


def test_step_answers_with_exactly_one_frame_of_the_documented_layout(server):
    async def go():
        async with websockets.connect(server.ws_url) as ws:
            client = await seeded(ws)
            first = await client.frame()
            await client.ack(first)
            await client.send(type="step", n=5)
            frame = await client.frame()
            assert frame.seq == first.seq + 1
            assert frame.epoch == 5 and not frame.playing and not frame.diverged
            assert frame.layers == [2, 4, 2, 1]
            assert frame.grid_size == 100 and frame.thumb_size == 10 and frame.focus == -1
            assert frame.history[:, 0].tolist() == [1, 2, 3, 4, 5]
            assert np.isclose(frame.history[-1, 1], frame.train_loss, rtol=1e-6)
            assert np.isclose(frame.history[-1, 2], frame.test_loss, rtol=1e-6)
            assert [w.shape for w in frame.weights] == [(4, 2), (2, 4), (1, 2)]
            assert [b.shape for b in frame.biases] == [(4,), (2,), (1,)]
            assert all(d.max() == 0 for d in frame.dead)
            assert frame.thumbs.shape == (9, 10, 10)
            # The x1 input's thumbnail is x, clamped to [-1, 1], across each row, the same
            # down each column.
            x1 = dequantise(frame.thumbs[0])
            assert np.allclose(x1[0], np.clip(np.linspace(-6, 6, 10), -1, 1), atol=0.01)
            assert np.allclose(x1, x1[0], atol=0.01)
            # The output grid is tanh-valued (255 would be NaN) and the circle's centre is
            # positive: in the data, and already in the output after these 5 epochs.
            assert frame.grid.max() <= 254
            train = np.array(client.data["train"])
            assert set(train[np.hypot(train[:, 0], train[:, 1]) < 2, 2]) == {1.0}
            assert (dequantise(frame.grid)[49:51, 49:51] > 0).all()
            # Nothing more comes: the step is answered once.
            await client.ack(frame)
            await assert_nothing_more(client)

    run(go())


def test_play_streams_frames_until_circle_is_learned_then_pause_stops(server):
    async def go():
        async with websockets.connect(server.ws_url) as ws:
            client = await seeded(ws)
            await client.send(type="speed", eps="max")
            await client.send(type="play")
            await client.state_with(playing=True, speed="max")
            epochs: list[float] = []
            frame = await client.frame()
            async with deadline(60, "the circle's test loss to fall below 0.05") as seen:
                while frame.test_loss >= 0.05:
                    assert frame.playing
                    epochs += frame.history[:, 0].tolist()
                    await client.ack(frame)
                    frame = await client.frame(timeout=20)
                    seen.update(epoch=frame.epoch, test_loss=frame.test_loss)
            epochs += frame.history[:, 0].tolist()
            # Every epoch reached the chart, in order, none twice.
            assert epochs == list(range(1, int(frame.epoch) + 1))
            await client.ack(frame)
            await client.send(type="pause")
            await client.state_with(playing=False)
            last = await client.frame()
            assert not last.playing
            await client.ack(last)
            await assert_nothing_more(client)

    run(go())


def test_reset_and_regenerate(server):
    async def go():
        async with websockets.connect(server.ws_url) as ws:
            client = await seeded(ws)
            await client.ack(await client.frame())
            trained = await client.step(20)
            await client.send(type="reset")
            fresh = await client.frame()
            await client.ack(fresh)
            assert trained.epoch == 20 and fresh.epoch == 0 and client.state["epoch"] == 0
            assert not np.allclose(fresh.weights[0], trained.weights[0])
            points = client.data["train"]
            await client.send(type="regenerate")
            state = await client.until("state")
            assert state["config"]["seed"] != "0.12345"
            data = await client.until("data")
            assert data["train"] != points
            frame = await client.frame()
            assert frame.epoch == 0
            assert np.allclose(frame.weights[0], fresh.weights[0])

    run(go())


def test_set_weight_changes_the_next_frame(server):
    async def go():
        async with websockets.connect(server.ws_url) as ws:
            client = Client(ws)
            await client.ready()
            await client.send(type="set_weight", layer=0, to=1, **{"from": 0}, value=2.5)
            frame = await client.frame()
            assert frame.weights[0][1, 0] == 2.5
            await client.ack(frame)
            await client.send(type="set_weight", layer=2, to=0, bias=True, value=-0.75)
            frame = await client.frame()
            assert frame.biases[2][0] == -0.75
            assert frame.weights[0][1, 0] == 2.5

    run(go())


def test_focus_fps_and_config_rebuild(server):
    async def go():
        async with websockets.connect(server.ws_url) as ws:
            client = Client(ws)
            await client.ready()
            await client.send(type="focus", node=0)
            state = await client.until("state")
            assert state["focus"] == 0
            frame = await client.frame()
            assert frame.focus == 0
            x1 = dequantise(frame.grid)
            assert np.allclose(x1[0], np.clip(np.linspace(-6, 6, 100), -1, 1), atol=0.01)
            await client.ack(frame)
            await client.send(type="fps", fps=10)
            assert (await client.until("state"))["fps"] == 10
            await client.send(type="config", config={"networkShape": [3], "xSquared": True})
            state = await client.until("state")
            assert state["layers"] == [3, 3, 1]
            assert state["inputs"] == ["x", "y", "xSquared"]
            frame = await client.frame()
            assert frame.layers == [3, 3, 1] and frame.thumbs.shape == (7, 10, 10)

    run(go())


def test_divergence_pauses_and_sends_no_nan(server):
    async def go():
        async with websockets.connect(server.ws_url) as ws:
            client = Client(ws)
            await client.ready()
            config = {"activation": "relu", "learningRate": 10, "problem": "regression"}
            await client.send(type="config", config={**SEED, **config})
            await client.until("state")
            await client.ack(await client.frame())
            await client.send(type="speed", eps="max")
            await client.send(type="play")
            async with deadline(30, "relu at learning rate 10 to diverge") as seen:
                await watch_until_diverged(client, seen)
            await client.send(type="play")
            error = await client.until("error")
            assert error["request"] == "play"

    run(go())


async def watch_until_diverged(client: Client, seen: dict) -> None:
    while True:
        item = await client.next()
        if isinstance(item, Frame):
            seen.update(epoch=item.epoch, train_loss=item.train_loss)
            assert np.isfinite([item.train_loss, item.test_loss]).all()
            assert np.isfinite(item.history).all()
            assert all(np.isfinite(w).all() for w in item.weights)
            await client.ack(item)
        elif item["type"] == "state" and item["diverged"]:
            assert item["playing"] is False
            return


def test_restore_takes_the_parameters_and_trains_on_identically(server):
    async def go():
        async with websockets.connect(server.ws_url) as a, websockets.connect(server.ws_url) as b:
            first, second = Client(a), Client(b)
            await first.ready()
            await second.ready()
            config = {**SEED, "networkShape": [3, 2], "regularization": "L1"}
            config["regularizationRate"] = 0.01
            await first.send(type="config", config=config)
            await first.until("state")
            await first.ack(await first.frame())
            saved = await first.step(7)
            await second.send(
                type="restore",
                config=first.state["config"],
                epoch=saved.epoch,
                weights=[w.astype(float).tolist() for w in saved.weights],
                biases=[b.astype(float).tolist() for b in saved.biases],
                dead=[d.astype(bool).tolist() for d in saved.dead],
            )
            state = await second.state_with(epoch=7)
            assert state["config"] == first.state["config"] and state["layers"] == [2, 3, 2, 1]
            restored = await second.frame()
            await second.ack(restored)
            assert restored.epoch == 7
            pairs = zip(restored.weights, saved.weights, strict=True)
            assert all(np.array_equal(x, y) for x, y in pairs)
            # Frames carry the parameters in float64, so the restored run is the same run: both
            # train on to exactly the same weights and losses.
            ours, theirs = await first.step(3), await second.step(3)
            assert ours.epoch == theirs.epoch == 10
            assert (ours.train_loss, ours.test_loss) == (theirs.train_loss, theirs.test_loss)
            ours_parts, theirs_parts = ours.weights + ours.biases, theirs.weights + theirs.biases
            assert all(map(np.array_equal, ours_parts, theirs_parts))

    run(go())
