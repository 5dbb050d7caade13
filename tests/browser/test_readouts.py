"""Honest readouts: divergence in every loss readout and on the chart, a stuck network told to
start again, a lesson that shows no numbers of points that are gone."""

from __future__ import annotations

import re

from playwright.sync_api import expect

WAIT = 30000  # ms

RED_AT_RIGHT = """() => {
  const c = document.querySelector('[data-testid=loss-chart]');
  const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
  let red = 0;
  for (let i = 0; i < d.length; i += 4) red += d[i] > 150 && d[i + 1] < 90 && d[i + 3] > 0;
  return red;
}"""


def play_at_max(page) -> None:
    page.get_by_test_id("speed").select_option("max")
    page.get_by_test_id("play").click()


def test_a_diverged_run_says_diverged_everywhere(open_playground, page):
    open_playground("#seed=0.1&problem=regression&activation=relu&learningRate=10")
    play_at_max(page)
    expect(page.get_by_test_id("diverged")).to_be_visible(timeout=WAIT)
    expect(page.get_by_test_id("test-loss")).to_have_text("diverged")
    expect(page.get_by_test_id("train-loss")).to_have_text("diverged")
    chart = page.get_by_test_id("loss-chart")
    expect(chart).to_have_attribute(
        "aria-label",
        "Loss over epochs: training grey, test black; "
        f"diverged at epoch {chart.get_attribute('data-diverged-at')} (red line)",
    )
    page.wait_for_function(f"() => ({RED_AT_RIGHT})() > 10")
    # A reset brings numbers back, and the mark goes.
    page.get_by_test_id("diverged").get_by_role("button").click()
    page.wait_for_function(
        "() => window.playground.frame.epoch === 0 && !window.playground.frame.diverged"
    )
    expect(page.get_by_test_id("test-loss")).to_have_text(re.compile(r"^\d+\.\d{3}$"))
    page.wait_for_function(f"() => ({RED_AT_RIGHT})() === 0")


def test_a_saturated_network_is_told_to_start_again(open_playground, page):
    open_playground("#seed=0.2&activation=tanh&learningRate=10")
    saturated = page.get_by_test_id("saturated")
    expect(saturated).to_be_hidden()
    play_at_max(page)
    expect(saturated).to_be_visible(timeout=WAIT)
    assert "reset" in saturated.inner_text()
    assert page.evaluate("window.playground.frame.epoch") >= 100
    saturated.get_by_role("button", name="reset").click()
    page.wait_for_function("() => window.playground.frame.epoch < 100")
    expect(saturated).to_be_hidden()


def test_a_learning_network_gets_no_such_hint(open_playground, page):
    open_playground("#seed=0.12345")
    play_at_max(page)
    page.wait_for_function("() => window.playground.frame.epoch >= 400", timeout=WAIT)
    expect(page.get_by_test_id("saturated")).to_be_hidden()


def test_clear_points_leaves_no_numbers_of_the_old_points(server, page):
    page.goto(server.url + "/lessons/linear-regression")
    page.wait_for_function("() => document.body.dataset.loaded === '1'")
    page.keyboard.press("ArrowRight")
    expect(page.get_by_test_id("lr-J")).not_to_have_text("—")
    page.get_by_test_id("lr-clear").click()
    page.get_by_test_id("lr-status").filter(has_text="at least two").wait_for()
    for testid in ("lr-m", "lr-b", "lr-J", "lr-dm", "lr-db", "lr-mstar", "lr-bstar", "lr-limit"):
        expect(page.get_by_test_id(testid)).to_have_text("—")
    expect(page.get_by_test_id("lr-t")).to_have_text("0")
    blank = page.evaluate("""() => {
      const c = document.querySelector('[data-testid=lr-contour]');
      return c.getContext('2d').getImageData(0, 0, c.width, c.height).data.every(v => v === 0);
    }""")
    assert blank, "the contour of the old points is gone"


def test_the_page_says_what_its_link_holds(open_playground, page):
    open_playground("#seed=0.3")
    text = page.locator("article").inner_text()
    assert "weights you typed in" in text and "exactly this experiment" not in text
