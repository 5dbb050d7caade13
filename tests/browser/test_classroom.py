"""The classroom in a real Chromium: an instructor page and a student page on one server."""

from __future__ import annotations

import json
import re

import numpy as np
from playwright.sync_api import expect
from websockets.sync.client import connect

HOSTILE_NAME = "<img src=x onerror=pwned=1>Zoe"  # within the 32-character limit
OWN_NETWORK = """() => {
  const f = window.playground.frame;
  return {
    epoch: f.epoch,
    weights: f.weights.map((w) => Array.from(w)),
    biases: f.biases.map((b) => Array.from(b)),
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
        # The private link never stays in the address bar (a projector shows it): this tab keeps it.
        assert teach.url == server.url + "/classroom/new", teach.url
        kept = json.loads(teach.evaluate("sessionStorage.getItem('classroom-instructor')"))
        assert kept["code"] == code
        expect(teach.get_by_test_id("private-link")).to_have_value(
            re.compile(f"#code={code}&token=")
        )

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
        expect(teach.get_by_test_id("roster")).to_have_text("1 connected of 1 student")

        # Work on my own copy: the student's own session, in the room, from exactly the room's
        # weights and epoch (frames carry float64).
        learn.get_by_test_id("fork").click()
        expect(learn.get_by_test_id("mode")).to_have_text("Your own network")
        token = kept["token"]
        room = room_snapshot(server, code, token)
        learn.wait_for_function("() => (window.playground.frame || {}).epoch === 1")
        network = learn.evaluate(OWN_NETWORK)
        assert network["epoch"] == room["epoch"] == 1, network
        assert network["weights"] == as_frame(room["weights"])
        assert network["biases"] == as_frame(room["biases"])
        assert network["errors"] == []
        learn.get_by_test_id("step").click()
        expect(learn.get_by_test_id("epoch")).to_have_text("000,002")
        expect(learn.get_by_test_id("open-playground")).to_have_count(0)  # nobody leaves the room

        # A lock keeps the control in view, disabled, and says by whom.
        rate = learn.get_by_test_id("learning-rate")
        expect(rate).to_be_enabled()
        teach.get_by_test_id("lock-learningRate").check()
        teach.get_by_test_id("apply-locks").click()
        expect(rate).to_be_disabled()
        expect(rate).to_be_visible()
        holder = learn.locator('[data-hide-key="learningRate"]')
        expect(holder.get_by_test_id("lock-note")).to_have_text("locked by the instructor")
        expect(learn.get_by_test_id("locks-note")).to_have_text(
            "Locked by the instructor: Learning rate."
        )

        # Spotlight the student on the projector.
        expect(tile.get_by_test_id("tile-info")).to_contain_text("000,002")
        tile.get_by_test_id("tile-spotlight").click()
        expect(teach.get_by_test_id("stage-title")).to_have_text(f"Spotlight: {HOSTILE_NAME}")
        expect(learn.get_by_test_id("spotlight-notice")).to_be_visible()
        expect(teach.get_by_test_id("epoch")).to_have_text("000,002")
        teach.screenshot(path=artifacts / "classroom-spotlight.png")
        teach.keyboard.press("Escape")
        expect(teach.get_by_test_id("stage-title")).to_have_text("Your network")

        # Push a challenge: it asks first (the student's trained network goes), then the
        # student's page switches to it, in their own session.
        teach.get_by_test_id("push-challenge").click()
        expect(teach.get_by_test_id("confirm")).to_contain_text(
            "replaces the own network one student has trained"
        )
        teach.get_by_test_id("confirm-yes").click()
        expect(learn.get_by_test_id("challenge")).to_contain_text("spiral")
        expect(learn.get_by_test_id("dataset-spiral")).to_have_attribute("aria-pressed", "true")
        expect(learn.get_by_test_id("play")).to_be_enabled()
        learn.screenshot(path=artifacts / "classroom-student.png")
        teach.screenshot(path=artifacts / "classroom-instructor.png")

        # Closing the room asks first; then the student is back at the join form, told why.
        teach.get_by_test_id("close-room").click()
        expect(teach.get_by_test_id("confirm")).to_be_visible()
        teach.get_by_test_id("confirm-no").click()
        expect(teach.get_by_test_id("confirm")).to_be_hidden()
        expect(learn.get_by_test_id("mode")).to_have_text("Your own network")
        teach.get_by_test_id("close-room").click()
        teach.get_by_test_id("confirm-yes").click()
        expect(learn.get_by_test_id("join-error")).to_contain_text("closed by the instructor")
        expect(learn.get_by_test_id("join-form")).to_be_visible()
        expect(teach.get_by_test_id("create-room")).to_have_text("Create a new room")
        assert teach.evaluate("sessionStorage.getItem('classroom-instructor')") is None
    finally:
        teach.context.close()
        learn.context.close()
