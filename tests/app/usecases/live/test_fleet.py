"""The fleet view on its ports alone: a SQLite store, the memory live index and watcher counts, and a
recording stand-in for the socket server's rooms and events."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from app.auth.principal import Principal
from app.domain.fixes import AcceptedFixes, LiveFix
from app.domain.users import Role
from app.domain.workers import Worker
from app.errors import Forbidden
from app.live.fleet_watchers import MemoryFleetWatchers
from app.live.memory_live_index import MemoryLiveIndex
from app.store.sqlite.backend import SqliteBackend
from app.store.store import Store
from app.usecases.live.fleet import FLEET_LOCATION, FleetPorts, FleetSubscriptions, fleet_fanout
from geo.coordinates import LngLat

NOW = datetime(2026, 5, 1, 9, 30, tzinfo=UTC)
DISPATCHER = Principal("owner1", Role.BUSINESS, "b1")


@dataclass
class SocketRecorder:
    """Stands in for the Socket.IO adapter: what was emitted, and which sockets are in which rooms."""

    emitted: list[tuple[str, dict[str, Any], str]] = field(default_factory=list)
    rooms: dict[str, set[str]] = field(default_factory=dict)

    async def emit(self, event: str, data: dict[str, Any], *, room: str) -> None:
        self.emitted.append((event, data, room))

    async def enter_room(self, sid: str, room: str) -> None:
        self.rooms.setdefault(room, set()).add(sid)

    async def leave_room(self, sid: str, room: str) -> None:
        self.rooms.get(room, set()).discard(sid)


@dataclass
class Ports:
    store: Store
    live_index: MemoryLiveIndex = field(default_factory=MemoryLiveIndex)
    fleet_watchers: MemoryFleetWatchers = field(default_factory=MemoryFleetWatchers)
    events: SocketRecorder = field(default_factory=SocketRecorder)

    @property
    def rooms(self) -> SocketRecorder:
        return self.events


@pytest.fixture
async def ports(tmp_path: Path) -> AsyncIterator[Ports]:
    store = Store(SqliteBackend(tmp_path / "walky.db"))
    await store.setup()
    yield Ports(store)
    await store.close()


def accepted(business_id: str = "b1") -> AcceptedFixes:
    fix = LiveFix(LngLat(-0.12, 51.5), int(NOW.timestamp() * 1000), None)
    return AcceptedFixes(worker_id="w1", business_id=business_id, fixes=[fix], booking_ids=[None], available=True)


async def test_fixes_reach_the_fleet_room_only_while_watched(ports: Ports) -> None:
    typed: FleetPorts = ports
    fan_out = fleet_fanout(typed)
    fleets = FleetSubscriptions(typed)
    await fan_out(accepted())
    assert ports.events.emitted == []

    fleets.opened("s1")
    assert await fleets.subscribe(DISPATCHER, "s1", "b1") == []
    assert ports.events.rooms["fleet:b1"] == {"s1"}
    await fan_out(accepted())
    await fan_out(accepted("b2"))
    [(event, data, room)] = ports.events.emitted
    assert (event, room) == (FLEET_LOCATION, "fleet:b1")
    assert data == {"workerId": "w1", "coordinates": [-0.12, 51.5], "timestamp": data["timestamp"], "available": True}

    await fleets.unsubscribe("s1", "b1")
    assert ports.events.rooms["fleet:b1"] == set()
    assert not ports.fleet_watchers.watched("b1")


async def test_a_socket_counts_once_and_is_released_on_disconnect(ports: Ports) -> None:
    fleets = FleetSubscriptions(ports)
    fleets.opened("s1")
    fleets.opened("s2")
    await fleets.subscribe(DISPATCHER, "s1", "b1")
    await fleets.subscribe(DISPATCHER, "s1", "b1")
    await fleets.subscribe(DISPATCHER, "s2", "b1")
    await fleets.release("s1")
    assert ports.fleet_watchers.watched("b1")
    await fleets.release("s2")
    assert not ports.fleet_watchers.watched("b1")


async def test_a_socket_closed_meanwhile_is_not_counted(ports: Ports) -> None:
    fleets = FleetSubscriptions(ports)
    await fleets.subscribe(DISPATCHER, "gone", "b1")
    assert not ports.fleet_watchers.watched("b1")


async def test_the_snapshot_holds_the_business_workers(ports: Ports) -> None:
    await ports.store.workers.add(
        Worker(
            id="w1",
            user_id="u1",
            business_id="b1",
            first_name="Wally",
            last_name="Walker",
            email="w1@example.com",
            created_at=NOW,
            updated_at=NOW,
        )
    )
    await ports.live_index.set_presence("w1", "b1", online=True, available=True)
    fleets = FleetSubscriptions(ports)
    fleets.opened("s1")
    [worker] = await fleets.subscribe(DISPATCHER, "s1", "b1")
    assert (worker.worker_id, worker.online, worker.available, worker.coordinates) == ("w1", True, True, None)


async def test_only_the_business_watches_its_fleet(ports: Ports) -> None:
    fleets = FleetSubscriptions(ports)
    fleets.opened("s1")
    with pytest.raises(Forbidden):
        await fleets.subscribe(Principal("owner2", Role.BUSINESS, "b2"), "s1", "b1")
    assert ports.events.rooms == {}
