"""`python -m app simulate --walkers 200 [--url URL]`: build the demo world on a running server, then move
it until --duration runs out (or Ctrl-C)."""

from __future__ import annotations

import argparse
import asyncio
import random
import sys
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import aiohttp

from app.simulate.api import Api, ApiError
from app.simulate.paths import Grid
from app.simulate.walkers import Pace, Tally, Walker
from app.simulate.world import PASSWORD, World, build_world

# The Louvre: a city centre with streets all around.
DEFAULT_CENTER = (2.3376, 48.8606)
MAX_WALKERS = 5000
# The server refuses a fix implying more than 15 m/s (app/domain/fixes.py); ticks jitter by 10%.
MAX_SPEED_MPS = 12.0
# Socket.IO handshakes at once: a thousand at the same instant would queue past the server's connect deadline.
CONNECT_CONCURRENCY = 50


@dataclass(frozen=True, slots=True)
class Options:
    url: str
    walkers: int
    owners: int
    duration_s: float  # 0: until interrupted
    booking_every_s: float
    radius_m: float
    center: tuple[float, float]
    pace: Pace


def _bounded(low: float, high: float, kind: type[int] | type[float]) -> Any:
    def parse(text: str) -> int | float:
        value = kind(text)
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"must be between {low} and {high}")
        return value

    return parse


def _center(text: str) -> tuple[float, float]:
    try:
        lng, lat = (float(part) for part in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError("LNG,LAT, e.g. 2.3376,48.8606") from None
    if not (-180 <= lng <= 180 and -85 <= lat <= 85):
        raise argparse.ArgumentTypeError("longitude -180..180, latitude -85..85")
    return lng, lat


def parse_options(argv: list[str]) -> Options:
    parser = argparse.ArgumentParser(prog="python -m app simulate", description=__doc__)
    parser.add_argument("--url", default="http://127.0.0.1:8000", help="the running server")
    parser.add_argument("--walkers", type=_bounded(1, MAX_WALKERS, int), default=200)
    parser.add_argument("--owners", type=_bounded(1, 1000, int), help="default: one per five walkers")
    parser.add_argument("--duration", type=_bounded(0, 86_400, float), default=0, help="seconds; 0 = until Ctrl-C")
    parser.add_argument("--booking-every", type=_bounded(0.05, 3600, float), default=4.0, help="seconds")
    parser.add_argument("--radius", type=_bounded(200, 20_000, float), default=1500, help="metres")
    parser.add_argument("--center", type=_center, default=DEFAULT_CENTER, help="LNG,LAT")
    parser.add_argument("--tick", type=_bounded(0.05, 60, float), default=1.0, help="seconds between fixes")
    parser.add_argument("--speed", type=_bounded(0.5, 50, float), default=6.0, help="metres per tick")
    parser.add_argument("--walk-ticks", type=_bounded(1, 10_000, int), default=120, help="length of a walk")
    args = parser.parse_args(argv)
    if args.speed / args.tick > MAX_SPEED_MPS:
        parser.error(f"--speed / --tick must be at most {MAX_SPEED_MPS} m/s (the server refuses faster fixes)")
    return Options(
        url=args.url.rstrip("/"),
        walkers=args.walkers,
        owners=args.owners or max(1, args.walkers // 5),
        duration_s=args.duration,
        booking_every_s=args.booking_every,
        radius_m=args.radius,
        center=args.center,
        pace=Pace(tick_s=args.tick, speed_m=args.speed, walk_ticks=args.walk_ticks),
    )


async def _book(api: Api, world: World, rng: random.Random, number: int) -> tuple[dict[str, Any], str]:
    """A new booking and its owner's token."""
    owner, pet_id = rng.choice(world.owners)
    x, y = rng.uniform(-world.radius_m, world.radius_m) * 0.7, rng.uniform(-world.radius_m, world.radius_m) * 0.7
    location = {"coordinates": world.grid.to_lnglat(x, y), "address": f"{number} Demo street"}
    if number % 3:
        body: dict[str, Any] = {"serviceType": "walking", "asap": True, "pets": [pet_id], "location": location}
        return dict(await api.call("POST", "/v1/bookings", owner.token, body)), owner.token
    # Every third is scheduled with the business's service; the dispatcher confirms it with a walker it picks.
    at = (datetime.now(UTC) + timedelta(minutes=15)).isoformat().replace("+00:00", "Z")
    body = {"serviceId": world.service_id, "scheduledAt": at, "pets": [pet_id], "location": location}
    booking = await api.call("POST", "/v1/bookings", owner.token, body)
    await api.call("POST", f"/v1/bookings/{booking['id']}/confirm", world.business.token, {})
    return dict(booking), owner.token


async def _share(api: Api, owner_token: str, booking_id: str) -> str | None:
    """A share link of the booking, made by its owner; None if the server refuses (say, it ended already)."""
    try:
        created = await api.call("POST", f"/v1/bookings/{booking_id}/share", owner_token, {})
    except (ApiError, aiohttp.ClientError):
        return None
    return str(created["url"])


async def _book_forever(api: Api, world: World, options: Options) -> None:
    rng = random.Random(world.business_id)
    number = 0
    while True:
        number += 1
        try:
            booking, owner_token = await _book(api, world, rng, number)
        except (ApiError, aiohttp.ClientError) as exc:
            print(f"booking failed: {exc!r}", file=sys.stderr)
        else:
            if number <= 3:
                url = await _share(api, owner_token, booking["id"])
                if url:
                    print(f"share link of {booking['bookingNumber']}: {url}", flush=True)
        await asyncio.sleep(options.booking_every_s)


async def _connect_all(walkers: list[Walker], url: str) -> None:
    gate = asyncio.Semaphore(CONNECT_CONCURRENCY)

    async def connect(walker: Walker) -> None:
        async with gate:
            await walker.connect(url)

    await asyncio.gather(*(connect(walker) for walker in walkers))


async def _stop(tasks: list[asyncio.Task[None]]) -> None:
    """Cancel until every task has ended: Python 3.11's `wait_for` may swallow a cancellation that arrives
    just as what it waits for completes (a walker's acknowledged fix), and that walker would walk on."""
    pending = {task for task in tasks if not task.done()}
    while pending:
        for task in pending:
            task.cancel()
        _, pending = await asyncio.wait(pending, timeout=1)


async def simulate(
    options: Options, on_ready: Callable[[World], None] | None = None, world: World | None = None
) -> Tally:
    """Build the world (unless one is `world`, already in the server's store), then move it for
    `options.duration_s`; `on_ready` hears when the walkers are online."""
    tally = Tally()
    timeout = aiohttp.ClientTimeout(total=60)
    async with aiohttp.ClientSession(timeout=timeout) as session:
        api = Api(session, options.url)
        if world is None:
            print(f"building the demo world: {options.walkers} walkers, {options.owners} owners ...", flush=True)
            world = await build_world(
                api,
                walkers=options.walkers,
                owners=options.owners,
                grid=Grid(options.center),
                radius_m=options.radius_m,
            )
        walkers = [
            Walker(account, api, world.grid, world.radius_m, pace=options.pace, tally=tally)
            for account in world.walkers
        ]
        print(f"connecting {len(walkers)} walkers ...", flush=True)
        await _connect_all(walkers, options.url)
        print(f"console: {options.url}/console  (sign in as {world.business_email} / {PASSWORD})", flush=True)
        if on_ready is not None:
            on_ready(world)
        tasks = [asyncio.create_task(walker.run()) for walker in walkers]
        tasks.append(asyncio.create_task(_book_forever(api, world, options)))
        try:
            await asyncio.wait(tasks, timeout=options.duration_s or None, return_when=asyncio.FIRST_EXCEPTION)
        finally:
            await _stop(tasks)
            await asyncio.gather(*(walker.close() for walker in walkers), return_exceptions=True)
        for task in tasks:
            if not task.cancelled() and task.exception() is not None:
                raise task.exception()  # type: ignore[misc]
    print(
        f"fixes {tally.fixes}, offers accepted {tally.accepted_offers}, walk events {tally.events}, "
        f"walks completed {tally.completed}, fixes unacknowledged {tally.unacknowledged}"
    )
    return tally


def main(argv: list[str]) -> int:
    options = parse_options(argv)
    try:
        asyncio.run(simulate(options))
    except KeyboardInterrupt:
        return 0
    except ApiError as exc:
        hint = " (start the server with WALKY_AUTH_RATE_LIMIT=100000/minute)" if exc.status == 429 else ""
        print(f"simulate: {exc}{hint}", file=sys.stderr)
        return 1
    except aiohttp.ClientError as exc:
        print(f"simulate: cannot reach {options.url}: {exc}", file=sys.stderr)
        return 1
    return 0
