"""The dispatcher console stays responsive with a large fleet moving (issue 15).

A real server (`python -m app`, embedded mode; `--redis` against a private redis-server) and `simulate`
with `--walkers` walkers (1,000 by default) each sending a fix a second over Socket.IO. Once every walker
is online, headless Chromium (Debian's, through Playwright) signs in to /console as the demo business and
records, with `requestAnimationFrame`, the time between frames for `--seconds` while `fleet:location`
events stream in. Prints the frame time p50/p95/max; target p95 < 50 ms.

    .venv/bin/python -m scripts.bench.bench_console [--walkers 1000] [--seconds 20] [--redis]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
from collections.abc import Iterator
from typing import Any

from playwright.async_api import async_playwright

from app.simulate.cli import Options, simulate
from app.simulate.walkers import Pace
from app.simulate.world import PASSWORD, World
from scripts.bench.live_support import serve, verdict
from tests.app.web.conftest import CHROMIUM, CHROMIUM_ARGS
from tests.support.redis_server import redis_server

TARGET_P95_MS = 50.0

# The times between frames (requestAnimationFrame) over `ms` milliseconds.
FRAME_PROBE = """
(ms) => new Promise((resolve) => {
  const frames = [];
  let last = performance.now();
  const end = last + ms;
  function frame(now) {
    frames.push(now - last);
    last = now;
    if (now < end) requestAnimationFrame(frame);
    else resolve({ frames });
  }
  requestAnimationFrame(frame);
})
"""


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def measure(url: str, world: World, seconds: float) -> dict[str, Any]:
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = await browser.new_page(viewport={"width": 1280, "height": 800})
        await page.goto(f"{url}/console")
        await page.fill("input[name=email]", world.business_email)
        await page.fill("input[name=password]", PASSWORD)
        await page.click("#sign-in button[type=submit]")
        await page.wait_for_selector("body[data-fleet=live]", timeout=60_000)
        markers = await page.evaluate("document.querySelectorAll('.leaflet-marker-icon').length")
        result: dict[str, Any] = await page.evaluate(FRAME_PROBE, seconds * 1000)
        result["markers"] = markers
        await browser.close()
        return result


async def run(url: str, walkers: int, seconds: float) -> None:
    ready: asyncio.Future[World] = asyncio.get_running_loop().create_future()
    options = Options(
        url=url,
        walkers=walkers,
        # Few owners: each account costs the server a password hash, and the walkers are the load.
        owners=max(1, walkers // 20),
        duration_s=0,
        booking_every_s=2.0,
        radius_m=3000,
        center=(2.3376, 48.8606),
        pace=Pace(tick_s=1.0, speed_m=6.0, walk_ticks=120),
    )
    city = asyncio.create_task(simulate(options, on_ready=ready.set_result))
    try:
        world = await ready
        await asyncio.sleep(5)  # every walker has sent a few fixes
        result = await measure(url, world, seconds)
    finally:
        city.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await city
    frames = result["frames"][1:]
    p95 = percentile(frames, 0.95)
    print(f"walkers {walkers}, {len(frames)} frames in {seconds:.0f} s, markers/clusters drawn {result['markers']}")
    print(
        f"frame time p50 {percentile(frames, 0.5):.1f} ms, p95 {p95:.1f} ms, max {max(frames):.1f} ms "
        f"(target p95 < {TARGET_P95_MS:.0f} ms: {verdict(p95 < TARGET_P95_MS)})"
    )


@contextlib.contextmanager
def server(use_redis: bool) -> Iterator[str]:
    env = {"WALKY_AUTH_RATE_LIMIT": "100000/minute", "WALKY_API_RATE_LIMIT": "100000/minute", "WALKY_MAP_TILE_URL": ""}
    with contextlib.ExitStack() as stack:
        if use_redis:
            env["WALKY_REDIS_URL"] = stack.enter_context(redis_server())
        running = stack.enter_context(serve("app", env))
        yield running.url


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--walkers", type=int, default=1000)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--redis", action="store_true")
    args = parser.parse_args()
    with server(args.redis) as url:
        asyncio.run(run(url, args.walkers, args.seconds))


if __name__ == "__main__":
    main()
