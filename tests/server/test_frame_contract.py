"""The page's frame decoder (static/js/frame.js) reads the server's frames as this decoder does."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
import websockets
from frames import Client, decode

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = """
import { readFileSync } from "node:fs";
import { decodeFrame, unpackFrame } from "%s";
const bytes = readFileSync(process.argv[2]);
const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length);
const f = decodeFrame(await unpackFrame(buffer));
console.log(JSON.stringify({
  seq: f.seq, epoch: f.epoch, playing: f.playing, diverged: f.diverged, focus: f.focus,
  trainLoss: f.trainLoss, testLoss: f.testLoss, layers: f.layers,
  history: Array.from(f.history.epoch), train: Array.from(f.history.train),
  weights: f.weights.map((w) => Array.from(w)),
  biases: f.biases.map((b) => Array.from(b)), grid: Array.from(f.grid),
  thumbs: Array.from(f.thumbs),
}));
"""


def decode_in_node(raw: bytes, tmp_path: Path) -> dict:
    """The page's decoding of `raw`, run by node (required in CI, as for tests/js)."""
    if shutil.which("node") is None:
        if os.environ.get("CI") == "true":
            pytest.fail("node is required in CI to run the page's frame decoder")
        pytest.skip("node is not installed")
    (tmp_path / "frame.bin").write_bytes(raw)
    module = (ROOT / "static" / "js" / "frame.js").as_uri()
    (tmp_path / "decode.mjs").write_text(SCRIPT % module)
    out = subprocess.run(
        ["node", str(tmp_path / "decode.mjs"), str(tmp_path / "frame.bin")],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


def frame_after(server, config: dict, *messages: dict) -> bytes:
    """The raw frame that answers the last of `messages`, on a session of `config`; every
    message before it is answered by a frame first."""

    async def grab() -> bytes:
        async with websockets.connect(server.ws_url) as ws:
            client = Client(ws)
            await client.ready()
            await client.send(type="config", config=config)
            await client.until("state")
            await client.ack(await client.frame())
            for message in messages[:-1]:
                await client.send(**message)
                await client.ack(await client.frame())
            await client.send(**messages[-1])
            while True:
                raw = await asyncio.wait_for(ws.recv(), 15)
                if isinstance(raw, bytes):
                    return raw

    return asyncio.run(grab())


def test_the_page_decodes_a_server_frame_like_the_test_decoder(server, tmp_path):
    config = {"networkShape": [3, 2], "sinX": True}
    raw = frame_after(server, config, {"type": "focus", "node": 4}, {"type": "step", "n": 4})
    page = decode_in_node(raw, tmp_path)
    assert raw[5] & 8  # the pictures were packed on the wire
    ours = decode(raw)
    assert page["seq"] == ours.seq and page["epoch"] == ours.epoch == 4
    assert page["focus"] == ours.focus == 4
    assert page["layers"] == ours.layers == [3, 3, 2, 1]
    assert (page["playing"], page["diverged"]) == (ours.playing, ours.diverged)
    assert page["trainLoss"] == ours.train_loss and page["testLoss"] == ours.test_loss
    assert page["history"] == ours.history[:, 0].tolist() == [1, 2, 3, 4]
    for theirs, mine in zip(page["weights"], ours.weights, strict=True):
        assert np.array_equal(np.asarray(theirs), mine.ravel())
    for theirs, mine in zip(page["biases"], ours.biases, strict=True):
        assert np.array_equal(np.asarray(theirs), mine)
    assert page["grid"] == ours.grid.ravel().tolist()
    assert page["thumbs"] == ours.thumbs.ravel().tolist()


def test_the_page_reads_a_long_history_packed_as_the_server_packs_it(server, tmp_path):
    raw = frame_after(server, {"seed": "history"}, {"type": "step", "n": 40})  # 40 epochs' points
    assert raw[5] & 16  # the history was packed on the wire
    page, ours = decode_in_node(raw, tmp_path), decode(raw)
    assert page["history"] == ours.history[:, 0].tolist() == list(range(1, 41))
    assert page["train"] == ours.history[:, 1].tolist()
    assert page["grid"] == ours.grid.ravel().tolist()
