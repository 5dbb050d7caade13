"""A class in a real Chromium: one instructor and three students through a challenge with a goal,
locks, a reload, the projector's join card and spotlight, and the results kept as files."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

WAIT = 30000  # ms: a loaded 2-core machine trains four sessions and runs other tests meanwhile
RATE_HOLDER = '[data-hide-key="learningRate"]'


def saved(download) -> str:
    """The text of a file the page saved."""
    return Path(download.value.path()).read_text(encoding="utf-8")


@pytest.fixture
def classroom(server, browser):
    """An instructor's page (1280x720, a projector's size) and three students in one room."""
    contexts = []

    def page(width=1280, height=720):
        viewport = {"width": width, "height": height}
        context = browser.new_context(viewport=viewport, accept_downloads=True)
        contexts.append(context)
        return context.new_page()

    teach = page()
    teach.goto(server.url + "/classroom/new")
    teach.get_by_test_id("create-room").click()
    expect(teach.get_by_test_id("room-code")).to_have_text(re.compile(r"^[A-Z2-9]{6}$"))
    code = teach.get_by_test_id("room-code").inner_text()
    students = []
    for name in ("Ana", "Ben", "Ana"):
        learn = page()
        learn.goto(f"{server.url}/classroom/join?code={code}")
        learn.get_by_test_id("join-name").fill(name)
        learn.get_by_test_id("join-submit").click()
        expect(learn.get_by_test_id("mode")).to_have_text("Following the instructor")
        students.append(learn)
    try:
        yield teach, students, code, page
    finally:
        for context in contexts:
            context.close()


def push_challenge(teach) -> None:
    """Circle, at most 6 neurons, features X1, X2 and their squares, test loss at most 0.2."""
    teach.get_by_test_id("challenge-dataset").select_option("circle")
    teach.get_by_test_id("challenge-goal").select_option("testLoss")
    teach.get_by_test_id("challenge-target").fill("0.2")
    for feature in ("xSquared", "ySquared"):
        teach.get_by_test_id(f"challenge-feature-{feature}").check()
    summary = teach.get_by_test_id("challenge-summary")
    expect(summary).to_contain_text("at most 6 neurons in all")
    expect(summary).to_contain_text("only the features X1, X2, X1² and X2²")
    expect(summary).to_contain_text("Goal: test loss at most 0.2")
    teach.get_by_test_id("push-challenge").click()


def test_a_class_takes_a_challenge_and_keeps_its_results(classroom, server, artifacts):
    teach, (ana, ben, ana2), code, new_page = classroom
    expect(ana2.get_by_test_id("my-name")).to_have_text("Ana (2)")  # two Anas told apart
    expect(teach.get_by_test_id("roster")).to_have_text("3 connected of 3 students")

    # Play and pause is not locked unless the instructor says so; the learning rate is.
    expect(teach.get_by_test_id("lock-playButton")).not_to_be_checked()
    teach.get_by_test_id("lock-learningRate").check()
    teach.get_by_test_id("apply-locks").click()

    # The challenge lands every student in a session of their own, its controls working.
    push_challenge(teach)
    for learn in (ana, ben, ana2):
        expect(learn.get_by_test_id("mode")).to_have_text("Your own network", timeout=WAIT)
        challenge = learn.get_by_test_id("challenge")
        expect(challenge).to_contain_text("the circle dataset, at most 6 neurons in all")
        expect(challenge).to_contain_text("Goal: test loss at most 0.2")
        expect(learn.get_by_test_id("play")).to_be_enabled()
        expect(learn.get_by_test_id("dataset-circle")).to_have_attribute("aria-pressed", "true")
        # The locked control stays in view, disabled, and says by whom.
        expect(learn.get_by_test_id("learning-rate")).to_be_visible()
        expect(learn.get_by_test_id("learning-rate")).to_be_disabled()
        expect(learn.locator(RATE_HOLDER).get_by_test_id("lock-note")).to_have_text(
            "locked by the instructor"
        )
    expect(ana.get_by_test_id("fork")).to_be_hidden()  # a copy of the room's would leave it

    # Who joins after the push takes the challenge up from the room's line.
    late = new_page()
    late.goto(f"{server.url}/classroom/join?code={code}")
    late.get_by_test_id("join-name").fill("Lou")
    late.get_by_test_id("join-submit").click()
    expect(late.get_by_test_id("challenge")).to_contain_text("Goal: test loss at most 0.2")
    late.get_by_test_id("take-challenge").click()
    expect(late.get_by_test_id("mode")).to_have_text("Your own network")
    expect(late.get_by_test_id("dataset-circle")).to_have_attribute("aria-pressed", "true")
    expect(late.get_by_test_id("play")).to_be_enabled()
    expect(teach.get_by_test_id("roster")).to_have_text("4 connected of 4 students")

    # A feature outside the challenge is refused in words, before it is sent.
    ana.get_by_test_id("feature-sinX").click()
    refusal = ana.locator('[data-error-for="features"]')
    expect(refusal).to_have_text(
        "This challenge allows only the features X1, X2, X1² and X2², not sin(X1)."
    )

    # Ana trains the challenge and reaches the goal: the board says so, live, to the class too.
    for feature in ("xSquared", "ySquared"):
        ana.get_by_test_id(f"feature-{feature}").click()
        ana.wait_for_function(f"() => window.playground.server.config.{feature} === true")
    ana.get_by_test_id("speed").select_option("max")
    ana.get_by_test_id("play").click()
    ben.get_by_test_id("play").click()
    row = teach.get_by_test_id("leaderboard-row").filter(has_text="Ana")
    expect(row.first).to_contain_text("yes, after", timeout=WAIT)
    expect(ana.get_by_test_id("leaderboard-row").first).to_contain_text("Ana")
    expect(teach.get_by_test_id("leaderboard")).to_contain_text("Ranked by test loss at most 0.2")

    # Ben goes to watch the instructor: his own network waits for him, and asks before a copy
    # of the room's would replace it.
    ben.wait_for_function("() => window.playground.frame.epoch > 0", timeout=WAIT)
    ben.get_by_test_id("follow").click()
    expect(ben.get_by_test_id("mode")).to_have_text("Following the instructor")
    expect(ben.get_by_test_id("play")).to_be_disabled()
    ben.get_by_test_id("fork").click()
    expect(ben.get_by_test_id("confirm")).to_contain_text("Your challenge network (epoch")
    ben.get_by_test_id("confirm-no").click()
    expect(ben.get_by_test_id("mode")).to_have_text("Following the instructor")
    ben.get_by_test_id("resume").click()
    expect(ben.get_by_test_id("mode")).to_have_text("Your own network")
    expect(ben.get_by_test_id("challenge")).to_contain_text("circle")
    ben.wait_for_function("() => window.playground.frame && window.playground.frame.epoch > 0")

    # An instructor's reload: the secret stays out of the address bar, the locks in the boxes.
    teach.reload()
    expect(teach.get_by_test_id("room-code")).to_have_text(code)
    assert "token" not in teach.url
    expect(teach.get_by_test_id("lock-learningRate")).to_be_checked()
    expect(teach.get_by_test_id("lock-playButton")).not_to_be_checked()
    expect(teach.get_by_test_id("leaderboard-row").filter(has_text="Ana").first).to_be_visible()

    # The join card for the projector: the code, the address, the link as a QR code.
    teach.get_by_test_id("show-join").click()
    expect(teach.get_by_test_id("join-card-code")).to_have_text(code)
    qr = teach.get_by_test_id("join-qr")
    expect(qr).to_have_attribute("data-link", re.compile(f"/classroom/join\\?code={code}$"))
    expect(qr).to_be_in_viewport()
    teach.screenshot(path=artifacts / "classroom-join-card.png")
    teach.get_by_test_id("join-card-close").click()
    expect(teach.get_by_test_id("join-card")).to_be_hidden()

    # The board, large for the projector, as live as the panel's.
    teach.get_by_test_id("show-board").click()
    large = teach.get_by_test_id("leaderboard-large")
    expect(large.get_by_test_id("leaderboard-row").filter(has_text="Ana").first).to_be_in_viewport()
    teach.screenshot(path=artifacts / "classroom-board.png")
    teach.keyboard.press("Escape")
    expect(large).to_be_hidden()

    # Spotlight at a projector's sizes: the way back stays on screen.
    tile = teach.get_by_test_id("gallery-tile").filter(has_text="Ana").first
    tile.get_by_test_id("tile-spotlight").click()
    expect(teach.get_by_test_id("stage-title")).to_have_text(re.compile("^Spotlight: Ana"))
    for width, height in ((1280, 720), (1920, 1080)):
        teach.set_viewport_size({"width": width, "height": height})
        expect(teach.get_by_test_id("end-spotlight")).to_be_in_viewport()
        expect(teach.get_by_test_id("output-heatmap")).to_be_in_viewport()
        teach.screenshot(path=artifacts / f"classroom-spotlight-{width}.png")
    teach.get_by_test_id("end-spotlight").click()
    expect(teach.get_by_test_id("stage-title")).to_have_text("Your network")

    # The results to keep: the CSV the board's row came from, as a file.
    with teach.expect_download() as download:
        teach.get_by_test_id("download-results").click()
    assert download.value.suggested_filename == f"room-{code}-results.csv"
    rows = list(csv.DictReader(io.StringIO(saved(download))))
    assert [r["name"] for r in rows].count("Ana") == 1
    assert {r["name"] for r in rows} == {"Ana", "Ben", "Ana (2)", "Lou"}
    ana_row = next(r for r in rows if r["name"] == "Ana")
    assert ana_row["challenge"] == "test loss at most 0.2"
    assert ana_row["reached goal"] == "yes"
    assert float(ana_row["best test loss"]) <= 0.2
    assert ana_row["architecture"].startswith("4-")  # four features in, as Ana chose
    with teach.expect_download() as download:
        teach.get_by_test_id("download-results-json").click()
    results = json.loads(saved(download))
    assert results["code"] == code and results["goalText"] == "test loss at most 0.2"

    # A student keeps their own network: the snapshot's restore fields, named as theirs.
    ana.get_by_test_id("play").click()  # pause, so the file and the screen agree
    ana.wait_for_function("() => !window.playground.server.playing")
    with ana.expect_download() as download:
        ana.get_by_test_id("download-network").click()
    name = download.value.suggested_filename
    assert re.fullmatch(f"network-Ana-room-{code}-epoch-\\d+\\.json", name), name
    network = json.loads(saved(download))
    assert network["config"]["xSquared"] is True and network["epoch"] > 0
    assert {"weights", "biases", "dead"} <= network.keys()
    assert len(network["weights"]) == 3  # 4 inputs -> 4 -> 2 -> 1
