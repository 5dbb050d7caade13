"""Every control is there, named and wired: test ids, accessible names, modes, hover, divergence."""

from __future__ import annotations

TEST_IDS = [
    "play",
    "step",
    "reset",
    "epoch",
    "train-loss",
    "test-loss",
    "output-heatmap",
    "add-layer",
    "remove-layer",
    "learning-rate",
    "activation",
    "regularization",
    "regularization-rate",
    "problem",
    "batch-size",
    "noise",
    "ratio",
    "speed",
    "projector",
    "regenerate",
    *(f"dataset-{d}" for d in ("circle", "xor", "gauss", "spiral", "reg-plane", "reg-gauss")),
    *(f"feature-{k}" for k in ("x", "y", "xSquared", "ySquared", "xTimesY", "sinX", "sinY")),
    "add-neuron-0",
    "remove-neuron-0",
    "add-neuron-1",
    "remove-neuron-1",
]
UNNAMED = """() => [...document.querySelectorAll(
    'button, select, input, [role=button], a[href]')].filter(el => {
  const named = el.getAttribute('aria-label') || el.getAttribute('aria-labelledby')
    || (el.labels && el.labels.length) || el.textContent.trim() || el.title;
  return !named;
}).map(el => el.outerHTML.slice(0, 80))"""


def tid(name: str) -> str:
    return f'[data-testid="{name}"]'


def test_every_test_id_and_accessible_name(open_playground, page):
    open_playground("#seed=1")
    missing = [name for name in TEST_IDS if page.locator(tid(name)).count() != 1]
    assert missing == []
    assert page.evaluate(UNNAMED) == []
    assert page.get_by_role("button", name="Play").count() == 1
    assert page.get_by_role("combobox", name="Learning rate").count() == 1
    assert page.get_by_role("slider", name="Noise", exact=True).count() == 1
    for href in ("/lessons/backprop", "/lessons/linear-regression"):
        assert page.locator(f'nav a[href="{href}"]').count() == 1
    assert page.locator("#inspector-slot").count() == 1


def test_gradient_descent_modes_set_the_batch_size(open_playground, page):
    open_playground("#seed=2")
    page.wait_for_function("() => window.playground.data")
    n_train = page.evaluate("window.playground.data.train.length")
    page.select_option(tid("gd-mode"), "batch")
    page.wait_for_function(f"() => window.playground.server.config.batchSize === {n_train}")
    assert page.is_disabled(tid("batch-size"))
    page.select_option(tid("gd-mode"), "stochastic")
    page.wait_for_function("() => window.playground.server.config.batchSize === 1")
    page.select_option(tid("gd-mode"), "mini-batch")
    page.wait_for_function("() => window.playground.server.config.batchSize > 1")
    page.fill(tid("batch-size"), "25")
    page.wait_for_function("() => window.playground.server.config.batchSize === 25")
    assert "batchSize=25" in page.evaluate("location.hash")


def test_hovering_a_neuron_shows_it_large(open_playground, page):
    open_playground("#seed=3")
    page.hover('.network .node[data-node="3"]')
    page.wait_for_function("() => window.playground.frame.focus === 3")
    assert page.text_content(".heatmap-label") == "Neuron 2 of hidden layer 1"
    page.mouse.move(5, 5)
    page.wait_for_function("() => window.playground.frame.focus === -1")
    assert not page.is_visible(".heatmap-label")


def test_regenerate_keeps_weights_and_epoch(open_playground, page):
    open_playground("#seed=4")
    page.click(tid("step"))
    page.wait_for_function("() => window.playground.frame.epoch === 1")
    weights = page.evaluate("Array.from(window.playground.frame.weights[0])")
    page.click(tid("regenerate"))
    page.wait_for_function("() => window.playground.data.seed !== '4'")
    assert page.evaluate("window.playground.frame.epoch") == 1
    assert page.evaluate("Array.from(window.playground.frame.weights[0])") == weights
    assert "seed=4&" not in page.evaluate("location.hash")


def test_a_diverged_network_says_so_and_offers_reset(open_playground, page):
    open_playground("#seed=0.1&problem=regression&activation=linear&learningRate=10")
    page.click(tid("step"))
    page.wait_for_selector(tid("diverged"))
    assert "diverged" in page.text_content(tid("diverged"))
    page.click(f"{tid('diverged')} button")
    page.wait_for_function("() => window.playground.frame.epoch === 0")
    page.wait_for_selector(tid("diverged"), state="hidden")


SHADES = """() => {
  const c = document.querySelector('[data-testid=output-heatmap]');
  const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
  const seen = new Set();
  for (let i = 0; i < d.length; i += 4) seen.add(d[i] << 16 | d[i + 1] << 8 | d[i + 2]);
  return seen.size;
}"""


def test_discretize_leaves_two_colours(open_playground, page):
    open_playground("#seed=0.12345")
    for _ in range(5):
        page.click(tid("step"))
    page.wait_for_function("() => window.playground.frame.epoch === 5")
    assert page.evaluate(SHADES) > 2
    page.check(tid("discretize"))
    page.wait_for_function(f"() => ({SHADES})() === 2")
    assert "discretize=true" in page.evaluate("location.hash")
