"""The share-link page in headless Chromium against a real server."""

from __future__ import annotations

import pytest
from playwright.async_api import Page, expect

from tests.support.server_process import ServerProcess

pytestmark = pytest.mark.browser


async def test_an_unknown_link_shows_the_ended_page(server: ServerProcess, page: Page) -> None:
    await page.goto(f"{server.url}/track/AAAAAAAAAAAAAAAAAAAAAA")
    await expect(page.locator("h1")).to_have_text("This link has ended")
