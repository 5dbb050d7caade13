"""The classroom in a real Chromium: an instructor page and a student page on one server."""

from __future__ import annotations

import json
import re

import numpy as np
from playwright.sync_api import expect
from websockets.sync.client import connect

from tests.browser.conftest import FIRST_FRAME

HOSTILE_NAME = "<img src=x onerror=pwned=1>Zoe"  # within the 32-character limit
PLAYGROUND_NETWORK = """() => {
  const f = window.playground.frame;
  return {
    frames: window.playground.stats.frames,
    epoch: f.epoch,
    weights: f.weights.map((w) => Array.from(w)),
    biases: f.biases.map((b) => Array.from(b)),
    handoff: localStorage.getItem("playground-handoff"),
    opened: window.playground.opened,
    errors: window.playground.errors,
  };
}"""


def room_snapshot(server, code: str, token: str) -> dict:
    """The room's network as its instructor's socket reports it (float64, exact)."""
    with connect(server.url.replace("http", "ws") + "/classroom/ws") as ws:
        ws.send(json.dumps({"type": "hello", "role": "instructor", "code": code, "token": token}))
        ws.send(json.dumps({"type": "snapshot"}))
        while True:
            raw = ws.recv(timeout=10)
            if isinstance(raw, str) and json.loads(raw)["type"] == "snapshot":
                return json.loads(raw)


def as_frame(nested: list) -> list[list[float]]:
    """Nested [l][to][from] values as a frame carries them: float64, row-major per layer."""
    return [np.asarray(layer, dtype=np.float64).ravel().tolist() for layer in nested]


def test_instructor_and_student(server, browser, artifacts):
    teach = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    learn = browser.new_context(viewport={"width": 1280, "height": 800}).new_page()
    try:
        teach.goto(server.url + "/classroom/new")
        teach.get_by_test_id("create-room").click()
        expect(teach.get_by_test_id("room-code")).to_have_text(re.compile(r"^[A-Z2-9]{6}$"))
        code = teach.get_by_test_id("room-code").inner_text()
        assert "token=" in teach.url  # the private link, in the fragment

        learn.goto(f"{server.url}/classroom/join?code={code}")
        learn.get_by_test_id("join-name").fill(HOSTILE_NAME)
        learn.get_by_test_id("join-submit").click()
        expect(learn.get_by_test_id("mode")).to_have_text("Following the instructor")
        assert "token" not in learn.content().lower().replace("membertoken", "")
        learn.wait_for_function(
            "() => document.querySelector('[data-testid=output-heatmap]').dataset.paints > 0"
        )

        # The instructor steps; the follower sees the epoch the room reached.
        teach.get_by_test_id("step").click()
        expect(learn.get_by_test_id("epoch")).to_have_text("000,001")

        # The gallery shows the student by name, as text: markup in a name stays text.
        tile = teach.get_by_test_id("gallery-tile")
        expect(tile).to_have_count(1)
        expect(tile.get_by_test_id("tile-name")).to_have_text(HOSTILE_NAME)
        assert teach.locator(".gallery img").count() == 0
        assert teach.evaluate("window.pwned") is None

        # Fork: the student's own session starts from the room's weights and epoch.
        learn.get_by_test_id("fork").click()
        expect(learn.get_by_test_id("mode")).to_have_text("Your own session")

        # ... and the full playground opens on exactly that network, from its first frame on.
        token = re.search(r"token=([^&]+)", teach.url).group(1)
        room = room_snapshot(server, code, token)
        link = learn.get_by_test_id("open-playground")
        expect(link).to_have_attribute("href", re.compile("seed="))
        expect(link).to_have_attribute("data-network", "exact")  # its own frame is in hand
        with learn.context.expect_page() as opened:
            link.click()
        playground = opened.value
        playground.wait_for_function(FIRST_FRAME)
        network = playground.evaluate(PLAYGROUND_NETWORK)
        playground.close()
        assert network["opened"][0] == "restore", network
        assert network["frames"] == 1, network
        assert network["epoch"] == room["epoch"] == 1, network
        assert network["weights"] == as_frame(room["weights"])
        assert network["biases"] == as_frame(room["biases"])
        assert network["handoff"] is None  # taken once
        learn.get_by_test_id("step").click()
        expect(learn.get_by_test_id("epoch")).to_have_text("000,002")
        link = learn.get_by_test_id("open-playground")
        expect(link).to_have_attribute("href", re.compile(r"^/#.*seed="))

        # A lock hides the control on the student's page.
        expect(learn.get_by_test_id("learning-rate")).to_be_visible()
        teach.get_by_test_id("lock-learningRate").check()
        teach.get_by_test_id("apply-locks").click()
        expect(learn.get_by_test_id("learning-rate")).to_be_hidden()

        # Spotlight the student on the projector.
        expect(tile.get_by_test_id("tile-info")).to_contain_text("000,002")
        tile.get_by_test_id("tile-spotlight").click()
        expect(teach.get_by_test_id("stage-title")).to_have_text(f"Spotlight: {HOSTILE_NAME}")
        expect(learn.get_by_test_id("spotlight-notice")).to_be_visible()
        expect(teach.get_by_test_id("epoch")).to_have_text("000,002")
        teach.screenshot(path=artifacts / "classroom-spotlight.png")
        teach.keyboard.press("Escape")
        expect(teach.get_by_test_id("stage-title")).to_have_text("Your network")

        # Push a challenge: the student's page switches to it.
        teach.get_by_test_id("push-challenge").click()
        expect(learn.get_by_test_id("challenge")).to_contain_text("spiral")
        expect(learn.get_by_test_id("dataset-spiral")).to_have_attribute("aria-pressed", "true")
        learn.screenshot(path=artifacts / "classroom-student.png")
        teach.screenshot(path=artifacts / "classroom-instructor.png")

        # Closing the room sends the student back to the join form, saying why.
        teach.get_by_test_id("close-room").click()
        expect(learn.get_by_test_id("join-error")).to_contain_text("closed by the instructor")
        expect(learn.get_by_test_id("join-form")).to_be_visible()
    finally:
        teach.context.close()
        learn.context.close()
