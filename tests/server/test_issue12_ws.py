"""Issue 12 over /ws against a real server: K classes, losses and optimizers, metrics in frames,
stop conditions, replay, own points (drawn and uploaded), model files and the Python script."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys

import numpy as np
import websockets
from frames import Client, deadline

SEED = {"seed": "0.12345"}
THREE = {**SEED, "classes": 3, "dataset": "gauss", "loss": "crossEntropy", "optimizer": "adam"}


def run(coro):
    return asyncio.run(coro)


async def opened(ws, config: dict) -> Client:
    """A client past the opening messages, on `config`, its new state and first frame acked."""
    client = Client(ws)
    await client.ready()
    await client.send(type="config", config=config)
    await client.until("state")
    await client.ack(await client.frame())
    return client


def connect(server):
    return websockets.connect(server.ws_url, max_size=2**22)


def test_three_classes_train_with_softmax_and_frames_carry_the_confusion_matrices(server):
    async def go():
        async with connect(server) as ws:
            client = await opened(ws, THREE)
            assert client.state["layers"][-1] == 3
            assert client.state["config"]["loss"] == "crossEntropy"
            assert {p[2] for p in client.data["train"]} == {0.0, 1.0, 2.0}
            frame = await client.step(100)
            confusion = frame.metrics["confusion"]
            assert confusion.shape == (2, 3, 3)
            assert confusion[0].sum() == len(client.data["train"])
            assert confusion[1].sum() == len(client.data["test"])
            # gaussian blobs without noise: every test point in its class
            assert np.trace(confusion[1]) == confusion[1].sum()

    run(go())


def test_the_original_two_classes_keep_their_frames_with_a_two_by_two_matrix(server):
    async def go():
        async with connect(server) as ws:
            client = await opened(ws, SEED)
            assert client.state["layers"][-1] == 1
            frame = await client.step(1)
            assert frame.metrics["confusion"].shape == (2, 2, 2)

    run(go())


def test_regression_frames_carry_r_squared(server):
    async def go():
        async with connect(server) as ws:
            client = await opened(ws, {**SEED, "problem": "regression"})
            frame = await client.step(200)
            train_r2, test_r2 = frame.metrics["r2"]
            assert 0.9 < train_r2 <= 1 and 0.9 < test_r2 <= 1

    run(go())


def test_bad_new_settings_are_refused_naming_field_value_and_what_is_allowed(server):
    async def go():
        async with connect(server) as ws:
            client = Client(ws)
            await client.ready()
            for key, value in [
                ("classes", 9),
                ("classes", 1),
                ("loss", "hinge"),
                ("optimizer", "rmsprop"),
                ("momentum", 1),
                ("stopEpoch", -1),
            ]:
                await client.send(type="config", config={key: value})
                error = await client.until("error")
                assert error["field"] == key and error["value"] == value, error
                assert error["allowed"] and error["message"]
            await client.send(type="step", n=1)
            assert (await client.frame()).epoch == 1  # the session kept working

    run(go())


def test_stop_epoch_pauses_there_and_says_so(server):
    async def go():
        async with connect(server) as ws:
            client = await opened(ws, {**SEED, "stopEpoch": 40})
            await client.send(type="play", playing=True)
            state = await client.state_with(playing=False)
            assert state["epoch"] == 40
            assert state["stopped"]["reason"] == "stopEpoch" and state["stopped"]["epoch"] == 40
            await client.send(type="step", n=3)  # past the goal: it trains on
            async with deadline(10, "epoch 43") as seen:
                while (frame := await client.frame()).epoch != 43:
                    seen["epoch"] = frame.epoch
                    await client.ack(frame)

    run(go())


def test_stop_test_loss_pauses_when_the_goal_is_reached(server):
    async def go():
        async with connect(server) as ws:
            config = {**SEED, "dataset": "gauss", "stopTestLoss": 0.05, "learningRate": 0.1}
            client = await opened(ws, config)
            await client.send(type="play", playing=True)
            state = await client.state_with(playing=False)
            assert state["stopped"]["reason"] == "stopTestLoss"
            assert state["stopped"]["testLoss"] <= 0.05

    run(go())


def test_replay_starts_again_from_the_same_weights_and_points(server):
    async def go():
        async with connect(server) as ws:
            client = await opened(ws, {**SEED, "seed": None})
            first = await client.step(1)
            data = client.data
            await client.step(20)
            await client.send(type="replay")
            await client.until("state")
            again = await client.frame()
            assert again.epoch == 0
            await client.ack(again)
            again = await client.step(1)
            assert client.data["train"] == data["train"]
            for a, b in zip(first.weights, again.weights, strict=True):
                assert np.array_equal(a, b)
            assert again.train_loss == first.train_loss

    run(go())


def test_drawn_points_become_the_data_and_can_be_erased_and_cleared(server):
    async def go():
        async with connect(server) as ws:
            client = await opened(ws, SEED)
            left = [[-3 - 0.1 * i, 0.2 * i - 2, 0] for i in range(20)]
            right = [[3 + 0.1 * i, 2 - 0.2 * i, 1] for i in range(20)]
            await client.send(type="points", add=left + right)
            state = await client.until("state")
            assert state["config"]["ownData"] is True
            data = await client.until("data")
            assert len(data["own"]["points"]) == 40
            assert len(data["train"]) == 20 and len(data["test"]) == 20
            await client.ack(await client.frame())
            frame = await client.step(200)
            assert np.trace(frame.metrics["confusion"][1]) == 20  # all test points right
            await client.send(type="points", erase=[-3.0, -2.0, 0.05])
            data = await client.until("data")
            assert len(data["own"]["points"]) == 39
            await client.send(type="points", add=[[0, 0, 5]])
            error = await client.until("error")
            assert error["field"] == "add" and "0 .. 1" in error["allowed"]
            await client.send(type="points", clear=True)
            data = await client.until("data")
            assert data["train"] == [] and data["test"] == []
            await client.send(type="play", playing=True)
            error = await client.until("error")
            assert error["request"] == "play" and "draw" in error["allowed"]

    run(go())


def test_drawn_points_are_limited_by_the_settings(server):
    async def go():
        async with connect(server) as ws:
            client = await opened(ws, SEED)
            limit = client.state["limits"]["maxOwnPoints"]
            points = [[(i % 100) / 20 - 2.5, (i // 100) / 2 - 2.5, i % 2] for i in range(limit + 1)]
            await client.send(type="points", add=points[: limit // 2])
            await client.until("data")
            await client.send(type="points", add=points[limit // 2 :])
            error = await client.until("error")
            assert error["field"] == "add" and str(limit) in error["allowed"]

    run(go())


CSV_THREE = "x,y,label\n" + "\n".join(
    f"{3 * np.cos(a) + 0.3 * np.sin(7 * i):.3f},{3 * np.sin(a) + 0.3 * np.cos(5 * i):.3f},{name}"
    for i in range(150)
    for a, name in [(2 * np.pi * (i % 3) / 3, ["cat", "dog", "bird"][i % 3])]
)


def test_an_uploaded_three_class_file_becomes_the_data_with_three_outputs(server):
    async def go():
        async with connect(server) as ws:
            client = await opened(ws, {**SEED, "loss": "crossEntropy"})
            await client.send(type="upload", csv=CSV_THREE)
            state = await client.until("state")
            assert state["config"]["classes"] == 3 and state["config"]["ownData"] is True
            assert state["layers"][-1] == 3
            data = await client.until("data")
            assert data["own"]["names"] == ["cat", "dog", "bird"]
            assert len(data["train"]) + len(data["test"]) == 150
            await client.ack(await client.frame())
            frame = await client.step(100)
            test = frame.metrics["confusion"][1]
            assert np.trace(test) / test.sum() >= 0.9

    run(go())


def test_a_malformed_file_is_refused_naming_the_line_and_changes_nothing(server):
    async def go():
        async with connect(server) as ws:
            client = await opened(ws, SEED)
            before = client.state["config"]
            for text, where in [
                ("x,y,label\n1,2,a\n1,oops,b\n", "line 3, column y"),
                ("x,y,label\n1,7,a\n", "line 2, column y"),
                ("a,b,c\n1,2,3\n", "line 1, column header"),
                ("x,y,value\n1,2\n", "line 2"),
                ("x,y,label\n" + "".join(f"{i % 5},0,c{i}\n" for i in range(9)), "line 10"),
            ]:
                await client.send(type="upload", csv=text)
                error = await client.until("error", ack=True)
                assert error["field"] == "csv" and where in error["message"], error
            await client.send(type="step", n=1)
            frame = await client.frame()
            assert frame.epoch == 1 and client.state["config"] == before

    run(go())


async def export(client: Client, kind: str) -> dict:
    await client.send(type="export", format=kind)
    return await client.until("export")


async def losses(client: Client) -> tuple[float, float]:
    frame = await client.step(1)
    return frame.train_loss, frame.test_loss


def test_an_imported_model_file_continues_bit_for_bit(server):
    async def go():
        async with connect(server) as ws:
            client = await opened(ws, THREE)
            await client.step(25)
            reply = await export(client, "model")
            assert reply["filename"] == "model-epoch-25.json"
            model = json.loads(reply["text"])
            assert model["optimizer"]["name"] == "adam" and model["epoch"] == 25
            assert len(model["history"]) == 25
            original = [await losses(client) for _ in range(5)]
        async with connect(server) as ws:
            client = Client(ws)
            await client.ready()
            await client.send(type="import", model={**model, "history": model["history"][-3:]})
            state = await client.until("state")
            assert state["epoch"] == 25 and state["config"]["optimizer"] == "adam"
            await client.ack(await client.frame())
            again = [await losses(client) for _ in range(5)]
            assert again == original
            await client.send(type="import", model={**model, "weights": [[1]]})
            error = await client.until("error")
            assert error["request"] == "import" and error["field"] == "weights"

    run(go())


def test_the_python_script_predicts_what_the_server_does(server, tmp_path):
    async def go():
        async with connect(server) as ws:
            client = await opened(ws, THREE)
            await client.step(10)
            return await export(client, "python"), await export(client, "model")

    script, model = run(go())
    assert script["filename"] == "model-epoch-10.py"
    path = tmp_path / "model.py"
    path.write_text(script["text"])
    out = subprocess.run(
        [sys.executable, str(path), "3.5", "0"], capture_output=True, text=True, check=True
    )
    assert "class" in out.stdout.lower()
    from engine.export import run_from_model  # the server's own engine, as it predicts

    restored, _ = run_from_model(json.loads(model["text"]), 1000)
    expected = restored.predict(np.array([[3.5, 0.0]]))[0]
    printed = [float(v) for v in out.stdout.replace(",", " ").split() if _number(v)]
    assert np.allclose(printed[: len(expected)], expected, rtol=0, atol=1e-12)


def _number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def test_a_reconnect_restore_brings_back_the_own_points(server):
    async def go():
        points = [[-3, 1, 0], [-2.5, -1, 0], [3, 1, 1], [2.5, -1, 1]]
        async with connect(server) as ws:
            client = await opened(ws, SEED)
            await client.send(type="points", add=points)
            data = await client.until("data")
            await client.ack(await client.frame())
            frame = await client.step(5)
            assert frame.epoch == 5
            config = client.state["config"]
        async with connect(server) as ws:  # the page's restore after a server restart
            client = Client(ws)
            await client.ready()
            await client.send(
                type="restore",
                config=config,
                epoch=frame.epoch,
                weights=[w.tolist() for w in frame.weights],
                biases=[b.tolist() for b in frame.biases],
                own=data["own"],
            )
            state = await client.until("state")
            again = await client.until("data")
            assert state["config"]["ownData"] is True and state["epoch"] == 5
            assert again["own"] == data["own"] and again["train"] == data["train"]
            assert (await client.frame()).train_loss == frame.train_loss

    run(go())
