"""The report card of a 2-hour walk at 1 fix/s (7,200 trail points): `GET /v1/bookings/{id}/report`,
`report/map.svg` and `route.gpx`.

Runs the real app on its embedded default (SQLite store) in this process and calls the routes through
httpx's ASGI transport, so the figure includes routing, auth, the store reads and JSON. Two walks: a
completed one (the report reads the summary stored at completion) and one still in progress. A completed
walk's GPX is made on the first call and kept; that first call is printed on its own. The walk in progress
is summarized in full on its first call (the process had not seen it) and then extended from the fixes
stored since (`LiveSummaries`): its rows are timed with no new fix between calls, then with one new fix
stored before each call (a walk at 1 fix/s watched once a second; the store write is not timed).
Process CPU time per call is printed too (it leaves out waiting for a core on a shared machine; it
includes the store's thread).

    .venv/bin/python -m scripts.bench.bench_report [--points 7200] [--calls 100]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from app.auth.principal import Principal
from app.composition import Services
from app.domain.bookings import Booking, BookingLocation, BookingStatus
from app.domain.services import ServiceType
from app.domain.users import Role
from app.service import create_app, services_of
from app.settings import Settings
from app.walks.report import live_walk
from app.walks.walk_events import WalkEvent, WalkEventType
from geo.coordinates import LngLat
from geo.distance import destination
from geo.trail import TrailPoint
from tests.support.asgi import http_client, lifespan

CENTER = LngLat(2.35, 48.85)
TARGET_S = 0.100


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def walk_trail(points: int, start_ms: int) -> list[TrailPoint]:
    """A loop through the streets: 1.3 m/s, turning a little every minute, with GPS-like wobble."""
    trail, position, heading = [], CENTER, 0.0
    for i in range(points):
        if i % 60 == 0:
            heading = (heading + 37) % 360
        position = destination(position, heading, 1.3)
        wobble = destination(position, (i * 53) % 360, 2.0 * ((i * 7919) % 100) / 100)
        trail.append(TrailPoint(wobble, start_ms + i * 1000, 5.0))
    return trail


async def add_walk(services: Services, booking_id: str, trail: list[TrailPoint], completed: bool) -> None:
    started = datetime.fromtimestamp(trail[0].timestamp_ms / 1000, tz=UTC)
    now = datetime.fromtimestamp(trail[-1].timestamp_ms / 1000, tz=UTC)
    booking = Booking(
        id=booking_id,
        booking_number=f"WK-{booking_id.upper():0>8}"[:11],
        owner_id="owner",
        watcher_ids=["owner"],
        pet_ids=["pet"],
        service_type=ServiceType.WALKING,
        worker_id="worker",
        status=BookingStatus.IN_PROGRESS,
        asap=False,
        scheduled_at=started,
        duration=120,
        ends_at=started + timedelta(minutes=120),
        location=BookingLocation(coordinates=(CENTER.lng, CENTER.lat)),
        started_at=started,
        created_at=started,
        updated_at=started,
    )
    if completed:
        booking = booking.model_copy(
            update={"status": BookingStatus.COMPLETED, "completed_at": now, "walk": live_walk(trail, booking, now)}
        )
    await services.store.bookings.add(booking)
    for chunk in range(0, len(trail), 500):
        await services.store.trails.append(booking_id, trail[chunk : chunk + 500])
    for k, kind in enumerate([WalkEventType.PEE, WalkEventType.POO, WalkEventType.WATER, WalkEventType.NOTE] * 5):
        point = trail[(k + 1) * len(trail) // 22]
        await services.store.walk_events.add(
            WalkEvent(
                id=f"{booking_id}-e{k}",
                booking_id=booking_id,
                worker_id="worker",
                type=kind,
                coordinates=(point.position.lng, point.position.lat),
                at=datetime.fromtimestamp(point.timestamp_ms / 1000, tz=UTC),
                note="Met a friendly spaniel." if kind is WalkEventType.NOTE else None,
                created_at=now,
            )
        )


async def run(points: int, calls: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        # Every route is called many times a second from one client: above the per-client API limit.
        app = create_app(Settings(data_dir=Path(tmp), api_rate_limit="100000/minute"))
        async with lifespan(app), http_client(app) as client:
            services = services_of(app)
            start_ms = int(time.time() * 1000) - points * 1000
            # The walk in progress goes on for one more fix per call of the rows that add fixes.
            trail = walk_trail(points + 2 * calls, start_ms)
            later = iter(trail[points:])
            trail = trail[:points]
            await add_walk(services, "done", trail, completed=True)
            await add_walk(services, "live", trail, completed=False)
            token = services.access_tokens.issue(Principal("owner", Role.OWNER), services.clock.now())
            headers = {"Authorization": f"Bearer {token}"}
            routes = [
                ("report (completed)", "/v1/bookings/done/report", False),
                ("map.svg (completed)", "/v1/bookings/done/report/map.svg", False),
                ("route.gpx (completed)", "/v1/bookings/done/route.gpx", False),
                ("report (in progress)", "/v1/bookings/live/report", False),
                ("map.svg (in progress)", "/v1/bookings/live/report/map.svg", False),
                ("report (+1 fix/call)", "/v1/bookings/live/report", True),
                ("map.svg (+1 fix/call)", "/v1/bookings/live/report/map.svg", True),
            ]
            for label, path, new_fix in routes:
                latencies, cpu = [], []
                for _ in range(calls):
                    if new_fix:
                        await services.store.trails.append("live", [next(later)])
                    began, began_cpu = time.perf_counter(), time.process_time()
                    response = await client.get(path, headers=headers)
                    latencies.append(time.perf_counter() - began)
                    cpu.append(time.process_time() - began_cpu)
                    assert response.status_code == 200, response.text
                first = latencies[0]
                latencies, cpu = latencies[1:], cpu[1:]
                p99 = pct(latencies, 0.99)
                print(
                    f"{label:24s} calls={calls - 1:4d} bytes={len(response.content):7d}"
                    f"  p50={pct(latencies, 0.5) * 1000:7.2f} ms  p99={p99 * 1000:7.2f} ms"
                    f"  mean={statistics.mean(latencies) * 1000:7.2f} ms  first={first * 1000:7.2f} ms"
                    f"  cpu p50={pct(cpu, 0.5) * 1000:6.2f} ms p99={pct(cpu, 0.99) * 1000:6.2f} ms"
                    f"  target p99 <= {TARGET_S * 1000:.0f} ms -> {'MET' if p99 <= TARGET_S else 'NOT MET'}"
                )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--points", type=int, default=7200)
    parser.add_argument("--calls", type=int, default=100)
    args = parser.parse_args()
    asyncio.run(run(args.points, args.calls))


if __name__ == "__main__":
    main()
