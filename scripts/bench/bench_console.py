"""The dispatcher console stays responsive with a large fleet moving (issue 15).

A real server (`python -m app`, embedded mode; `--redis` against a private redis-server) and `simulate`
with `--walkers` walkers (1,000 by default) each sending a fix a second over Socket.IO. The demo world
(business, walkers, owners and their dogs) is written into the store before the server starts, by the
same use cases the REST routes call (see console_world.py: making 1,000 accounts through the API costs
the server an argon2 hash each, far too long here); everything after that is live. Once every walker
is online, headless Chromium (Debian's, through Playwright) signs in to /console as the demo business and
records, with `requestAnimationFrame`, the time between frames for `--seconds` while `fleet:location`
events stream in. Prints the frame time p50/p95/max; target p95 < 50 ms.

    .venv/bin/python -m scripts.bench.bench_console [--walkers 1000] [--seconds 20] [--redis]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import dataclasses
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from playwright.async_api import async_playwright

from app.simulate.cli import Options, simulate
from app.simulate.paths import Grid
from app.simulate.walkers import Pace
from app.simulate.world import PASSWORD, World
from scripts.bench.console_world import seed_world
from scripts.bench.live_support import JWT_SECRET, serve, verdict
from tests.app.web.conftest import CHROMIUM, CHROMIUM_ARGS
from tests.support.redis_server import redis_server

TARGET_P95_MS = 50.0
BASELINE_S = 5.0
FLEET_EVENT = '"fleet:location"'

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
        # The fleet:location events the page receives (Socket.IO text frames), counted from outside it.
        received = [0]

        def count(frame: str | bytes) -> None:
            if isinstance(frame, str) and FLEET_EVENT in frame:
                received[0] += 1

        page.on("websocket", lambda socket: socket.on("framereceived", count))
        await page.goto(f"{url}/console")
        # The baseline: the same browser on the idle sign-in form, under the same machine load.
        idle: dict[str, Any] = await page.evaluate(FRAME_PROBE, BASELINE_S * 1000)
        await page.fill("input[name=email]", world.business_email)
        await page.fill("input[name=password]", PASSWORD)
        await page.click("#sign-in button[type=submit]")
        await page.wait_for_selector("body[data-fleet=live]", timeout=60_000)
        markers = await page.evaluate("document.querySelectorAll('.leaflet-marker-icon').length")
        print(f"console signed in, the fleet live ({markers} markers and clusters drawn); measuring ...", flush=True)
        before = received[0]
        result: dict[str, Any] = await page.evaluate(FRAME_PROBE, seconds * 1000)
        result["markers"] = markers
        result["events"] = received[0] - before
        result["idle"] = idle["frames"]
        await browser.close()
        return result


def city_options(url: str, walkers: int) -> Options:
    return Options(
        url=url,
        walkers=walkers,
        # One owner per twenty walkers books a walk every 2 s: the walkers are the load.
        owners=max(1, walkers // 20),
        duration_s=0,
        booking_every_s=2.0,
        radius_m=3000,
        center=(2.3376, 48.8606),
        pace=Pace(tick_s=1.0, speed_m=6.0, walk_ticks=120),
    )


async def run(options: Options, world: World, seconds: float) -> None:
    ready: asyncio.Future[World] = asyncio.get_running_loop().create_future()
    started = time.perf_counter()
    city = asyncio.create_task(simulate(options, on_ready=ready.set_result, world=world))
    try:
        # The city fails (say, a walker cannot connect) or its walkers are all online.
        either: list[asyncio.Future[Any]] = [ready, city]
        await asyncio.wait(either, return_when=asyncio.FIRST_COMPLETED)
        if city.done():
            city.result()
            raise RuntimeError("the simulated city stopped before it was online")
        print(f"{len(world.walkers)} walkers online in {time.perf_counter() - started:.1f} s", flush=True)
        await asyncio.sleep(5)  # every walker has sent a few fixes
        report(options, seconds, await measure(options.url, world, seconds))
    finally:
        city.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await city


def report(options: Options, seconds: float, result: dict[str, Any]) -> None:
    frames = result["frames"][1:]
    idle = result["idle"][1:]
    p95 = percentile(frames, 0.95)
    idle_p95 = percentile(idle, 0.95)
    print(
        f"walkers {options.walkers}, {len(frames)} frames in {seconds:.0f} s, "
        f"markers/clusters drawn {result['markers']}, "
        f"fleet:location events received {result['events']} ({result['events'] / seconds:.0f}/s)"
    )
    print(
        f"baseline (idle sign-in form, same browser, {BASELINE_S:.0f} s): frame time p50 "
        f"{percentile(idle, 0.5):.1f} ms, p95 {idle_p95:.1f} ms"
    )
    print(
        f"console: frame time p50 {percentile(frames, 0.5):.1f} ms, p95 {p95:.1f} ms ({p95 / idle_p95:.1f}x the "
        f"baseline's), max {max(frames):.1f} ms (target p95 < {TARGET_P95_MS:.0f} ms: {verdict(p95 < TARGET_P95_MS)})"
    )


@contextlib.contextmanager
def server(use_redis: bool, data_dir: Path) -> Iterator[str]:
    env = {"WALKY_AUTH_RATE_LIMIT": "100000/minute", "WALKY_API_RATE_LIMIT": "100000/minute", "WALKY_MAP_TILE_URL": ""}
    with contextlib.ExitStack() as stack:
        if use_redis:
            env["WALKY_REDIS_URL"] = stack.enter_context(redis_server())
        running = stack.enter_context(serve("app", env, data_dir=data_dir))
        yield running.url


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--walkers", type=int, default=1000)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--redis", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="walky-bench-console-") as tmp:
        data_dir = Path(tmp)
        # The URL is known once the server runs; the world only needs the city's shape.
        shape = city_options("", args.walkers)
        started = time.perf_counter()
        world = asyncio.run(
            seed_world(
                data_dir,
                JWT_SECRET,
                walkers=shape.walkers,
                owners=shape.owners,
                grid=Grid(shape.center),
                radius_m=shape.radius_m,
            )
        )
        print(
            f"seeded {len(world.walkers)} walkers and {len(world.owners)} owners "
            f"in {time.perf_counter() - started:.1f} s"
        )
        with server(args.redis, data_dir) as url:
            asyncio.run(run(dataclasses.replace(shape, url=url), world, args.seconds))


if __name__ == "__main__":
    main()
