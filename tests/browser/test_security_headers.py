"""Every page under the server's Content-Security-Policy in Chromium: no violation reported, and
each page still does its job (the playground trains, the lessons compute, a room opens)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import FIRST_FRAME

# Polling predicates are functions: Playwright evaluates a bare expression with eval() at every
# poll, which the policy (rightly) forbids; a function is evaluated once.
# Collects the browser's own reports: a blocked inline script or style, eval, another host.
LISTEN = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__csp.push(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`);
});
"""
EPOCH = "Number(document.querySelector('[data-testid=epoch]').dataset.epoch)"


@pytest.fixture
def watched(page):
    """The page, with every CSP violation it reports kept (events and console messages)."""
    console = []
    page.on(
        "console",
        lambda msg: console.append(msg.text) if "Content Security Policy" in msg.text else None,
    )
    page.add_init_script(LISTEN)
    yield page
    reported = page.evaluate("window.__csp || []")
    assert reported == [] and console == [], {"events": reported, "console": console}


def check_playground(page, url: str) -> None:
    page.goto(url + "/")
    page.wait_for_function(FIRST_FRAME)
    start = page.evaluate(EPOCH)
    page.click('[data-testid="play"]')
    page.wait_for_function(f"() => {EPOCH} > {start + 5}")


def check_backprop(page, url: str) -> None:
    page.goto(url + "/lessons/backprop")
    page.wait_for_function("() => document.body.dataset.ready === '1'")
    page.get_by_test_id("bp-all").click()
    expect(page.get_by_test_id("value-out_h1")).to_have_text(re.compile(r"^0\.593"))


def check_linreg(page, url: str) -> None:
    page.goto(url + "/lessons/linear-regression")
    page.wait_for_function("() => document.body.dataset.loaded === '1'")


def check_landing(page, url: str) -> None:
    page.goto(url + "/classroom")
    expect(page.get_by_test_id("teach-link")).to_be_visible()


def check_instructor(page, url: str) -> None:
    page.goto(url + "/classroom/new")
    page.get_by_test_id("create-room").click()
    expect(page.get_by_test_id("room-code")).to_have_text(re.compile(r"^[A-Z2-9]{6}$"))
    page.get_by_test_id("step").click()
    expect(page.get_by_test_id("epoch")).to_have_text("000,001")


def check_join(page, url: str) -> None:
    page.goto(url + "/classroom/join")
    expect(page.get_by_test_id("join-form")).to_be_visible()


PAGES = {
    "/": check_playground,
    "/lessons/backprop": check_backprop,
    "/lessons/linear-regression": check_linreg,
    "/classroom": check_landing,
    "/classroom/new": check_instructor,
    "/classroom/join": check_join,
}


@pytest.mark.parametrize("path", list(PAGES))
def test_page_works_under_the_policy_with_no_violation(server, watched, path):
    PAGES[path](watched, server.url)
