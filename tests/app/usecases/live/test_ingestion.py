"""The ingestion use case on its ports alone: the memory live index, a fixed clock, a recording hook."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

import pytest

from app.auth.principal import Principal
from app.domain.fixes import MAX_FUTURE_MS, AcceptedFixes, FixHook
from app.domain.users import Role
from app.errors import ValidationFailed
from app.live.active_walks import MemoryActiveWalks
from app.live.memory_live_index import MemoryLiveIndex
from app.metrics import Metrics
from app.usecases.live.fix_inputs import FixInput
from app.usecases.live.ingestion import IngestionPorts, ingest

NOW = datetime(2026, 5, 1, 9, 30, tzinfo=UTC)
NOW_MS = int(NOW.timestamp() * 1000)
WORKER = Principal("u1", Role.WORKER, "b1", "w1")


class FixedClock:
    def now(self) -> datetime:
        return NOW


@dataclass
class Ports:
    clock: FixedClock = field(default_factory=FixedClock)
    live_index: MemoryLiveIndex = field(default_factory=MemoryLiveIndex)
    active_walks: MemoryActiveWalks = field(default_factory=MemoryActiveWalks)
    metrics: Metrics = field(default_factory=Metrics)
    fix_hooks: list[FixHook] = field(default_factory=list)
    accepted: list[AcceptedFixes] = field(default_factory=list)

    def __post_init__(self) -> None:
        async def record(batch: AcceptedFixes) -> None:
            self.accepted.append(batch)

        self.fix_hooks.append(record)

    def outcome(self, name: str) -> float | None:
        return self.metrics.registry.get_sample_value("walky_location_fixes_total", {"outcome": name})


def fix(timestamp: int, lat: float = 51.5) -> FixInput:
    return FixInput(coordinates=[-0.12, lat], timestamp=timestamp)


def test_the_ports_object_is_enough() -> None:
    ports: IngestionPorts = Ports()
    assert ports.fix_hooks


async def test_an_accepted_fix_moves_the_worker_and_reaches_the_hooks() -> None:
    ports = Ports()
    assert await ingest(ports, WORKER, [fix(NOW_MS - 1000)], refuse_unusable=True) == 1
    last = await ports.live_index.last_fix("w1")
    assert last is not None and last.timestamp_ms == NOW_MS - 1000
    [batch] = ports.accepted
    assert (batch.worker_id, batch.business_id) == ("w1", "b1")
    assert [f.timestamp_ms for f in batch.fixes] == [NOW_MS - 1000]
    assert ports.outcome("accepted") == 1


async def test_an_out_of_order_fix_is_dropped() -> None:
    ports = Ports()
    assert await ingest(ports, WORKER, [fix(NOW_MS - 1000)]) == 1
    assert await ingest(ports, WORKER, [fix(NOW_MS - 5000)]) == 0
    last = await ports.live_index.last_fix("w1")
    assert last is not None and last.timestamp_ms == NOW_MS - 1000
    assert len(ports.accepted) == 1
    assert ports.outcome("out_of_order") == 1


async def test_a_future_fix_is_refused_in_an_update_and_skipped_in_a_batch() -> None:
    ports = Ports()
    future = fix(NOW_MS + MAX_FUTURE_MS + 1000)
    with pytest.raises(ValidationFailed):
        await ingest(ports, WORKER, [future], refuse_unusable=True)
    assert await ingest(ports, WORKER, [future]) == 0
    assert await ports.live_index.last_fix("w1") is None
    assert ports.accepted == []
    assert ports.outcome("in_future") == 2
