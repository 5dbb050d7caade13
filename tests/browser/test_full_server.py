"""A full server is a clear answer: the page says so, counts down, gets in once there is room."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.timeout(90)
FIRST_FRAME = "() => window.playground && window.playground.stats.frames > 0"
STATUS = '[data-testid="connection-status"]'


def test_a_page_of_a_full_server_says_so_and_joins_when_a_place_frees(browser, make_server):
    server = make_server(max_sessions=1, engine_workers=0)
    first = browser.new_context().new_page()
    second = browser.new_context().new_page()
    try:
        first.goto(server.url + "/")
        first.wait_for_function(FIRST_FRAME)
        second.goto(server.url + "/")
        errors = []
        second.on("pageerror", lambda error: errors.append(error))
        full = r"/server is full: retrying in \d+ s/"
        text = f"document.querySelector('{STATUS}').textContent"
        second.wait_for_function(f"() => {full}.test({text})")
        # The page stands meanwhile: its controls are there, nothing threw.
        assert second.get_by_test_id("play").is_visible() and errors == []
        first.context.close()  # a place frees: the next try gets in, and trains
        second.wait_for_function(FIRST_FRAME, timeout=20_000)
        assert second.locator(STATUS).text_content() == "connected" and errors == []
    finally:
        for page in (first, second):
            if not page.is_closed():
                page.context.close()
