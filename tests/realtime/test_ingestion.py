"""The ingestion use case directly: roles, hooks, metrics, concurrency."""

from __future__ import annotations

import asyncio
import time

import pytest

from app.auth.principal import Principal
from app.composition import Services
from app.domain.fixes import AcceptedFixes
from app.domain.users import Role
from app.errors import Forbidden, ValidationFailed
from app.usecases.live.fix_inputs import FixInput
from app.usecases.live.ingestion import ingest

WORKER = Principal("u1", Role.WORKER, "b1", "w1")


def fix(ts: int, lat: float = 51.5, booking_id: str | None = None) -> FixInput:
    return FixInput(coordinates=[-0.12, lat], timestamp=ts, booking_id=booking_id)


def now_ms() -> int:
    return int(time.time() * 1000)


async def test_hooks_get_the_accepted_fixes_oldest_first(services: Services) -> None:
    seen: list[AcceptedFixes] = []

    async def hook(accepted: AcceptedFixes) -> None:
        seen.append(accepted)

    services.fix_hooks.append(hook)
    start = now_ms() - 10_000
    fixes = [fix(start, booking_id="bk1"), fix(start), fix(start + 1000, 51.50001), fix(start + 2000, 52.0)]
    result = await ingest(services, WORKER, fixes)
    assert result == 2
    [accepted] = seen
    assert accepted.worker_id == "w1" and accepted.business_id == "b1"
    assert [f.timestamp_ms for f in accepted.fixes] == [start, start + 1000]
    assert list(accepted.booking_ids) == ["bk1", None]
    # Nothing accepted, no hook call.
    assert await ingest(services, WORKER, [fix(start)]) == 0
    assert len(seen) == 1


async def test_outcomes_are_counted(services: Services) -> None:
    start = now_ms() - 10_000
    await ingest(services, WORKER, [fix(start), fix(start), fix(start + 1000, 52.0)])
    registry = services.metrics.registry
    for outcome in ("accepted", "duplicate", "outlier"):
        assert registry.get_sample_value("walky_location_fixes_total", {"outcome": outcome}) == 1
    assert registry.get_sample_value("walky_location_fixes_total", {"outcome": "too_old"}) is None


async def test_refusals(services: Services) -> None:
    with pytest.raises(Forbidden):
        await ingest(services, Principal("u2", Role.OWNER), [fix(now_ms())])
    with pytest.raises(Forbidden):
        await ingest(services, Principal("u3", Role.WORKER, "b1", None), [fix(now_ms())])
    claimed = fix(now_ms())
    claimed.worker_id = "w2"
    with pytest.raises(Forbidden):
        await ingest(services, WORKER, [claimed])
    with pytest.raises(ValidationFailed):
        await ingest(services, WORKER, [fix(now_ms() + 120_000)], refuse_unusable=True)
    assert await ingest(services, WORKER, [fix(now_ms() + 120_000)]) == 0


async def test_concurrent_calls_for_one_worker_keep_order(services: Services) -> None:
    start = now_ms() - 60_000
    results = await asyncio.gather(*(ingest(services, WORKER, [fix(start + i * 100)]) for i in range(50)))
    # Each call sees the previous one's fix: all are newer, so all are accepted, and the last one wins.
    assert sum(results) == 50
    state = await services.live_index.worker("w1")
    assert state is not None and state.last_fix is not None and state.last_fix.timestamp_ms == start + 4900
