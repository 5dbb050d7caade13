"""One site header on every page: the same links, this page marked, projector and keyboard help."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

PAGES = {
    "/": "playground",
    "/lessons/backprop": "backprop",
    "/lessons/linear-regression": "linear-regression",
    "/classroom": "classroom",
    "/classroom/new": "classroom",
    "/classroom/join": "classroom",
}
NAV = ["playground", "backprop", "linear-regression", "classroom"]


@pytest.mark.parametrize("path", list(PAGES))
def test_every_page_has_the_one_header(server, page, path):
    page.goto(server.url + path)
    assert page.locator("header.site-header").count() == 1
    for key in NAV:
        link = page.get_by_test_id(f"nav-{key}")
        expect(link).to_be_visible()
        assert (link.get_attribute("aria-current") == "page") == (key == PAGES[path]), key
    # Projector mode from the header's button, on and off again.
    projector = page.get_by_test_id("projector")
    projector.click()
    expect(page.locator("body")).to_have_class(re.compile(r"\bprojector\b"))
    expect(projector).to_have_attribute("aria-pressed", "true")
    projector.click()
    expect(projector).to_have_attribute("aria-pressed", "false")
    # The keyboard help lists this page's keys; Esc closes it.
    page.locator("body").press("?")
    help_ = page.get_by_test_id("help")
    expect(help_).to_be_visible()
    keys = help_.locator("dt").all_inner_texts()
    assert {"p", "?", "Esc"} <= set(keys), keys
    page.keyboard.press("Escape")
    expect(help_).to_be_hidden()
