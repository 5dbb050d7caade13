"""Browser fixtures: a real Chromium driven by Playwright, found the way the README says."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

ARTIFACTS = Path(__file__).resolve().parent.parent / "artifacts"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def find_chromium() -> str | None:
    """PLAYGROUND_CHROMIUM, else a system Chromium; None means Playwright's own browser."""
    explicit = os.environ.get("PLAYGROUND_CHROMIUM")
    if explicit:
        return explicit
    for name in ("/usr/bin/chromium", "chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    return None


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).resolve().parent
    for item in items:
        if here in Path(str(item.fspath)).resolve().parents:
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser() -> Iterator:
    if os.environ.get("CI") == "true":  # in CI a missing browser driver fails, never skips
        import playwright.sync_api as sync_api
    else:
        sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        executable = find_chromium()
        try:
            browser = p.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        except Exception as exc:  # no browser at all: a skip, except in CI
            if os.environ.get("CI") == "true":
                raise
            pytest.skip(f"no Chromium to drive ({exc.__class__.__name__}); see README")
        yield browser
        browser.close()


@pytest.fixture
def page(browser) -> Iterator:
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


FIRST_FRAME = "() => window.playground && window.playground.stats.frames > 0"


@pytest.fixture
def open_playground(page, server):
    """Open the playground (on `on`, else the shared server) and wait for its first drawn frame."""

    def go(hash_: str = "", on=None):
        page.goto((on or server).url + "/" + hash_)
        page.wait_for_function(FIRST_FRAME)
        return page

    return go
