"""Phones, tablets and projectors: every page fits its screen, targets are large enough for a
finger, a tap gives what hovering gives, and on a projector nothing overlaps, clips or scrolls."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

WAIT = 20000  # ms
BIG = (
    "#dataset=spiral&networkShape=8,8,8,8,8,8&seed=0.5&x=true&y=true&xSquared=true&ySquared=true"
    "&xTimesY=true&sinX=true&sinY=true"
)
TOUCH = {"phone": (390, 844), "tablet": (820, 1180)}
PROJECTOR = {"720p": (1280, 720), "1080p": (1920, 1080)}
READY = {
    "/": "() => window.playground && window.playground.stats.frames > 0",
    "/lessons/backprop": "() => document.body.dataset.ready === '1'",
    "/lessons/linear-regression": "() => document.body.dataset.loaded === '1'",
    "/classroom": "() => true",
}

NO_SIDEWAYS_SCROLL = """() => innerWidth === document.documentElement.clientWidth
  && document.documentElement.scrollWidth <= innerWidth"""

# Every visible control a finger may need, with the box a tap lands in (a checkbox's or radio's
# label counts, as a tap on it toggles it); links inside running text are exempt, as WCAG says.
SMALL_TARGETS = """() => {
  const small = [];
  const sel = 'button, select, input, a[href], [role=button], [tabindex]:not([tabindex="-1"])';
  for (const el of document.querySelectorAll(sel + ', .bias-hit')) {
    if (el.closest('[hidden], [aria-hidden=true]') || el.classList.contains('hit')) continue;
    if (el.tagName === 'A' && el.closest('p, li, td')) continue;
    const box = (el.closest('label') || el).getBoundingClientRect();
    if (box.width === 0 && box.height === 0) continue;
    if (box.width < 23.5 || box.height < 23.5) {
      const name = el.dataset.testid || el.className.baseVal || el.className || el.textContent;
      small.push(`${el.tagName} ${name} ${Math.round(box.width)}x${Math.round(box.height)}`);
    }
  }
  return small;
}"""


def touch_page(browser, size: str):
    width, height = TOUCH[size]
    context = browser.new_context(
        viewport={"width": width, "height": height}, has_touch=True, is_mobile=True
    )
    return context.new_page()


def inside_width(page, testid: str) -> None:
    box = page.get_by_test_id(testid).bounding_box()
    assert box is not None, testid
    assert box["x"] >= 0 and box["x"] + box["width"] <= page.viewport_size["width"], testid


@pytest.mark.parametrize("size", list(TOUCH))
@pytest.mark.parametrize("path", list(READY))
def test_touch_screens_never_scroll_sideways(server, browser, size, path):
    page = touch_page(browser, size)
    try:
        page.goto(server.url + path + ("#seed=0.12345" if path == "/" else ""))
        page.wait_for_function(READY[path], timeout=WAIT)
        assert page.evaluate(NO_SIDEWAYS_SCROLL), "the page scrolls sideways"
        assert page.evaluate(SMALL_TARGETS) == []
        if path == "/":
            for testid in ("play", "step", "reset", "speed", "output-heatmap", "test-loss"):
                inside_width(page, testid)
    finally:
        page.context.close()


@pytest.mark.parametrize("size", list(TOUCH))
def test_a_big_network_scrolls_inside_its_own_panel(server, browser, size):
    page = touch_page(browser, size)
    try:
        page.goto(server.url + "/" + BIG)
        page.wait_for_function(READY["/"], timeout=WAIT)
        assert page.evaluate(NO_SIDEWAYS_SCROLL)
        panel = page.get_by_test_id("network")
        inside_width(page, "network")
        if size == "phone":
            assert panel.evaluate("el => el.scrollWidth > el.clientWidth"), "the diagram scrolls"
        inside_width(page, "output-heatmap")
        inside_width(page, "play")
    finally:
        page.context.close()


def test_room_pages_fit_a_phone(server, browser):
    teach = touch_page(browser, "phone")
    learn = touch_page(browser, "phone")
    try:
        teach.goto(server.url + "/classroom/new")
        teach.get_by_test_id("create-room").tap()
        expect(teach.get_by_test_id("room-code")).to_have_text(re.compile(r"^[A-Z2-9]{6}$"))
        learn.goto(
            f"{server.url}/classroom/join?code={teach.get_by_test_id('room-code').inner_text()}"
        )
        learn.get_by_test_id("join-name").fill("Ana")
        learn.get_by_test_id("join-submit").tap()
        for page in (teach, learn):
            page.wait_for_function(READY["/"], timeout=WAIT)
            assert page.evaluate(NO_SIDEWAYS_SCROLL)
            assert page.evaluate(SMALL_TARGETS) == []
            inside_width(page, "play")
            inside_width(page, "output-heatmap")
    finally:
        teach.context.close()
        learn.context.close()


def test_a_tap_gives_what_hovering_gives(server, browser):
    page = touch_page(browser, "tablet")
    try:
        page.goto(server.url + "/#seed=0.12345")
        page.wait_for_function(READY["/"], timeout=WAIT)
        # A neuron: shown large until tapped again.
        neuron = page.locator('.network .node[data-node="3"]')
        neuron.tap()
        page.wait_for_function("() => window.playground.frame.focus === 3", timeout=WAIT)
        expect(page.locator(".heatmap-label")).to_have_text("Neuron 2 of hidden layer 1")
        expect(neuron).to_have_attribute("aria-pressed", "true")
        neuron.tap()
        page.wait_for_function("() => window.playground.frame.focus === -1", timeout=WAIT)
        # A bias: its name and value, ready to edit.
        page.get_by_test_id("bias-0-1").tap()
        editor = page.get_by_test_id("weight-input")
        expect(editor).to_be_visible()
        expect(editor).to_have_accessible_name("Bias of H1,2")
        assert editor.input_value() == "0.1"
        expect(page.get_by_test_id("weight-tooltip")).to_be_hidden()
    finally:
        page.context.close()


# Text on the page: each run of text with its box and its size on the screen (SVG text scaled
# by its picture), leaving out what its own scrolling box hides (a ledger's earlier rows).
TEXTS = """() => {
  const out = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const el = n.parentElement;
    if (!n.textContent.trim() || !el || el.closest('script, style, [hidden], option')) continue;
    const style = getComputedStyle(el);
    if (style.visibility === 'hidden' || style.opacity === '0') continue;
    const range = document.createRange();
    range.selectNodeContents(n);
    const rects = [...range.getClientRects()].filter(r => r.width > 0 && r.height > 0);
    if (!rects.length) continue;
    let clip = null;
    for (let a = el.parentElement; a && a !== document.body; a = a.parentElement) {
      const o = getComputedStyle(a);
      if (o.overflowX !== 'visible' || o.overflowY !== 'visible' || a.tagName === 'svg') {
        clip = a.getBoundingClientRect();
        // A box that scrolls shows part of a line at its edges: only a box that cuts counts.
        clip.scrolls = /auto|scroll/.test(o.overflowX + o.overflowY);
        break;
      }
    }
    let size = parseFloat(style.fontSize);
    if (el instanceof SVGElement) size *= el.getScreenCTM().a;
    for (const r of rects) {
      const box = [r.left, r.top, r.right, r.bottom];
      const hiddenByBox = clip && (r.bottom <= clip.top || r.top >= clip.bottom);
      const clipped = clip && !clip.scrolls && (r.left < clip.left - 1 || r.right > clip.right + 1
        || r.top < clip.top - 1 || r.bottom > clip.bottom + 1);
      if (!hiddenByBox) out.push({ text: n.textContent.trim().slice(0, 24), box, size, clipped });
    }
  }
  for (const el of document.querySelectorAll('select, input')) {
    const r = el.getBoundingClientRect();
    if (r.width && r.height && !el.closest('[hidden]')) {
      out.push({ text: el.value.slice(0, 24), box: [r.left, r.top, r.right, r.bottom],
                 size: parseFloat(getComputedStyle(el).fontSize), clipped: false, control: true });
    }
  }
  return out;
}"""


def overlaps(a, b) -> bool:
    (l1, t1, r1, b1), (l2, t2, r2, b2) = a, b
    return min(r1, r2) - max(l1, l2) > 1.5 and min(b1, b2) - max(t1, t2) > 1.5


def check_projector_screen(page, width: int, height: int, min_size: float) -> None:
    fits = "(d => d.scrollWidth <= innerWidth && d.scrollHeight <= innerHeight)"
    fits += "(document.documentElement)"
    assert page.evaluate(fits), "the page scrolls"
    texts = page.evaluate(TEXTS)
    assert len(texts) > 20
    outside = [
        t["text"]
        for t in texts
        if t["box"][0] < 0
        or t["box"][1] < 0
        or t["box"][2] > width + 0.5
        or t["box"][3] > height + 0.5
    ]
    assert outside == [], "text outside the screen"
    assert [t["text"] for t in texts if t["clipped"]] == [], "text cut off by its box"
    small = sorted({(t["text"], round(t["size"], 1)) for t in texts if t["size"] < min_size})
    assert small == [], f"text under {min_size} px"
    words = [t for t in texts if not t.get("control")]
    clashes = [
        (a["text"], b["text"])
        for i, a in enumerate(words)
        for b in words[i + 1 :]
        if overlaps(a["box"], b["box"])
    ]
    assert clashes == [], "labels overlap"


@pytest.mark.parametrize("size", list(PROJECTOR))
@pytest.mark.parametrize("path", ["/", "/lessons/backprop", "/lessons/linear-regression"])
def test_projector_fills_the_screen_and_nothing_overlaps(server, browser, size, path):
    width, height = PROJECTOR[size]
    page = browser.new_context(viewport={"width": width, "height": height}).new_page()
    try:
        url = (
            server.url + path + ("#seed=0.12345&projector=true" if path == "/" else "?projector=1")
        )
        page.goto(url)
        page.wait_for_function(READY[path], timeout=WAIT)
        if path == "/lessons/backprop":
            page.keyboard.press("End")  # every value on the figure
            expect(page.get_by_test_id("bp-counter")).to_have_text(re.compile(r"Step (\d+) of \1"))
        check_projector_screen(page, width, height, 20 if size == "1080p" else 12)
        if path == "/":
            heat = page.get_by_test_id("output-heatmap").bounding_box()
            # The heatmap grows with the screen: over 40 % of its height.
            assert heat["height"] > 0.4 * height
    finally:
        page.context.close()


def test_a_tapped_weight_leads_to_the_inspector(server, browser):
    page = touch_page(browser, "phone")
    try:
        page.goto(server.url + "/#seed=0.12345")
        page.wait_for_function(READY["/"], timeout=WAIT)
        page.get_by_test_id("bias-0-1").tap()
        page.get_by_test_id("weight-explain").tap()
        panel = page.get_by_test_id("inspector-panel")
        expect(panel).to_contain_text("bH1,2 = ")  # the bias of H1,2, its chain rule below
        expect(page.get_by_test_id("inspector-to")).to_have_value("1")
        expect(page.get_by_test_id("inspector-from")).to_have_value("bias")
    finally:
        page.context.close()
