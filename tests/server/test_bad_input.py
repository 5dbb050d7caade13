"""Every class of bad input gets a structured error, and the session keeps working afterwards."""

from __future__ import annotations

import asyncio
import json

import pytest
import websockets
from frames import Client

BAD_MESSAGES = [
    # (raw text, field named in the error, request named in the error)
    ("{not json", "message", None),
    ("[1, 2]", "message", None),
    ('{"type": 5}', "type", None),
    ('{"type": "explode"}', "type", "explode"),
    ('{"type": "step", "n": NaN}', "message", None),
    ('{"type": "step", "n": Infinity}', "message", None),
    ('{"type": "set_weight", "layer": 0, "to": 0, "from": 0, "value": 1e400}', "message", None),
    ('{"type": "step", "n": "three"}', "n", "step"),
    ('{"type": "step", "n": 5000}', "n", "step"),
    ('{"type": "step", "n": true}', "n", "step"),
    ('{"type": "set_weight", "layer": 0, "to": 0, "from": 0}', "value", "set_weight"),
    ('{"type": "set_weight", "layer": 0, "to": 9, "from": 0, "value": 1}', "to", "set_weight"),
    ('{"type": "config"}', "config", "config"),
    ('{"type": "config", "config": []}', "config", "config"),
    ('{"type": "config", "config": {"learningRate": -1}}', "learningRate", "config"),
    ('{"type": "config", "config": {"learningRate": "fast"}}', "learningRate", "config"),
    ('{"type": "config", "config": {"activation": "swish"}}', "activation", "config"),
    ('{"type": "config", "config": {"networkShape": [1,1,1,1,1,1,1]}}', "networkShape", "config"),
    ('{"type": "config", "config": {"networkShape": [9]}}', "networkShape", "config"),
    ('{"type": "config", "config": {"bogus": 1}}', "bogus", "config"),
    # Data keys are applied off the event loop; their refusals must still come back.
    ('{"type": "config", "config": {"dataset": "moons"}}', "dataset", "config"),
    ('{"type": "config", "config": {"noise": -5, "seed": "0.1"}}', "noise", "config"),
    ('{"type": "config", "config": {"noise": 80}}', "noise", "config"),
    ('{"type": "config", "config": {"x": false, "y": false}}', None, "config"),
    ('{"type": "speed", "eps": 0}', "eps", "speed"),
    ('{"type": "speed", "eps": "fast"}', "eps", "speed"),
    ('{"type": "fps", "fps": 1000}', "fps", "fps"),
    ('{"type": "focus", "node": 99}', "node", "focus"),
    ('{"type": "ack", "seq": 77}', "seq", "ack"),
    (
        '{"type": "restore", "config": {}, "epoch": 3, "weights": [[1]], "biases": []}',
        None,
        "restore",
    ),
]


async def expect_error(client: Client, text: str | bytes) -> dict:
    await client.ws.send(text)
    error = await client.until("error")
    assert set(error) == {"type", "request", "field", "value", "allowed", "message"}
    assert error["allowed"] and error["message"]
    json.dumps(error, allow_nan=False)
    return error


async def still_works(client: Client, layers: list[int]) -> None:
    frame = await client.step()
    assert frame.layers == layers
    await client.send(type="fps", fps=30)
    state = await client.until("state")
    assert state["layers"] == layers and state["config"]["learningRate"] == 0.03


@pytest.mark.parametrize("text, field, kind", BAD_MESSAGES)
def test_bad_message_gets_an_error_and_the_session_keeps_its_config(server, text, field, kind):
    async def go():
        async with websockets.connect(server.ws_url) as ws:
            client = Client(ws)
            await client.ready()
            error = await expect_error(client, text)
            if field is not None:
                assert error["field"] == field
            assert error["request"] == kind
            await still_works(client, [2, 4, 2, 1])

    asyncio.run(go())


def test_binary_and_oversized_messages_get_errors(server):
    async def go():
        async with websockets.connect(server.ws_url, max_size=2**22) as ws:
            client = Client(ws)
            await client.ready()
            error = await expect_error(client, b"\x00\x01binary")
            assert error["field"] == "message" and "binary" in error["value"]
            big = json.dumps({"type": "step", "pad": "x" * 70000})
            error = await expect_error(client, big)
            assert error["field"] == "message" and "65536" in error["allowed"]
            await still_works(client, [2, 4, 2, 1])
            # Past the transport's hard cap the connection is closed.
            await ws.send("x" * 300_000)
            with pytest.raises(websockets.ConnectionClosed) as closed:
                await client.until("never")
            assert closed.value.rcvd.code == 1009

    asyncio.run(go())


def test_a_flood_is_closed_with_1008(make_server):
    server = make_server(max_messages_per_second=20, message_burst=10)

    async def go():
        async with websockets.connect(server.ws_url) as ws:
            client = Client(ws)
            await client.ready()
            with pytest.raises(websockets.ConnectionClosed) as closed:
                for _ in range(500):
                    await ws.send('{"type": "fps", "fps": 30}')
                await client.until("never")
            assert closed.value.rcvd.code == 1008
            assert "flooding" in closed.value.rcvd.reason
        # Other connections are not affected.
        async with websockets.connect(server.ws_url) as ws:
            await Client(ws).ready()

    asyncio.run(go())


def test_wrong_origin_is_refused_and_the_right_one_accepted(server):
    async def go():
        evil = websockets.connect(server.ws_url, origin="http://evil.example")
        async with evil as ws:
            with pytest.raises(websockets.ConnectionClosed) as closed:
                await ws.recv()
            assert closed.value.rcvd.code == 1008
            assert "origin" in closed.value.rcvd.reason
        own = websockets.connect(server.ws_url, origin=f"http://127.0.0.1:{server.port}")
        async with own as ws:
            await Client(ws).ready()

    asyncio.run(go())


def test_connection_limits_and_idle_timeout(make_server):
    server = make_server(max_connections_per_ip=2, idle_timeout_s=1)

    async def go():
        async with websockets.connect(server.ws_url) as a, websockets.connect(server.ws_url) as b:
            await Client(a).ready()
            await Client(b).ready()
            async with websockets.connect(server.ws_url) as c:
                with pytest.raises(websockets.ConnectionClosed) as closed:
                    await c.recv()
                assert closed.value.rcvd.code == 1008
            # Silent for the idle timeout: closed.
            with pytest.raises(websockets.ConnectionClosed) as closed:
                await Client(a).until("never", timeout=10)
            assert closed.value.rcvd.code == 1000 and "idle" in closed.value.rcvd.reason

    asyncio.run(go())


def test_limits_come_from_settings(make_server):
    server = make_server(max_hidden_layers=2, max_neurons=3, max_train_points=300)

    async def go():
        async with websockets.connect(server.ws_url) as ws:
            client = Client(ws)
            await client.ready()
            limits = client.state["limits"]
            assert (limits["maxHiddenLayers"], limits["maxNeurons"]) == (2, 3)
            for config, field in [
                ({"networkShape": [1, 1, 1]}, "networkShape"),
                ({"networkShape": [4]}, "networkShape"),
                ({"percTrainData": 90}, "percTrainData"),
            ]:
                error = await expect_error(client, json.dumps({"type": "config", "config": config}))
                assert error["field"] == field
            await client.send(type="config", config={"networkShape": [3, 3], "percTrainData": 60})
            state = await client.until("state")
            assert state["layers"] == [2, 3, 3, 1]

    asyncio.run(go())
