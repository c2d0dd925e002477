"""The console in headless Chromium against a real server: sign in, the fleet on the map, confirm a booking."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from playwright.async_api import Page, expect

from tests.app.bookings_world import PICKUP, build_world
from tests.support.api import PASSWORD
from tests.support.server_process import ServerProcess

pytestmark = pytest.mark.browser


async def sign_in(page: Page, url: str) -> None:
    await page.goto(f"{url}/console")
    await page.fill("input[name=email]", "biz@example.com")
    await page.fill("input[name=password]", PASSWORD)
    await page.click("#sign-in button[type=submit]")
    await expect(page.locator("#console")).to_be_visible()


async def test_console_signs_in_shows_the_fleet_and_confirms_a_booking(
    server: ServerProcess, page: Page, screenshots: Path
) -> None:
    async with httpx.AsyncClient(base_url=server.url) as client:
        world = await build_world(client)
        worker_id, worker_headers = await world.add_worker("wally@example.com")
        online = await client.post(f"/v1/workers/{worker_id}/online", headers=worker_headers)
        assert online.status_code == 200, online.text
        await sign_in(page, server.url)
        await expect(page.locator("body[data-fleet=live]")).to_have_count(1)

        await world.send_fix(worker_headers, worker_id, [PICKUP[0] + 0.002, PICKUP[1]])
        marker = page.locator(".leaflet-marker-icon.worker")
        await expect(marker).to_have_count(1)

        booked = await world.book(hours_ahead=0.1)
        assert booked.status_code == 201, booked.text
        booking_number = booked.json()["data"]["bookingNumber"]
        # A reload keeps the session (the refresh token cookie) and lists the new booking.
        await page.reload()
        row = page.locator("#bookings tbody tr", has_text=booking_number)
        await expect(row).to_contain_text("pending")
        await row.locator("select").select_option(worker_id)
        await row.locator("button").click()
        await expect(row).to_contain_text("confirmed")
        await expect(row).to_contain_text("Wally Walker")
        await page.screenshot(path=str(screenshots / "console.png"))


async def test_console_refuses_a_wrong_password(server: ServerProcess, page: Page) -> None:
    async with httpx.AsyncClient(base_url=server.url) as client:
        await build_world(client)
    await page.goto(f"{server.url}/console")
    await page.fill("input[name=email]", "biz@example.com")
    await page.fill("input[name=password]", "not-the-password")
    await page.click("#sign-in button[type=submit]")
    await expect(page.locator("#sign-in-error")).to_contain_text("invalid email or password")
    await expect(page.locator("#console")).to_be_hidden()


async def test_console_shows_the_fleet_in_redis_mode(tmp_path: Path, redis_url: str, page: Page) -> None:
    process = ServerProcess(tmp_path / "data", WALKY_MAP_TILE_URL="", WALKY_REDIS_URL=redis_url)
    try:
        process.start()
        async with httpx.AsyncClient(base_url=process.url) as client:
            world = await build_world(client)
            worker_id, worker_headers = await world.add_worker("wally@example.com")
            online = await client.post(f"/v1/workers/{worker_id}/online", headers=worker_headers)
            assert online.status_code == 200, online.text
            await sign_in(page, process.url)
            await expect(page.locator("body[data-fleet=live]")).to_have_count(1)
            await world.send_fix(worker_headers, worker_id, PICKUP)
            await expect(page.locator(".leaflet-marker-icon.worker")).to_have_count(1)
    finally:
        process.close()
