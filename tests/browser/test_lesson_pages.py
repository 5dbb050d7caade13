"""The lesson pages in Chromium: the worked example's numbers, the linear-regression run."""

import json

import numpy as np
import pytest


def number(page, testid: str) -> float:
    return float(page.get_by_test_id(testid).inner_text())


def test_backprop_steps_show_the_lecture_numbers_by_keyboard(server, page):
    page.goto(server.url + "/lessons/backprop")
    page.wait_for_function("() => document.body.dataset.ready === '1'")
    counter = page.get_by_test_id("bp-counter")
    total = int(counter.inner_text().split()[-1])
    for _ in range(total):
        page.keyboard.press("ArrowRight")
    page.wait_for_function(f"() => document.querySelectorAll('#bp-rows tr').length === {total}")
    assert round(number(page, "value-out_h1"), 4) == 0.5933
    assert round(number(page, "value-out_o1"), 4) == 0.6352
    assert round(number(page, "value-dE_dw5"), 4) == 0.1719
    assert page.get_by_test_id("value-dE_dw1").inner_text() == "5.5401e-04"
    assert page.get_by_test_id("lecture-dE_dw1").inner_text().startswith("5.5090e-04")
    assert "misprint" in page.get_by_test_id("lecture-dnet_o2_dw1").inner_text()
    page.keyboard.press("ArrowLeft")
    page.wait_for_function(f"() => document.querySelectorAll('#bp-rows tr').length === {total - 1}")


def test_backprop_half_convention_and_training(server, page):
    page.goto(server.url + "/lessons/backprop?projector=1")
    page.wait_for_function("() => document.body.dataset.ready === '1'")
    assert "projector" in page.locator("body").get_attribute("class")
    page.get_by_test_id("convention-half").check()
    page.wait_for_function("() => document.body.dataset.convention === 'half'")
    page.get_by_test_id("bp-all").click()
    assert round(number(page, "value-dE_dw5"), 4) == round(0.1718965 / 2, 4)
    page.get_by_test_id("bp-iterations").select_option("100")
    page.get_by_test_id("bp-train").click()
    result = page.get_by_test_id("bp-train-result")
    result.filter(has_text="after 100 updates").wait_for()
    before, after = (
        float(v) for v in result.inner_text().split(":")[1].split("after")[0].split("→")
    )
    assert after < before


@pytest.fixture
def linreg_page(server, page):
    page.goto(server.url + "/lessons/linear-regression")
    page.wait_for_function("() => document.body.dataset.loaded === '1'")
    return page


def reload_with(page, button: str, count: int) -> None:
    page.get_by_test_id(button).click()
    page.wait_for_function(f"() => document.body.dataset.loaded === '{count}'")
    page.keyboard.press("End")


def test_linear_regression_converges_to_polyfit(linreg_page):
    page = linreg_page
    reload_with(page, "lr-near-limit", 2)
    page.get_by_test_id("lr-status").filter(has_text="converged").wait_for()
    points = np.array(json.loads(page.get_by_test_id("lr-data").get_attribute("data-points")))
    m, b = np.polyfit(points[:, 0], points[:, 1], 1)
    assert number(page, "lr-m") == pytest.approx(m, abs=1e-5)
    assert number(page, "lr-b") == pytest.approx(b, abs=1e-5)


def test_linear_regression_diverges_above_the_limit(linreg_page):
    page = linreg_page
    limit = number(page, "lr-limit")
    reload_with(page, "lr-over-limit", 2)
    page.get_by_test_id("lr-status").filter(has_text="diverged").wait_for()
    assert float(page.get_by_test_id("lr-alpha").input_value()) > limit
    assert number(page, "lr-J") > 1e12


def test_linear_regression_step_and_click_in_points(linreg_page):
    page = linreg_page
    page.keyboard.press("ArrowRight")
    page.get_by_test_id("lr-t").filter(has_text="1").wait_for()
    page.get_by_test_id("lr-clear").click()
    page.get_by_test_id("lr-status").filter(has_text="at least two").wait_for()
    canvas = page.get_by_test_id("lr-data")
    canvas.click(position={"x": 100, "y": 300})
    canvas.click(position={"x": 400, "y": 100})
    page.wait_for_function(
        "() => JSON.parse(document.querySelector('#lr-data').dataset.points || '[]').length === 2"
    )
    assert number(page, "lr-mstar") > 0  # the second click is up and to the right


def test_playground_inspector_updates_live_and_shows_the_mode_formula(server, page):
    page.goto(server.url + "/")
    page.get_by_test_id("inspector-toggle").click()
    gradient = page.get_by_test_id("inspector-gradient")
    gradient.wait_for()
    page.get_by_test_id("inspector-layer").select_option("1")
    page.get_by_test_id("inspector-panel").filter(has_text="h1,1→h2,1 =").wait_for()
    page.get_by_test_id("inspector-paths").wait_for()
    first = float(gradient.get_attribute("data-value"))
    page.get_by_test_id("step").click()
    page.get_by_test_id("epoch").filter(has_text="1").wait_for()
    page.wait_for_function(
        "() => document.querySelector('[data-testid=inspector-panel]')"
        ".textContent.includes('epoch 1')"
    )
    exact = {
        key: float(page.get_by_test_id(f"inspector-{key}").get_attribute("data-value"))
        for key in ("value", "gradient", "updated")
    }
    assert exact["gradient"] != first
    assert exact["updated"] == pytest.approx(exact["value"] - 0.03 * exact["gradient"], abs=1e-12)
    page.get_by_test_id("gd-mode").select_option("stochastic")
    formula = page.get_by_test_id("gd-formula")
    formula.filter(has_text="J(xi, yi; θ)").wait_for()
    assert "one training point per update" in formula.get_attribute("title")
    page.get_by_test_id("inspector-batch").check()
    page.get_by_test_id("inspector-panel").filter(has_text="next mini-batch (1 point)").wait_for()
