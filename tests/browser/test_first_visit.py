"""A first visit: the original's tips (dismissed for good), colour words that match what the page
shows, and a formula that never breaks inside a term."""

from __future__ import annotations

from playwright.sync_api import expect

ONE_LINE = """() => [...document.querySelectorAll('[data-testid=gd-formula] .formula-part')]
  .map(part => part.getClientRects().length)"""


def test_tips_show_once_and_stay_dismissed(open_playground, page):
    open_playground("#seed=0.12345")
    neuron = page.get_by_test_id("tip-neuron")
    weights = page.get_by_test_id("tip-weights")
    expect(neuron).to_have_text("This is the output from one neuron. Hover to see it larger.×")
    expect(weights).to_contain_text("shown by the thickness of the lines")
    neuron.get_by_role("button", name="Dismiss this tip").click()
    expect(neuron).to_have_count(0)
    page.get_by_test_id("add-neuron-1").click()  # the diagram is built again: still gone
    page.wait_for_function("() => window.playground.server.layers.join() === '2,4,3,1'")
    expect(neuron).to_have_count(0)
    expect(weights).to_be_visible()
    page.reload()
    page.wait_for_function("() => window.playground && window.playground.stats.frames > 0")
    expect(page.get_by_test_id("tip-neuron")).to_have_count(0)
    expect(page.get_by_test_id("tip-weights")).to_be_visible()


def test_tips_say_tap_on_a_touch_screen(server, browser):
    context = browser.new_context(viewport={"width": 820, "height": 1180}, has_touch=True)
    page = context.new_page()
    try:
        page.goto(server.url + "/#seed=0.12345")
        expect(page.get_by_test_id("tip-neuron")).to_contain_text("Tap to see it larger.")
    finally:
        context.close()


def test_colour_words_follow_the_palette_and_the_problem(open_playground, page):
    open_playground("#seed=0.12345")
    article = page.locator("article")
    expect(article).to_contain_text("separate the orange points from the blue ones")
    page.get_by_test_id("colorblind").check()
    expect(article).to_contain_text("separate the orange points from the dark blue ones")
    expect(article).to_contain_text("dark blue for positive and orange for negative")
    page.get_by_test_id("problem").select_option("regression")
    expect(article).to_contain_text("predict each point's value")
    expect(article).not_to_contain_text("points from the")


def test_the_gradient_descent_formula_breaks_only_between_terms(server, browser):
    for width in (390, 1280):
        context = browser.new_context(viewport={"width": width, "height": 900})
        page = context.new_page()
        try:
            page.goto(server.url + "/#seed=0.12345")
            page.wait_for_function("() => window.playground && window.playground.data")
            for mode in ("mini-batch", "stochastic", "batch"):
                page.get_by_test_id("gd-mode").select_option(mode)
                page.wait_for_function(f"() => ({ONE_LINE})().length === 3")
                assert page.evaluate(ONE_LINE) == [1, 1, 1], (width, mode)
        finally:
            context.close()
