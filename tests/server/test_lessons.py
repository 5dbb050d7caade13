"""The lesson pages and their JSON, from a real server process."""

import asyncio
import json
import urllib.error
import urllib.request

import numpy as np
import pytest
import websockets
from frames import deadline

from engine import Run
from engine.features import feature_matrix


def get(server, path):
    with urllib.request.urlopen(server.url + path, timeout=10) as response:
        return response.status, response.headers["content-type"], response.read().decode()


def post(server, path, body):
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    request = urllib.request.Request(server.url + path, data=data, method="POST")
    request.add_header("content-type", "application/json")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as err:
        return err.code, json.loads(err.read())


@pytest.mark.parametrize("path", ["/lessons/backprop", "/lessons/linear-regression"])
def test_pages_are_html_without_external_scripts(server, path):
    status, kind, body = get(server, path)
    assert status == 200 and kind.startswith("text/html")
    assert "http://" not in body and "https://" not in body
    assert 'data-testid="projector"' in body


def test_projector_query_sets_the_class(server):
    _, _, body = get(server, "/lessons/backprop?projector=1")
    assert 'class="lesson projector"' in body


def test_backprop_steps_carry_the_lecture_numbers(server):
    _, _, body = get(server, "/lessons/api/backprop?convention=lecture")
    steps = {s["key"]: s for s in json.loads(body)["steps"]}
    assert round(steps["out_h1"]["value"], 4) == 0.5933
    assert round(steps["out_o1"]["value"], 4) == 0.6352
    assert round(steps["dE_dw5"]["value"], 4) == 0.1719
    assert steps["dE_dw1"]["value"] == pytest.approx(5.5401e-04, abs=5e-9)
    assert steps["dE_dw1"]["lecture"] == "5.5090e-04"
    assert steps["dnet_o2_dw1"]["lecture"] == "0.0006"
    assert round(steps["dnet_o2_dw1"]["value"], 4) == 0.0060


def test_half_convention_halves_the_gradients(server):
    lecture = json.loads(get(server, "/lessons/api/backprop?convention=lecture")[2])
    half = json.loads(get(server, "/lessons/api/backprop?convention=half")[2])
    by_key = {s["key"]: s["value"] for s in half["steps"]}
    for step in lecture["steps"]:
        if step["key"] in ("dE_dw5", "dE_dw1", "dE_dout_o1", "E"):
            assert by_key[step["key"]] == pytest.approx(step["value"] / 2, rel=1e-12)


def test_training_lowers_the_error(server):
    _, _, body = get(server, "/lessons/api/backprop/train?convention=half&iterations=300")
    errors = json.loads(body)["errors"]
    assert len(errors) == 301
    assert errors[-1] < errors[0] / 10
    assert all(b <= a + 1e-15 for a, b in zip(errors, errors[1:], strict=False))


def test_backprop_bad_input_is_a_structured_error(server):
    with pytest.raises(urllib.error.HTTPError) as info:
        get(server, "/lessons/api/backprop/train?iterations=99999")
    body = json.loads(info.value.read())
    assert info.value.code == 400
    assert body["field"] == "iterations" and body["value"] == "99999"


def test_linear_regression_converges_to_polyfit_below_the_limit(server):
    _, first = post(server, "/lessons/api/linear-regression", {"seed": 4, "steps": 0})
    limit = first["limit"]
    status, body = post(
        server, "/lessons/api/linear-regression", {"seed": 4, "alpha": 0.9 * limit, "steps": 500}
    )
    assert status == 200 and not body["diverged"]
    points = np.array(body["points"])
    m, b = np.polyfit(points[:, 0], points[:, 1], 1)
    assert body["path"][-1][0] == pytest.approx(m, abs=1e-6)
    assert body["path"][-1][1] == pytest.approx(b, abs=1e-6)
    assert len(body["grid"]["J"]) == body["grid"]["n"] ** 2


def test_linear_regression_diverges_above_the_limit(server):
    points = [[0, 1], [1, 2.5], [2, 2.9], [3, 4.2], [4, 5.1]]
    _, first = post(server, "/lessons/api/linear-regression", {"points": points, "steps": 0})
    hessian = 2 * np.array([[30.0, 10.0], [10.0, 5.0]])
    assert first["limit"] == pytest.approx(2 / np.linalg.eigvalsh(hessian).max())
    _, body = post(
        server,
        "/lessons/api/linear-regression",
        {"points": points, "alpha": 1.05 * first["limit"], "steps": 500},
    )
    assert body["diverged"]
    assert body["path"][-1][2] > 1e6 * body["path"][0][2]


@pytest.mark.parametrize(
    "body, field",
    [
        ({"alpha": "fast"}, "alpha"),
        ({"alpha": float("inf")}, "alpha"),
        ({"steps": 10_000}, "steps"),
        ({"points": [[0, 1]]}, "points"),
        ({"points": [[1, 1], [1, 2]]}, "points"),
        ({"points": [[0, 1], [1, "x"]]}, "points"),
        (b"{not json", "body"),
        ([1, 2], "body"),
    ],
)
def test_linear_regression_bad_input_names_the_field(server, body, field):
    data = (
        json.dumps(body).replace("Infinity", "1e999").encode()
        if not isinstance(body, bytes)
        else body
    )
    status, answer = post(server, "/lessons/api/linear-regression", data)
    assert status == 400
    assert answer["field"] == field
    assert answer["allowed"]


# The playground's `inspect` message over a real WebSocket.


async def _next_json(ws, kind: str) -> dict:
    """The next `kind` or `error` message; frames on the way are acknowledged, so more can come."""
    while True:
        message = await asyncio.wait_for(ws.recv(), timeout=10)
        if isinstance(message, bytes):
            seq = int.from_bytes(message[8:12], "little")
            await ws.send(json.dumps({"type": "ack", "seq": seq}))
        else:
            body = json.loads(message)
            if body["type"] in (kind, "error"):
                return body


async def _next_frame_epoch(ws) -> int:
    """The epoch of the next binary frame (u32 at offset 12, see docs/protocol.md)."""
    while True:
        message = await asyncio.wait_for(ws.recv(), timeout=10)
        if isinstance(message, bytes):
            seq = int.from_bytes(message[8:12], "little")
            await ws.send(json.dumps({"type": "ack", "seq": seq}))
            return int.from_bytes(message[12:16], "little")


def test_inspect_agrees_with_the_engines_gradient_as_training_runs(server):
    async def scenario():
        async with websockets.connect(server.ws_url, origin=server.url) as ws:
            state = await _next_json(ws, "state")
            run = Run.from_config(state["config"])
            X = feature_matrix(run.input_names, run.train_points[:, 0], run.train_points[:, 1]).T
            Y = run.train_points[:, 2:3]
            for epoch in (0, 3):
                if epoch:
                    await ws.send(json.dumps({"type": "step", "n": epoch}))
                    run.step(epoch)
                    async with deadline(30, f"the frame of epoch {epoch}") as seen:
                        while (seen_epoch := await _next_frame_epoch(ws)) != epoch:
                            seen["epoch"] = seen_epoch
                for layer, to, frm in ((0, 1, 0), (1, 0, 2), (2, 0, None)):
                    ask = {"type": "inspect", "layer": layer, "to": to, "point": 7}
                    ask.update({"bias": True} if frm is None else {"from": frm})
                    await ws.send(json.dumps(ask))
                    answer = await _next_json(ws, "inspection")
                    assert answer["type"] == "inspection", answer
                    assert answer["epoch"] == epoch
                    dW, db = run.network.gradients(X[7:8], Y[7:8])
                    expected = db[layer][to] if frm is None else dW[layer][to, frm]
                    assert answer["gradient"] == pytest.approx(expected, abs=1e-9)
                    rate = state["config"]["learningRate"]
                    assert answer["updated"] == pytest.approx(answer["value"] - rate * expected)
            await ws.send(
                json.dumps({"type": "inspect", "layer": 0, "to": 0, "from": 1, "point": "batch"})
            )
            batch = await _next_json(ws, "inspection")
            size = state["config"]["batchSize"]
            dW, _ = run.network.gradients(X[:size], Y[:size])
            assert batch["points"] == size
            assert batch["gradient"] == pytest.approx(dW[0][0, 1], abs=1e-9)

    asyncio.run(scenario())


@pytest.mark.parametrize(
    "ask, field",
    [
        ({"layer": 7, "to": 0, "from": 0}, "layer"),
        ({"layer": 0, "to": 9, "from": 0}, "to"),
        ({"layer": 0, "to": 0}, "from"),
        ({"layer": 0, "to": 0, "from": 0, "point": "all"}, "point"),
        ({"layer": 0, "to": 0, "from": 0, "point": 10**6}, "point"),
    ],
)
def test_inspect_bad_input_is_an_error_and_the_session_goes_on(server, ask, field):
    async def scenario():
        async with websockets.connect(server.ws_url, origin=server.url) as ws:
            await ws.send(json.dumps({"type": "inspect", **ask}))
            error = await _next_json(ws, "inspection")
            assert error["type"] == "error" and error["field"] == field
            assert error["request"] == "inspect"
            await ws.send(json.dumps({"type": "inspect", "layer": 0, "to": 0, "from": 0}))
            assert (await _next_json(ws, "inspection"))["type"] == "inspection"

    asyncio.run(scenario())
