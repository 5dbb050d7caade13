"""The playground in a real Chromium against a real server: drawing, training, editing, the URL."""

from __future__ import annotations

import re
from urllib.parse import parse_qsl

import pytest

DEFAULT_LINK = (
    "#activation=tanh&batchSize=10&dataset=circle&regDataset=reg-plane&learningRate=0.03"
    "&regularizationRate=0&noise=0&networkShape=4,2&seed=0.12345&showTestData=false"
    "&discretize=false&percTrainData=50&x=true&y=true&xTimesY=false&xSquared=false"
    "&ySquared=false&cosX=false&sinX=false&cosY=false&sinY=false&collectStats=false"
    "&problem=classification&initZero=false&hideText=false"
)
EPOCH = "() => Number(document.querySelector('[data-testid=epoch]').dataset.epoch)"
NODES = "document.querySelectorAll('.network .node[data-node]').length"
PAINTS = "Number(document.querySelector('[data-testid=output-heatmap]').dataset.paints)"
DATA_SEED = "() => (window.playground || {{}}).data?.seed === '{}'"


def tid(name: str) -> str:
    return f'[data-testid="{name}"]'


def epoch(page) -> int:
    return page.evaluate(EPOCH)


def wait_epoch(page, value: int) -> None:
    page.wait_for_function(
        f"() => ({EPOCH})() === {value} && window.playground.frame.epoch === {value}"
    )


def hash_pairs(page) -> dict[str, str]:
    return dict(parse_qsl(page.evaluate("location.hash").lstrip("#"), keep_blank_values=True))


def test_first_frame_is_drawn(open_playground):
    page = open_playground("#seed=0.12345")
    assert page.text_content(tid("epoch")) == "000,000"
    assert page.get_attribute(tid("connection-status"), "data-state") == "connected"
    colours = page.evaluate(
        """() => {
          const c = document.querySelector('[data-testid=output-heatmap]');
          const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
          const seen = new Set();
          let opaque = true;
          for (let i = 0; i < d.length; i += 4) {
            opaque = opaque && d[i + 3] === 255;
            seen.add(d[i] << 16 | d[i + 1] << 8 | d[i + 2]);
          }
          return [seen.size, opaque];
        }"""
    )
    assert colours[1], "every cell of the output heatmap is painted"
    assert colours[0] >= 2, "the output heatmap shows more than one shade"
    # 2 inputs + 4 + 2 hidden + the output, and the 5 inactive features beside them.
    assert page.locator(".network .node[data-node]").count() == 9
    assert page.locator(".network .node.feature.inactive").count() == 5
    assert re.fullmatch(r"\d\.\d{3}", page.text_content(tid("test-loss")))
    assert "seed=" in page.evaluate("location.hash"), "the server's seed is written to the hash"


def test_play_trains_circle_below_0_05(open_playground):
    page = open_playground("#seed=0.12345")
    page.select_option(tid("speed"), "max")
    page.click(tid("play"))
    page.wait_for_function(f"() => ({EPOCH})() > 20")
    first = epoch(page)
    page.wait_for_function(f"() => ({EPOCH})() > {first}")
    page.wait_for_function(
        "() => Number(document.querySelector('[data-testid=test-loss]').textContent) < 0.05",
        timeout=30000,
    )
    assert page.get_attribute(tid("play"), "aria-label") == "Pause"
    page.click(tid("play"))
    page.wait_for_function("() => !window.playground.server.playing")


def test_step_advances_exactly_one_epoch(open_playground):
    page = open_playground("#seed=0.2")
    page.click(tid("step"))
    wait_epoch(page, 1)
    page.click(tid("step"))
    wait_epoch(page, 2)
    assert page.text_content(tid("epoch")) == "000,002"
    page.locator("body").press("ArrowRight")
    wait_epoch(page, 3)
    assert not page.evaluate("window.playground.frame.playing")


def nodes(page) -> int:
    return page.locator(".network .node[data-node]").count()


def test_changes_redraw_the_network_and_restart(open_playground):
    page = open_playground("#seed=0.3")

    def changed(action, expect_nodes):
        page.click(tid("step"))
        page.wait_for_function(f"() => ({EPOCH})() >= 1")
        paints = int(page.get_attribute(tid("output-heatmap"), "data-paints"))
        action()
        wait_epoch(page, 0)
        page.wait_for_function(f"() => {NODES} === {expect_nodes}")
        page.wait_for_function(f"() => {PAINTS} > {paints}")

    before = page.evaluate("window.playground.data.train[0]")
    changed(lambda: page.click(tid("dataset-xor")), 9)
    assert page.evaluate("window.playground.server.config.dataset") == "xor"
    assert page.evaluate("window.playground.data.train[0]") != before
    assert page.get_attribute(tid("dataset-xor"), "aria-pressed") == "true"
    changed(lambda: page.click(tid("add-layer")), 11)
    assert page.text_content(tid("layer-count")) == "3"
    changed(lambda: page.click(tid("add-neuron-0")), 12)
    assert page.evaluate("window.playground.server.config.networkShape") == [5, 2, 2]
    changed(lambda: page.click(tid("remove-neuron-1")), 11)
    changed(lambda: page.click(tid("feature-xSquared")), 12)
    assert page.get_attribute(tid("feature-xSquared"), "aria-pressed") == "true"
    assert page.evaluate("window.playground.server.inputs") == ["x", "y", "xSquared"]
    changed(lambda: page.click(tid("remove-layer")), 10)
    assert hash_pairs(page)["networkShape"] == "5,1"
    assert hash_pairs(page)["xSquared"] == "true"


def test_url_round_trip(open_playground, page):
    link = (
        "#activation=relu&regularization=L2&batchSize=5&dataset=xor&regDataset=reg-plane"
        "&learningRate=0.1&regularizationRate=0.001&noise=10&networkShape=3,3&seed=abc"
        "&showTestData=true&discretize=true&percTrainData=70&x=true&y=false&xTimesY=true"
        "&xSquared=false&ySquared=false&cosX=false&sinX=true&cosY=false&sinY=false"
        "&collectStats=false&problem=classification&initZero=false&hideText=false"
    )
    open_playground(link)
    assert page.evaluate("location.hash") == link
    config = page.evaluate("window.playground.server.config")
    assert config["activation"] == "relu" and config["regularization"] == "L2"
    assert config["networkShape"] == [3, 3] and config["seed"] == "abc"
    assert config["learningRate"] == 0.1 and config["noise"] == 10 and config["percTrainData"] == 70
    assert page.evaluate("window.playground.server.inputs") == ["x", "xTimesY", "sinX"]
    page.wait_for_function(DATA_SEED.format("abc"))
    data = page.evaluate("window.playground.data")
    page.select_option(tid("learning-rate"), "0.3")
    page.wait_for_function("() => window.playground.server.config.learningRate === 0.3")
    assert hash_pairs(page)["learningRate"] == "0.3"
    page.reload()
    page.wait_for_function(DATA_SEED.format("abc"))
    assert page.input_value(tid("learning-rate")) == "0.3"
    assert page.input_value(tid("activation")) == "relu"
    assert page.input_value(tid("regularization")) == "L2"
    assert page.input_value(tid("noise")) == "10"
    assert page.input_value(tid("ratio")) == "70"
    assert page.is_checked(tid("show-test-data")) and page.is_checked(tid("discretize"))
    assert page.evaluate("window.playground.data") == data, "same seed, same points"


def test_an_original_link_gives_the_seeds_data_and_weights(open_playground, page):
    open_playground(DEFAULT_LINK)
    page.wait_for_function(DATA_SEED.format("0.12345"))
    # The spec's check values, exactly: points and weights travel in full float64.
    assert page.evaluate("window.playground.data.train[0]") == [
        4.618077316847547,
        -1.8354395887379444,
        -1,
    ]
    first = page.evaluate("Array.from(window.playground.frame.weights[0].slice(0, 4))")
    expected = [0.151190120454, 0.339542244844, 0.334641918778, -0.065765966974]
    assert first == pytest.approx(expected, abs=1e-12)
    assert page.evaluate("location.hash") == DEFAULT_LINK


def test_hide_text_and_hidden_controls(open_playground, page):
    open_playground("#seed=1&hideText=true&playButton_hide=true&noise_hide=true")
    assert not page.is_visible(tid("play"))
    assert not page.is_visible(tid("noise"))
    assert page.is_visible(tid("step")) and page.is_visible(tid("ratio"))
    assert not page.is_visible("article")
    assert hash_pairs(page)["playButton_hide"] == "true"


def test_click_a_link_or_bias_to_edit_it(open_playground, page):
    open_playground("#seed=0.12345")
    # A straight link has no height for Playwright's visibility check: aim at its midpoint.
    x, y = page.eval_on_selector(
        tid("link-0-0-0"),
        """p => { const q = p.getPointAtLength(p.getTotalLength() / 2), m = p.getScreenCTM();
                  return [q.x * m.a + m.e, q.y * m.d + m.f]; }""",
    )
    page.mouse.move(x, y)
    page.wait_for_selector(tid("weight-tooltip"))
    assert page.text_content(tid("weight-tooltip")) == "Weight is 0.151"
    page.mouse.click(x, y)
    page.fill(tid("weight-input"), "1.5")
    page.press(tid("weight-input"), "Enter")
    page.wait_for_function("() => window.playground.frame.weights[0][0] === 1.5")
    page.locator(tid("bias-2-0")).click()
    page.fill(tid("weight-input"), "-0.5")
    page.press(tid("weight-input"), "Enter")
    page.wait_for_function("() => window.playground.frame.biases[2][0] === -0.5")
    assert epoch(page) == 0, "an edit does not reset"
    assert page.evaluate("window.playground.frame.weights[0][0]") == 1.5


def test_keyboard_and_help(open_playground, page):
    open_playground("#seed=0.4")
    body = page.locator("body")
    body.press("?")
    assert page.is_visible(tid("help"))
    body.press("Escape")
    assert not page.is_visible(tid("help"))
    body.press(" ")
    page.wait_for_function("() => window.playground.server.playing")
    body.press(" ")
    page.wait_for_function("() => !window.playground.server.playing")
    page.wait_for_function(f"() => ({EPOCH})() === window.playground.server.epoch")
    if epoch(page) == 0:
        body.press("ArrowRight")
        wait_epoch(page, 1)
    body.press("r")
    wait_epoch(page, 0)


def test_server_errors_show_next_to_their_control(open_playground, page):
    open_playground("#seed=0.5&networkShape=20,2")
    error = page.locator('[data-error-for="networkShape"]')
    error.wait_for()
    assert "Hidden layers" in error.text_content()  # the control as the page names it
    assert page.evaluate("window.playground.server.config.networkShape") == [4, 2]
    assert hash_pairs(page)["networkShape"] == "4,2", "the hash goes back to the valid config"


def test_a_large_network_shows_its_real_pace_beside_the_speed(open_playground):
    features = "&".join(f"{k}=true" for k in ("x", "y", "xTimesY", "xSquared", "ySquared"))
    page = open_playground(
        f"#seed=0.3&dataset=spiral&networkShape=8,8,8,8,8,8&batchSize=1&percTrainData=90&{features}"
    )
    assert page.is_hidden(tid("pace"))
    page.select_option(tid("speed"), "300")
    page.click(tid("play"))
    # A network this large trains far below 300 epochs/s even alone: the page says so, in words.
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=pace]').hidden", timeout=20000
    )
    text = page.text_content(tid("pace"))
    assert re.fullmatch(r"now [\d.]+ epochs/s · large network", text), text
    assert "network is large" in page.get_attribute(tid("pace"), "title")
    page.click(tid("play"))
    page.wait_for_function("() => document.querySelector('[data-testid=pace]').hidden")
