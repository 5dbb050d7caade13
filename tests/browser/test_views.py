"""Projector mode, screenshots of the default and projector views, reconnecting after a restart."""

from __future__ import annotations

BIG = (
    "#dataset=spiral&networkShape=8,8,8,8,8,8&seed=0.5&x=true&y=true&xSquared=true&ySquared=true"
    "&xTimesY=true&sinX=true&sinY=true"
)
SNAPSHOT = """({
  w: window.playground.frame.weights.map(a => Array.from(a)),
  b: window.playground.frame.biases.map(a => Array.from(a)),
  p: window.playground.data.train[0],
})"""
RECONNECTED = "() => (s => s.connects >= 2 && s.framesThisConnect > 0)(window.playground.stats)"
NO_SCROLLBARS = """() => {
  const d = document.documentElement;
  return d.scrollWidth <= d.clientWidth && d.scrollHeight <= d.clientHeight;
}"""


def tid(name: str) -> str:
    return f'[data-testid="{name}"]'


def train_a_while(page, epochs: int) -> None:
    page.select_option(tid("speed"), "max")
    page.click(tid("play"))
    page.wait_for_function(f"() => window.playground.frame.epoch >= {epochs}", timeout=30000)
    page.click(tid("play"))
    page.wait_for_function("() => !window.playground.server.playing")
    page.wait_for_function("() => !window.playground.frame.playing")


def test_default_view_screenshot(open_playground, page, artifacts):
    open_playground("#seed=0.12345")
    train_a_while(page, 300)
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=str(artifacts / "screenshot.png"))
    assert float(page.text_content(tid("test-loss"))) < 0.1


def test_projector_mode_fits_1280_by_720(open_playground, page, artifacts):
    page.set_viewport_size({"width": 1280, "height": 720})
    open_playground(BIG + "&projector=true")
    assert page.evaluate("document.body.classList.contains('projector')")
    assert page.get_attribute(tid("projector"), "aria-pressed") == "true"
    train_a_while(page, 150)
    assert page.evaluate(NO_SCROLLBARS), "projector mode scrolls at 1280 x 720"
    for name in ("play", "step", "reset", "epoch", "output-heatmap", "test-loss", "add-layer"):
        box = page.locator(tid(name)).bounding_box()
        assert box and box["y"] + box["height"] <= 720 and box["x"] + box["width"] <= 1280, name
    last = page.locator(".network .node[data-node]").last.bounding_box()
    assert last["y"] + last["height"] <= 720
    page.screenshot(path=str(artifacts / "screenshot-projector.png"))
    # The toggle goes both ways and is kept in the URL.
    page.click(tid("projector"))
    assert not page.evaluate("document.body.classList.contains('projector')")
    assert "projector=true" not in page.evaluate("location.hash")
    page.keyboard.press("p")
    assert "projector=true" in page.evaluate("location.hash")


def test_default_view_fits_1024_wide(open_playground, page):
    page.set_viewport_size({"width": 1024, "height": 768})
    open_playground(BIG)
    assert page.evaluate("(d => d.scrollWidth <= d.clientWidth)(document.documentElement)")
    heat = page.locator(tid("output-heatmap")).bounding_box()
    network = page.locator(tid("network")).bounding_box()
    assert network["x"] + network["width"] <= heat["x"], "the diagram does not run under the output"


def test_colour_blind_palette(open_playground, page):
    open_playground("#seed=0.12345")
    before = page.evaluate("getComputedStyle(document.body).getPropertyValue('--neg')")
    page.check(tid("colorblind"))
    assert "colorblind=true" in page.evaluate("location.hash")
    assert page.evaluate("getComputedStyle(document.body).getPropertyValue('--neg')") != before


def test_reconnects_after_a_server_restart_and_goes_on(make_server, open_playground, page):
    server = make_server()
    open_playground("#seed=0.7", on=server)
    for n in range(1, 4):
        page.click(tid("step"))
        page.wait_for_function(f"() => window.playground.frame.epoch === {n}")
    page.click(tid("link-0-0-0"), force=True)
    page.fill(tid("weight-input"), "0.777")
    page.press(tid("weight-input"), "Enter")
    page.wait_for_function("() => window.playground.frame.weights[0][0] > 0.776")
    before = page.evaluate(SNAPSHOT)
    server.restart()
    page.wait_for_function(RECONNECTED, timeout=30000)
    assert page.get_attribute(tid("connection-status"), "data-state") == "connected"
    after = page.evaluate(SNAPSHOT)
    assert page.evaluate("window.playground.frame.epoch") == 3
    assert after == before, "the new session has the weights and data the page had"
    page.click(tid("step"))
    page.wait_for_function("() => window.playground.frame.epoch === 4")
    assert page.text_content(tid("epoch")) == "000,004"
