"""Accepted fix -> `tracking:location`: latency with 1,000 walks live at once on one process.

Runs the real app on its embedded default (SQLite store, in-process live index) in this process.
1,000 workers are each on an in-progress walk; every second each sends one fix through the ingestion
use case (the path `location:update` takes), spread evenly over the second as independent phones
would (so 1,000 fixes per second reach the process). For each fix we time from the call
until the `tracking:location` event for it is handed to the Socket.IO publisher: validation, the live
index write, the durable trail append (coalesced SQLite transaction with fsync), and the fan-out.

Baseline, measured in the same run: the same fixes from 1,000 workers who are NOT on a walk (no trail
append, no fan-out), timed until ingest returns. The ratio says what live tracking adds.

Third mode: 1,000 workers on their way to the pickup (after `on-my-way`): no trail append, the event
carries `etaS` from the walker's smoothed speed; timed the same way.

    .venv/bin/python -m scripts.bench.bench_tracking [--walks 1000] [--rounds 10] [--burst]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from app.auth.principal import Principal
from app.composition import Services
from app.domain.users import Role
from app.live.active_walks import ActiveWalk
from app.service import create_app, services_of
from app.settings import Settings
from app.usecases.live.fix_inputs import FixInput
from app.usecases.live.ingestion import ingest
from geo.coordinates import LngLat
from geo.distance import destination
from tests.support.asgi import lifespan

CENTER = LngLat(2.35, 48.85)
BASELINE, WALK, APPROACH = "idle", "walker", "approaching"
LABELS = {
    BASELINE: "baseline (not on a walk)",
    WALK: "on a walk (trail + fan-out)",
    APPROACH: "on the way (ETA + fan-out)",
}


class TimingPublisher:
    """Stands in for the Socket.IO publisher: records when each tracking event is handed over."""

    def __init__(self) -> None:
        self.sent_at: dict[tuple[str, int], float] = {}
        self.with_eta = 0

    async def emit(self, event: str, data: dict[str, Any], *, room: str) -> None:
        if event == "tracking:location":
            self.sent_at[(data["bookingId"], data["timestamp"])] = time.perf_counter()
            self.with_eta += "etaS" in data


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


async def one_round(
    services: Services, principals: list[Principal], positions: list[LngLat], t_ms: int, mode: str, burst: bool
) -> list[float]:
    publisher = services.events
    assert isinstance(publisher, TimingPublisher)
    started: dict[int, float] = {}

    async def send(i: int) -> float:
        if not burst:
            await asyncio.sleep(i / len(principals))
        fix = FixInput.model_validate({"coordinates": list(positions[i]), "timestamp": t_ms})
        started[i] = time.perf_counter()
        assert await ingest(services, principals[i], [fix]) == 1
        if mode != BASELINE:
            return publisher.sent_at[(f"{mode}-booking-{i}", t_ms)] - started[i]
        return time.perf_counter() - started[i]

    return await asyncio.gather(*(send(i) for i in range(len(principals))))


async def run(walks: int, rounds: int, burst: bool) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app(Settings(data_dir=Path(tmp), location_rate_limit="1000/second"))
        async with lifespan(app):
            services = services_of(app)
            services.events = TimingPublisher()
            results: dict[str, list[float]] = {}
            for mode in (BASELINE, WALK, APPROACH):
                principals = [Principal(f"user-{mode}-{i}", Role.WORKER, "biz", f"{mode}-{i}") for i in range(walks)]
                positions = [destination(CENTER, (i * 7) % 360, 50 + (i % 2000)) for i in range(walks)]
                for i, principal in enumerate(principals):
                    await services.live_index.set_presence(
                        principal.worker_id or "", "biz", online=True, available=False
                    )
                    if mode != BASELINE:
                        walk = ActiveWalk(f"{mode}-booking-{i}", principal.worker_id or "", CENTER, False, mode == WALK)
                        await services.active_walks.put(walk)
                now_ms = int(time.time() * 1000) - rounds * 1000
                latencies: list[float] = []
                for r in range(rounds):
                    positions = [destination(p, 90, 1.4) for p in positions]
                    latencies += await one_round(services, principals, positions, now_ms + r * 1000, mode, burst)
                results[mode] = latencies
                print(
                    f"{LABELS[mode]:32s} fixes={len(latencies):6d}  p50={pct(latencies, 0.5) * 1000:7.2f} ms"
                    f"  p99={pct(latencies, 0.99) * 1000:7.2f} ms  mean={statistics.mean(latencies) * 1000:7.2f} ms"
                )
            trail_writes = services.store.trails.writer.writes
            base_p99 = pct(results[BASELINE], 0.99)
            print(f"trail transactions: {trail_writes} for {len(results[WALK])} fixes")
            publisher = services.events
            assert isinstance(publisher, TimingPublisher)
            print(f"events with etaS: {publisher.with_eta} (expected {len(results[APPROACH])})")
            for mode in (WALK, APPROACH):
                p99 = pct(results[mode], 0.99)
                print(
                    f"{mode}: p99 ratio to baseline {p99 / base_p99:.2f}x   target: p99 <= 25 ms -> "
                    f"{'MET' if p99 <= 0.025 else 'NOT MET'} ({p99 * 1000:.2f} ms)"
                )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--walks", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--burst", action="store_true", help="every walk's fix at the same instant (worst case)")
    args = parser.parse_args()
    asyncio.run(run(args.walks, args.rounds, args.burst))


if __name__ == "__main__":
    main()
