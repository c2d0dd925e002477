"""Fleet view: a business's dispatchers see each accepted fix of their workers (`fleet:location`).

`fleet:subscribe {businessId}` joins the room `fleet:{businessId}` (that business's account or an
admin) and answers with the current state of the business's workers, so a map can draw at once.
"""

from __future__ import annotations

import asyncio
from typing import Protocol

import structlog

from app.auth.principal import Principal
from app.domain.fixes import AcceptedFixes, FixHook
from app.events import EventPublisher, fleet_room
from app.live.fleet_watchers import FleetWatchers
from app.live.live_index import LiveIndex, iso_ms
from app.live.rooms import Rooms
from app.store.store import Store
from app.usecases.inputs import Input, Output
from app.usecases.live.fix_inputs import Id

log = structlog.get_logger("walky.fleet")

FLEET_LOCATION = "fleet:location"
# A business larger than this gets the first workers in the snapshot; later fixes still reach the map.
MAX_SNAPSHOT = 1000


class FleetPorts(Protocol):
    @property
    def store(self) -> Store: ...

    @property
    def live_index(self) -> LiveIndex: ...

    @property
    def fleet_watchers(self) -> FleetWatchers: ...

    @property
    def events(self) -> EventPublisher: ...

    @property
    def rooms(self) -> Rooms: ...


class FleetInput(Input):
    business_id: Id


class FleetWorker(Output):
    worker_id: str
    online: bool
    available: bool
    coordinates: list[float] | None
    timestamp: int | None
    last_seen_at: str | None


async def authorize_fleet(ports: FleetPorts, principal: Principal, business_id: str) -> str:
    """The fleet room of `business_id`, if the caller is that business's account (or an admin)."""
    business = None if principal.is_admin else await ports.store.businesses.get(business_id)
    principal.require_business(business_id, business.owner_id if business else None)
    return fleet_room(business_id)


async def fleet_snapshot(ports: FleetPorts, business_id: str) -> list[FleetWorker]:
    workers = await ports.store.workers.list_for_business(business_id, active_only=True, limit=MAX_SNAPSHOT)
    # Concurrent reads share pipelined round trips in the Redis adapter.
    states = await asyncio.gather(*(ports.live_index.worker(worker.id) for worker in workers))
    snapshot: list[FleetWorker] = []
    for worker, state in zip(workers, states, strict=True):
        fix = state.last_fix if state else None
        snapshot.append(
            FleetWorker(
                worker_id=worker.id,
                online=bool(state and state.online),
                available=bool(state and state.available),
                coordinates=fix.coordinates() if fix else None,
                timestamp=fix.timestamp_ms if fix else None,
                last_seen_at=iso_ms(state.last_seen_ms) if state and state.last_seen_ms else None,
            )
        )
    return snapshot


class FleetSubscriptions:
    """The fleets each socket of this process watches: a socket lives in one process, so this process's
    memory is the whole truth. Each (socket, business) counts once in `FleetWatchers`, however often the
    socket subscribes, and is released when it unsubscribes or disconnects."""

    def __init__(self, ports: FleetPorts) -> None:
        self._ports = ports
        # sid -> the businesses it watches; present from connect to disconnect.
        self._watching: dict[str, set[str]] = {}

    def opened(self, sid: str) -> None:
        self._watching[sid] = set()

    async def subscribe(self, principal: Principal, sid: str, business_id: str) -> list[FleetWorker]:
        """`fleet:subscribe`: join the fleet's room and answer with its workers' current state."""
        room = await authorize_fleet(self._ports, principal, business_id)
        await self._ports.rooms.enter_room(sid, room)
        watching = self._watching.get(sid)
        # None: the socket closed while this was checked; it has nothing left to release.
        if watching is not None and business_id not in watching:
            watching.add(business_id)
            await self._ports.fleet_watchers.add(business_id)
        return await fleet_snapshot(self._ports, business_id)

    async def unsubscribe(self, sid: str, business_id: str) -> None:
        await self._ports.rooms.leave_room(sid, fleet_room(business_id))
        watching = self._watching.get(sid)
        if watching is not None and business_id in watching:
            watching.discard(business_id)
            await self._ports.fleet_watchers.remove(business_id)

    async def release(self, sid: str) -> None:
        """A socket went away: it no longer watches anything."""
        for business_id in self._watching.pop(sid, ()):
            try:
                await self._ports.fleet_watchers.remove(business_id)
            except Exception:
                log.exception("fleet watcher release failed", business_id=business_id)


def fleet_fanout(ports: FleetPorts) -> FixHook:
    """The `on_accepted` hook that sends each accepted fix to the worker's business's fleet room."""

    async def fan_out(accepted: AcceptedFixes) -> None:
        if not accepted.business_id or not ports.fleet_watchers.watched(accepted.business_id):
            return
        room = fleet_room(accepted.business_id)
        try:
            for fix in accepted.fixes:
                await ports.events.emit(
                    FLEET_LOCATION,
                    {
                        "workerId": accepted.worker_id,
                        "coordinates": fix.coordinates(),
                        "timestamp": fix.timestamp_ms,
                        "available": accepted.available,
                    },
                    room=room,
                )
        except Exception:
            # The fix is stored and acknowledged regardless; a dispatcher map catches up with the next one.
            log.exception("fleet fan-out failed", worker_id=accepted.worker_id)

    return fan_out
