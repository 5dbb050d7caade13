"""Keyboard and screen readers: axe-core on every page, the network edited by keyboard alone."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

axe_playwright = pytest.importorskip("axe_playwright_python.sync_playwright")

WAIT = 20000  # ms: a loaded 2-core machine runs other tests meanwhile
READY = {
    "/": "() => window.playground && window.playground.stats.frames > 0",
    "/lessons/backprop": "() => document.body.dataset.ready === '1'",
    "/lessons/linear-regression": "() => document.body.dataset.loaded === '1'",
    "/classroom": None,
}


def serious(page) -> list[str]:
    """axe-core's serious and critical violations on the page as it is now, one line each."""
    results = axe_playwright.Axe().run(page)
    found = []
    for v in results.response["violations"]:
        if v["impact"] in ("serious", "critical"):
            where = "; ".join(n["target"][0] for n in v["nodes"][:4])
            found.append(f"{v['id']} ({v['impact']}, {len(v['nodes'])}): {where}")
    return found


@pytest.mark.parametrize("path", list(READY))
@pytest.mark.parametrize("projector", [False, True], ids=["desk", "projector"])
def test_axe_finds_nothing_serious(server, page, path, projector):
    url = server.url + path
    if projector:
        url += "#seed=0.1&projector=true" if path == "/" else "?projector=1"
    page.goto(url)
    if READY[path]:
        page.wait_for_function(READY[path], timeout=WAIT)
    assert serious(page) == []


def test_axe_on_the_room_pages(server, browser):
    teach = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    learn = browser.new_context(viewport={"width": 390, "height": 844}, has_touch=True).new_page()
    try:
        teach.goto(server.url + "/classroom/new")
        assert serious(teach) == []
        teach.get_by_test_id("create-room").click()
        expect(teach.get_by_test_id("room-code")).to_have_text(re.compile(r"^[A-Z2-9]{6}$"))
        code = teach.get_by_test_id("room-code").inner_text()
        learn.goto(f"{server.url}/classroom/join?code={code}")
        assert serious(learn) == []
        learn.get_by_test_id("join-name").fill("Ana")
        learn.get_by_test_id("join-submit").click()
        for page in (teach, learn):
            page.wait_for_function("() => window.playground.stats.frames > 0", timeout=WAIT)
            assert page.locator("h1").count() >= 1, "a level-one heading names the page"
            assert serious(page) == []
        # A student who is not connected: the tile's picture fades, its words stay legible.
        expect(teach.get_by_test_id("gallery-tile")).to_have_count(1, timeout=WAIT)
        teach.evaluate(
            "document.querySelectorAll('.tile').forEach(t => t.classList.add('offline'))"
        )
        assert serious(teach) == []
    finally:
        teach.context.close()
        learn.context.close()


FOCUSED = "() => document.activeElement && document.activeElement.dataset.keyAt || null"


def tab_into_the_network(page) -> str:
    """Press Tab until the focus is in the network diagram; its place there."""
    for _ in range(80):
        page.keyboard.press("Tab")
        place = page.evaluate(FOCUSED)
        if place:
            return place
    raise AssertionError("Tab never reaches the network")


def test_a_weight_edited_by_keyboard_alone(open_playground, page):
    open_playground("#seed=0.12345")
    assert tab_into_the_network(page) == "0:0"  # the first feature, X1
    page.keyboard.press("ArrowRight")  # H1,1
    assert page.evaluate(FOCUSED) == "1:0"
    label = page.evaluate("document.activeElement.getAttribute('aria-label')")
    assert label.startswith("H1,1, neuron 1 of hidden layer 1")
    page.wait_for_function("() => window.playground.focus === 2")  # shown large, as on hover
    page.keyboard.press("ArrowDown")  # its bias
    page.keyboard.press("ArrowDown")  # the weight from X1
    link = page.locator('[data-testid="link-0-0-0"]')
    expect(link).to_be_focused()
    expect(link).to_have_attribute("aria-label", re.compile(r"^Weight from X1 to H1,1: 0\.151"))
    expect(page.get_by_test_id("weight-tooltip")).to_have_text("Weight is 0.151")
    page.keyboard.press("Enter")
    editor = page.get_by_test_id("weight-input")
    expect(editor).to_be_focused()
    expect(editor).to_have_accessible_name("Weight from X1 to H1,1")
    page.keyboard.type("0.5")
    page.keyboard.press("Enter")
    page.wait_for_function("() => window.playground.frame.weights[0][0] === 0.5")
    expect(link).to_be_focused()  # back where the edit began
    expect(link).to_have_attribute("aria-label", re.compile(r"^Weight from X1 to H1,1: 0\.500"))
    assert page.evaluate("window.playground.frame.epoch") == 0, "an edit does not reset"


def test_space_on_a_focused_feature_toggles_it(open_playground, page):
    open_playground("#seed=0.2")
    tab_into_the_network(page)
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")  # X1²
    expect(page.get_by_test_id("feature-xSquared")).to_be_focused()
    page.keyboard.press(" ")
    page.wait_for_function("() => window.playground.server.config.xSquared === true")
    assert not page.evaluate("window.playground.server.playing"), "Space toggled, it did not play"
    # The diagram was rebuilt around the new input: the focus stays on the same feature.
    expect(page.get_by_test_id("feature-xSquared")).to_be_focused()
    expect(page.get_by_test_id("feature-xSquared")).to_have_attribute("aria-pressed", "true")
    # A control clicked with the mouse leaves Space to the page: play.
    page.get_by_test_id("step").click()
    page.keyboard.press(" ")
    page.wait_for_function("() => window.playground.server.playing")


def test_home_and_end_on_the_backprop_lesson(server, page):
    page.goto(server.url + "/lessons/backprop")
    page.wait_for_function("() => document.body.dataset.ready === '1'")
    counter = page.get_by_test_id("bp-counter")
    total = int(counter.inner_text().split()[-1])
    page.keyboard.press("End")
    expect(counter).to_have_text(f"Step {total} of {total}")
    page.keyboard.press("Home")
    expect(counter).to_have_text(f"Step 0 of {total}")
