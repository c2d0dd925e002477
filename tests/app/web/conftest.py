"""Browser fixtures: Debian's chromium driven by Playwright (never a downloaded browser), and a real server."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from playwright.async_api import Browser, Page, async_playwright

from tests.support.server_process import ServerProcess

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture
def server(tmp_path: Path) -> Iterator[ServerProcess]:
    # No tile server: the tests have no network, and the map must draw its data on the plain background.
    process = ServerProcess(tmp_path / "data", WALKY_MAP_TILE_URL="")
    try:
        process.start()
        yield process
    finally:
        process.close()


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            await launched.close()


def refused(kind: str, text: str) -> bool:
    """A console error other than an HTTP error status (a 401 for a wrong password is part of a test)."""
    return kind == "error" and not text.startswith("Failed to load resource: the server responded with a status")


@pytest.fixture
async def page(browser: Browser) -> AsyncIterator[Page]:
    context = await browser.new_context(timezone_id="UTC", viewport={"width": 1280, "height": 800})
    opened = await context.new_page()
    errors: list[str] = []
    opened.on("pageerror", lambda error: errors.append(str(error)))
    opened.on("console", lambda message: errors.append(message.text) if refused(message.type, message.text) else None)
    try:
        yield opened
    finally:
        await context.close()
    # A script error or a CSP refusal on the page fails the test that caused it.
    assert not errors, errors


@pytest.fixture
def screenshots(tmp_path: Path) -> Path:
    """Where browser tests put their screenshots: the README's `docs/` when WALKY_REFRESH_SCREENSHOTS=1 (to
    refresh them on purpose), else the test's own temporary folder, so a test run leaves the tree clean."""
    if os.environ.get("WALKY_REFRESH_SCREENSHOTS") == "1":
        return Path(__file__).resolve().parents[3] / "docs"
    return tmp_path
