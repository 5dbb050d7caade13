"""A seeded fuzz of the control protocol and the JSON endpoints, and the checks on every answer.

Messages are valid ones of every type (docs/protocol.md, the classroom's table) and mutations of
them: a field dropped, retyped or replaced by a strange value, unknown fields, truncated or
corrupted JSON, NaN literals, deep nesting, binary and oversized messages. Used by
tests/server/test_fuzz.py and bench/abuse.py.
"""

from __future__ import annotations

import asyncio
import contextlib
import http.client
import json
import random
from dataclasses import dataclass, field

import websockets

ERROR_KEYS = {"type", "request", "field", "value", "allowed", "message"}
FEATURES = ["x", "y", "xSquared", "ySquared", "xTimesY", "sinX", "sinY"]
PLAYGROUND_TYPES = ["config", "play", "pause", "step", "reset", "regenerate", "set_weight"]
PLAYGROUND_TYPES += ["speed", "fps", "focus", "restore", "inspect", "ack"]
ROOM_TYPES = ["fork", "follow", "snapshot", "push", "lock", "spotlight", "close", "remove"]
ROOM_TYPES += ["lock_joins"]

WEIRD: list[object] = [
    0, -1, 1, 7, 2**31, 2**64 + 1, -(2**63), 1e308, -1e-308, 0.5, True, False, None, "", " ",
    "a" * 500, "²", "３", "\u0000", "\ud800", "\u202e", "NaN", "Infinity", "-0", "1e999", "max",
    [], {}, [[[[[]]]]], [1, "two", None], {"type": "ack"}, {"__proto__": 1}, ["x"] * 50,
]  # fmt: skip
RAW_NUMBERS = ["NaN", "Infinity", "-Infinity", "1e999", "9" * 400, "-0.0", "1E-400", "0x10"]


def weird(rng: random.Random) -> object:
    return rng.choice(WEIRD)


def config_change(rng: random.Random) -> dict:
    choices = {
        "activation": lambda: rng.choice(["relu", "tanh", "sigmoid", "linear"]),
        "learningRate": lambda: rng.choice([0.00001, 0.03, 0.3, 3, 10]),
        "regularization": lambda: rng.choice(["none", "L1", "L2"]),
        "regularizationRate": lambda: rng.choice([0, 0.001, 0.3]),
        "batchSize": lambda: rng.randint(1, 30),
        "networkShape": lambda: [rng.randint(1, 8) for _ in range(rng.randint(0, 6))],
        "x": lambda: True,
        "sinY": lambda: rng.random() < 0.5,
        # Data keys rebuild the data off the event loop: rarer, to keep the fuzz quick.
        "noise": lambda: rng.choice([0, 25, 50]),
        "dataset": lambda: rng.choice(["circle", "xor", "gauss", "spiral"]),
        "seed": lambda: str(rng.random()),
    }
    keys = rng.sample(sorted(choices), rng.randint(1, 3))
    if rng.random() < 0.8:
        keys = [k for k in keys if k not in ("noise", "dataset", "seed")] or ["learningRate"]
    return {key: choices[key]() for key in keys}


def challenge(rng: random.Random) -> dict:
    constraints = {"maxNeurons": rng.randint(0, 8), "maxLayers": rng.randint(0, 3)}
    constraints["features"] = rng.sample(FEATURES, rng.randint(1, 3))
    return {"config": config_change(rng), "constraints": constraints, "leaderboard": True}


def weights_like(rng: random.Random, layers: list[int]) -> tuple[list, list]:
    pairs = list(zip(layers[1:], layers[:-1], strict=False))
    weights = [[[rng.uniform(-1, 1) for _ in range(c)] for _ in range(r)] for r, c in pairs]
    biases = [[0.1] * r for r, _ in pairs]
    return weights, biases


def valid_message(rng: random.Random, kind: str, seq: int, token: str | None) -> dict:
    """A well-formed message of `kind`; `seq` is the newest frame seen, `token` the room's."""
    layer, to, frm = rng.randint(0, 2), rng.randint(0, 3), rng.randint(0, 3)
    make = {
        "config": lambda: {"config": config_change(rng)},
        "play": dict,
        "pause": dict,
        "step": lambda: {"n": rng.choice([1, 2, 5, 50])},
        "reset": dict,
        "regenerate": dict,
        "set_weight": lambda: {"layer": layer, "to": to, "from": frm, "value": rng.uniform(-3, 3)},
        "speed": lambda: {"eps": rng.choice([1, 60, 300, "max"])},
        "fps": lambda: {"fps": rng.randint(1, 60)},
        "focus": lambda: {"node": rng.choice([None, 0, 3, 9])},
        "inspect": lambda: {"layer": layer, "to": to, "from": frm, "point": rng.choice([0, 5])},
        "ack": lambda: {"seq": seq},
        "fork": dict,
        "follow": dict,
        "snapshot": dict,
        "push": lambda: rng.choice([{}, {"challenge": challenge(rng)}]),
        "lock": lambda: {"controls": rng.sample(["learningRate", "playButton", "features"], 2)},
        "spotlight": lambda: {"member": rng.choice([None, "s1", "s2"])},
        "close": dict,
        "remove": lambda: {"member": rng.choice(["s1", "s2", "s9"])},
        "lock_joins": lambda: {"locked": rng.random() < 0.5},
    }
    if kind == "restore":
        shape = rng.choice([[2, 4, 2, 1], [2, 1], [2, 8, 8, 1]])
        weights, biases = weights_like(rng, shape)
        body = {"config": {"networkShape": shape[1:-1]}, "epoch": rng.randint(0, 100)}
        body.update(weights=weights, biases=biases)
        if rng.random() < 0.5:
            body["dead"] = [[[0] * len(row) for row in w] for w in weights]
    else:
        body = make[kind]()
    message = {"type": kind, **body}
    if kind in ROOM_TYPES and kind not in ("fork", "follow", "snapshot") and token is not None:
        message["token"] = token
    return message


def mutate(rng: random.Random, message: dict, most_bytes: int) -> str | bytes:
    """One mutation of `message`, as the text (or bytes) to send."""
    choice = rng.randrange(15)
    message = json.loads(json.dumps(message))  # a deep copy
    keys = [k for k in message if k != "type"]
    if choice == 0 and keys:
        del message[rng.choice(keys)]
    elif choice == 1 and keys:
        message[rng.choice(keys)] = weird(rng)
    elif choice == 2:
        message[rng.choice(["type", "token", "member", "config", "extra"])] = weird(rng)
    elif choice == 3:
        message["type"] = rng.choice([*PLAYGROUND_TYPES, *ROOM_TYPES, "hello", "", "ACK", "x"])
    elif choice == 4 and isinstance(message.get("config"), dict):
        message["config"] = {**message["config"], rng.choice(FEATURES + ["bogus"]): weird(rng)}
    elif choice == 5:
        text = json.dumps(message)
        return text[: rng.randrange(max(1, len(text)))]
    elif choice == 6:
        text = json.dumps(message)
        pos = rng.randrange(len(text))
        return text[:pos] + rng.choice(["\\", '"', "}", "\x00", "\ud7ff", "ß"]) + text[pos:]
    elif choice == 7 and keys:
        raw = rng.choice(RAW_NUMBERS)
        return json.dumps({**message, rng.choice(keys): "@@"}).replace('"@@"', raw)
    elif choice == 8:
        depth = rng.choice([50, 500, 5000, 20000])
        return json.dumps({**message, "x": 1}).replace("1}", "[" * depth + "]" * depth + "}")
    elif choice == 9:
        return bytes(rng.randrange(256) for _ in range(rng.randint(0, 64)))
    elif choice == 10:
        return json.dumps({**message, "pad": "x" * (most_bytes + rng.randint(1, 4096))})
    elif choice == 11:
        return rng.choice(["", "null", "[]", "7", '"ack"', "{}", '{"type": null}', "true"])
    elif choice == 12:
        return json.dumps([message])
    elif choice == 13:
        _mutate_inside(rng, message)
    else:
        message.update({str(rng.random()): weird(rng) for _ in range(rng.randint(1, 4))})
    try:
        return json.dumps(message)
    except (TypeError, ValueError):
        return "{}"


def _mutate_inside(rng: random.Random, value: object, depth: int = 0) -> None:
    """Replace one value somewhere inside nested objects and lists (a weight, a config key...)."""
    if isinstance(value, dict) and value:
        key = rng.choice(sorted(value, key=str))
        if depth < 4 and isinstance(value[key], dict | list) and value[key] and rng.random() < 0.7:
            _mutate_inside(rng, value[key], depth + 1)
        else:
            value[key] = weird(rng)
    elif isinstance(value, list) and value:
        i = rng.randrange(len(value))
        if depth < 4 and isinstance(value[i], dict | list) and value[i] and rng.random() < 0.7:
            _mutate_inside(rng, value[i], depth + 1)
        else:
            value[i] = weird(rng)


@dataclass
class Tally:
    """What a fuzz sent and every answer that broke the contract."""

    sent: int = 0
    answers: int = 0
    errors: int = 0
    frames: int = 0
    reconnects: int = 0
    closes: dict = field(default_factory=dict)
    problems: list = field(default_factory=list)

    def check_text(self, raw: str) -> dict | None:
        self.answers += 1
        try:
            message = json.loads(raw)
        except ValueError:
            self.problems.append(f"not JSON: {raw[:200]}")
            return None
        if not isinstance(message, dict) or not isinstance(message.get("type"), str):
            self.problems.append(f"no type: {raw[:200]}")
            return None
        if message["type"] == "error":
            self.errors += 1
            if set(message) != ERROR_KEYS or not message["allowed"] or not message["message"]:
                self.problems.append(f"unstructured error: {raw[:300]}")
            if message["message"] == "internal error":
                self.problems.append(f"internal error: {raw[:300]}")
        return message

    def check_frame(self, raw: bytes) -> int:
        self.answers += 1
        self.frames += 1
        if raw[:4] != b"NNPF" or len(raw) < 44:
            self.problems.append(f"bad frame: {raw[:16]!r}")
            return 0
        return int.from_bytes(raw[8:12], "little")


async def fuzz_socket(
    url: str,
    rng: random.Random,
    count: int,
    tally: Tally,
    kinds: list[str],
    opening=None,
    most_bytes: int = 65536,
    deadline: float = 60.0,
) -> None:
    """Send `count` fuzzed messages over `url`, reconnecting whenever the server closes.

    `opening()` returns (first message or None, room token or None) for each new connection.
    Every answer is checked while the messages go out; frames are acknowledged.
    """
    loop = asyncio.get_running_loop()
    end = loop.time() + deadline
    while tally.sent < count and loop.time() < end:
        first, token = (None, None) if opening is None else await opening()
        try:
            async with websockets.connect(url, max_size=2**23, open_timeout=10) as ws:
                if first is not None:
                    await ws.send(first if isinstance(first, str | bytes) else json.dumps(first))
                await _exchange(ws, rng, count, tally, kinds, token, most_bytes, end)
            code = ws.close_code
        except (websockets.ConnectionClosed, OSError, TimeoutError) as exc:
            code = getattr(getattr(exc, "rcvd", None), "code", type(exc).__name__)
        tally.closes[code] = tally.closes.get(code, 0) + 1
        tally.reconnects += 1


async def _exchange(ws, rng, count, tally, kinds, token, most_bytes, end) -> None:
    seq = [0]

    async def read() -> None:
        async for raw in ws:
            if isinstance(raw, bytes):
                seq[0] = tally.check_frame(raw)
                if rng.random() < 0.9:
                    with contextlib.suppress(websockets.ConnectionClosed):
                        await ws.send(json.dumps({"type": "ack", "seq": seq[0]}))
            else:
                tally.check_text(raw)

    reader = asyncio.create_task(read())
    loop = asyncio.get_running_loop()
    try:
        while tally.sent < count and loop.time() < end and not reader.done():
            message = valid_message(rng, rng.choice(kinds), seq[0], token)
            if message["type"] == "close" and rng.random() < 0.9:
                message["token"] = "guess"  # ending the room is rare: it ends every socket
            text = json.dumps(message) if rng.random() < 0.3 else mutate(rng, message, most_bytes)
            await ws.send(text)
            tally.sent += 1
            if tally.sent % 8 == 0:
                await asyncio.sleep(0.002)  # let the answers in, as a page would
        await asyncio.wait({reader}, timeout=0.5)  # the last answers
    finally:
        reader.cancel()
        with contextlib.suppress(asyncio.CancelledError, websockets.ConnectionClosed):
            await reader


def http_call(port: int, method: str, path: str, body: bytes | None, headers: dict) -> tuple:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=15)
    try:
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def fuzz_request(rng: random.Random, room: dict | None) -> tuple[str, str, bytes | None, dict]:
    """One fuzzed request to a JSON endpoint: (method, path, body, headers)."""
    code = (room or {}).get("code", "ABCDEF")
    token = (room or {}).get("token", "t")
    target = rng.randrange(8)
    headers: dict = {}
    if target == 0:
        body = {"points": [[rng.uniform(-9, 9), rng.uniform(-9, 9)] for _ in range(5)]}
        body.update(m0=0.5, b0=1, alpha=0.01, steps=rng.randint(0, 50))
        return "POST", "/lessons/api/linear-regression", _fuzz_body(rng, body), headers
    if target == 1:
        query = rng.choice(["iterations", "convention", "x"]) + "=" + _fuzz_query(rng)
        return "GET", "/lessons/api/backprop/train?" + query, None, headers
    if target == 2:
        return "GET", "/lessons/api/backprop?convention=" + _fuzz_query(rng), None, headers
    if target == 3:
        body = {"code": code, "name": f"fuzz{rng.randrange(1000)}"}
        return "POST", "/classroom/api/join", _fuzz_body(rng, body), headers
    if target == 4:
        headers["x-room-token"] = rng.choice([token, "guess", "", "\u00ff"])
        return "GET", f"/classroom/api/rooms/{rng.choice([code, _fuzz_query(rng)])}", None, headers
    if target == 5:
        return "POST", "/classroom/api/rooms", _fuzz_body(rng, {"instructorKey": "k"}), headers
    headers["x-room-token"] = rng.choice([token, "guess", ""])
    if target == 6:
        member = rng.choice(["s1", "s99", _fuzz_query(rng)])
        return "DELETE", f"/classroom/api/rooms/{code}/members/{member}", None, headers
    headers["x-room-token"] = rng.choice(["guess", ""])
    return "POST", f"/classroom/api/rooms/{code}/close", _fuzz_body(rng, {}), headers


def _fuzz_query(rng: random.Random) -> str:
    return rng.choice(["200", "5000", "0", "-3", "%C2%B2", "9" * 400, "half", "", "%00", "%FF"])


def _fuzz_body(rng: random.Random, body: dict) -> bytes:
    if rng.random() < 0.2:
        return json.dumps(body).encode()
    text = mutate(rng, {"type": "body", **body}, 65536)
    return text if isinstance(text, bytes) else text.encode("utf-8", "surrogatepass")


def check_http(tally: Tally, status: int, raw: bytes, what: str) -> None:
    tally.answers += 1
    if status >= 500 and status != 503:
        tally.problems.append(f"{what}: {status} {raw[:200]!r}")
        return
    if status >= 400:
        tally.errors += 1
        try:
            body = json.loads(raw)
        except ValueError:
            tally.problems.append(f"{what}: {status} not JSON {raw[:200]!r}")
            return
        if not isinstance(body, dict) or set(body) != ERROR_KEYS:
            tally.problems.append(f"{what}: {status} unstructured {raw[:200]!r}")
