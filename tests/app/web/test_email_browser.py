"""The HTML emails on a phone: every kind for every role and locale, in headless Chromium at 375 px wide,
with nothing wider than the screen (no sideways scrolling), long words and links included."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from playwright.async_api import Browser, ViewportSize

from app.messages.rendering.facts import RecipientRole
from app.messages.rendering.kinds import KINDS
from app.messages.rendering.locales import shipped_locales
from app.messages.rendering.preview import write_previews
from app.messages.rendering.render import render
from app.messages.rendering.samples import SAMPLE, SAMPLE_LINKS

pytestmark = pytest.mark.browser

PHONE = ViewportSize(width=375, height=812)
# Shown in the README-style screenshots folder when refreshed on purpose (see the `screenshots` fixture).
SHOWN = ("en/booking.confirmed.owner.html", "es/payment.captured.owner.html", "en/booking.cancelled.walker.html")


async def test_no_email_is_wider_than_a_phone(browser: Browser, tmp_path: Path, screenshots: Path) -> None:
    out = tmp_path / "previews"
    pages = [path for path in write_previews(out, list(KINDS), list(shipped_locales())) if path.suffix == ".html"]
    # The worst a person can type: an address with no place to break, a long name, a long link.
    stress = replace(SAMPLE, address="Rue" + "x" * 120 + " 1", pets=("Maximiliano-Bartolomé-de-las-Casas",) * 3)
    worst = render("booking.cancelled", RecipientRole.BUSINESS, "es", stress, SAMPLE_LINKS)
    assert worst is not None
    (out / "worst.html").write_text(worst.html, encoding="utf-8")
    pages.append(out / "worst.html")
    assert len(pages) == 83

    context = await browser.new_context(viewport=PHONE, device_scale_factor=1, timezone_id="UTC")
    try:
        page = await context.new_page()
        too_wide: list[tuple[str, int]] = []
        for path in pages:
            await page.goto(path.as_uri())
            width = await page.evaluate("Math.max(document.documentElement.scrollWidth, document.body.scrollWidth)")
            if width > PHONE["width"]:
                too_wide.append((path.relative_to(out).as_posix(), width))
            name = path.relative_to(out).as_posix()
            if name in SHOWN or name == "worst.html":
                await page.screenshot(
                    path=str(screenshots / f"email-{name.replace('/', '-').removesuffix('.html')}.png"), full_page=True
                )
        assert too_wide == []
    finally:
        await context.close()
