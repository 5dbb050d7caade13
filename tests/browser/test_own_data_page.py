"""Issue 12 in a real Chromium: draw points and learn them, upload a 3-class file, keep a model."""

from __future__ import annotations

import json
import math

FRAME_EPOCH = "() => window.playground.frame && window.playground.frame.epoch"


def tid(name: str) -> str:
    return f'[data-testid="{name}"]'


def train(page, epochs: int) -> None:
    """Play at full speed until `epochs` more epochs are trained, then pause."""
    start = page.evaluate(FRAME_EPOCH)
    page.select_option(tid("speed"), "max")
    page.click(tid("play"))
    reached = f"() => window.playground.frame.epoch >= {start + epochs}"
    page.wait_for_function(reached, timeout=30000)
    page.click(tid("play"))
    page.wait_for_function(
        "() => !window.playground.server.playing"
        " && window.playground.frame.epoch === window.playground.server.epoch"
        " && !window.playground.frame.playing"
    )


def click_at(page, x: float, y: float) -> None:
    """Click the output picture at plane coordinates (x, y) in -6 .. 6."""
    picture = page.locator(tid("output-heatmap"))
    picture.scroll_into_view_if_needed()
    box = picture.bounding_box()
    page.mouse.click(
        box["x"] + (x + 6) / 12 * box["width"], box["y"] + (6 - y) / 12 * box["height"]
    )


def test_drawn_points_are_learned_to_a_hundred_percent(open_playground):
    page = open_playground("#seed=0.12345")
    page.click(tid("draw"))
    assert page.get_attribute(tid("draw"), "aria-pressed") == "true"
    assert "draw=true" in page.evaluate("location.hash")
    page.click(tid("draw-class-0"))
    for i in range(6):
        click_at(page, -4 + 0.3 * i, 3 - i)
    page.click(tid("draw-class-1"))
    assert page.get_attribute(tid("draw-class-1"), "aria-pressed") == "true"
    for i in range(6):
        click_at(page, 2 + 0.3 * i, 3 - i)
    page.wait_for_function("() => (window.playground.data.own?.points.length || 0) === 12")
    assert page.evaluate("window.playground.setup.ownData") is True
    train(page, 100)
    assert page.text_content(tid("accuracy")) == "100.0 %"
    assert page.text_content(tid("train-accuracy")) == "100.0 %"
    page.click(tid("draw-erase"))
    click_at(page, -4, 3)
    page.wait_for_function("() => window.playground.data.own.points.length === 11")
    page.click(tid("draw-clear"))
    page.wait_for_function("() => window.playground.data.train.length === 0")


CSV = "x,y,label\n" + "\n".join(
    f"{3 * math.cos(a) + 0.4 * math.sin(7 * i):.3f},{3 * math.sin(a) + 0.4 * math.cos(5 * i):.3f},"
    f"{['cat', 'dog', 'bird'][i % 3]}"
    for i in range(240)
    for a in [2 * math.pi * (i % 3) / 3]
)


def test_an_uploaded_three_class_file_reaches_ninety_percent(open_playground, tmp_path):
    page = open_playground("#seed=0.12345")
    path = tmp_path / "three.csv"
    path.write_text(CSV)
    page.set_input_files(tid("upload-data"), str(path))
    page.wait_for_function("() => window.playground.server.config.classes === 3")
    page.select_option(tid("loss"), "crossEntropy")
    page.wait_for_function("() => window.playground.server.config.loss === 'crossEntropy'")
    assert "classes=3" in page.evaluate("location.hash")
    assert page.locator(f"{tid('network')} .node[data-node]").count() > 0
    legend = page.text_content(tid("class-legend"))
    assert "cat" in legend and "dog" in legend and "bird" in legend
    train(page, 60)
    accuracy = float(page.text_content(tid("accuracy")).rstrip(" %"))
    assert accuracy >= 90
    rows = page.locator(f"{tid('confusion-matrix')} tbody tr")
    assert rows.count() == 3
    # a malformed file: an error naming the line, and nothing changes
    bad = tmp_path / "bad.csv"
    bad.write_text("x,y,label\n1,2,a\n1,far,b\n")
    page.set_input_files(tid("upload-data"), str(bad))
    error = page.locator('[data-error-for="csv"]')
    error.wait_for(state="visible")
    assert "line 3" in error.text_content()
    assert page.evaluate("window.playground.server.config.classes") == 3


WEIGHTS = "() => window.playground.frame.weights.map((w) => Array.from(w))"


def test_an_exported_model_opens_in_a_new_page_with_the_same_weights(
    open_playground, browser, server, tmp_path
):
    page = open_playground("#seed=0.12345&classes=3&dataset=spiral&optimizer=adam")
    train(page, 30)
    weights = page.evaluate(WEIGHTS)
    epoch = page.evaluate(FRAME_EPOCH)
    with page.expect_download() as info:
        page.click(tid("export-model"))
    path = tmp_path / "model.json"
    info.value.save_as(path)
    assert info.value.suggested_filename == f"model-epoch-{epoch}.json"
    assert json.loads(path.read_text())["weights"] is not None
    with page.expect_download() as script:
        page.click(tid("export-python"))
    assert script.value.suggested_filename.endswith(".py")
    with page.expect_download() as picture:
        page.click(tid("export-png"))
    png = tmp_path / "output.png"
    picture.value.save_as(png)
    assert picture.value.suggested_filename == f"output-epoch-{epoch}.png"
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"

    other = browser.new_context(viewport={"width": 1280, "height": 800}).new_page()
    other.goto(server.url + "/")
    other.wait_for_function("() => window.playground && window.playground.stats.frames > 0")
    other.set_input_files(tid("import-model"), str(path))
    other.wait_for_function(f"() => window.playground.frame.epoch === {epoch}")
    assert other.evaluate(WEIGHTS) == weights
    assert other.evaluate("window.playground.server.config.optimizer") == "adam"
    assert "optimizer=adam" in other.evaluate("location.hash")
    other.context.close()


def test_a_stop_epoch_pauses_with_a_note_and_replay_starts_the_same_run_again(open_playground):
    page = open_playground("#seed=0.12345&stopEpoch=40")
    first = page.evaluate(WEIGHTS)
    page.click(tid("play"))
    note = page.locator(tid("stop-note"))
    note.wait_for(state="visible")
    assert "epoch 40" in note.text_content()
    assert page.text_content(tid("epoch")) == "000,040"
    assert page.input_value(tid("stop-epoch")) == "40"
    page.click(tid("replay"))
    page.wait_for_function("() => window.playground.frame.epoch === 0")
    assert page.evaluate(WEIGHTS) == first
    assert note.is_hidden()


def test_three_classes_colour_the_output_and_its_nodes_by_class(open_playground):
    page = open_playground("#seed=0.12345&classes=3&dataset=gauss")
    page.wait_for_function("() => window.playground.frame.layers.at(-1) === 3")
    colours = page.evaluate(
        """() => [...document.querySelectorAll('.network .node[data-node] canvas')].slice(-3)
          .map((c) => c.getContext('2d').getImageData(c.width >> 1, c.height >> 1, 1, 1).data)
          .map((pixel) => Array.from(pixel).join())"""
    )
    assert len(set(colours)) == 3, colours  # each output node in its own class's colour
    legend = page.locator(f"{tid('class-legend')} li")
    assert legend.count() == 3
