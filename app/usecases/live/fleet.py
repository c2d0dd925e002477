"""Fleet view: a business's dispatchers see each accepted fix of their workers (`fleet:location`).

`fleet:subscribe {businessId}` joins the room `fleet:{businessId}` (that business's account or an
admin) and answers with the current state of the business's workers, so a map can draw at once.
"""

from __future__ import annotations

import asyncio

import structlog

from app.auth.principal import Principal
from app.composition import Services
from app.domain.fixes import AcceptedFixes, FixHook
from app.events import fleet_room
from app.live.live_index import iso_ms
from app.usecases.inputs import Input, Output
from app.usecases.live.fix_inputs import Id

log = structlog.get_logger("walky.fleet")

FLEET_LOCATION = "fleet:location"
# A business larger than this gets the first workers in the snapshot; later fixes still reach the map.
MAX_SNAPSHOT = 1000


class FleetInput(Input):
    business_id: Id


class FleetWorker(Output):
    worker_id: str
    online: bool
    available: bool
    coordinates: list[float] | None
    timestamp: int | None
    last_seen_at: str | None


async def authorize_fleet(services: Services, principal: Principal, business_id: str) -> str:
    """The fleet room of `business_id`, if the caller is that business's account (or an admin)."""
    business = None if principal.is_admin else await services.store.businesses.get(business_id)
    principal.require_business(business_id, business.owner_id if business else None)
    return fleet_room(business_id)


async def fleet_snapshot(services: Services, business_id: str) -> list[FleetWorker]:
    workers = await services.store.workers.list_for_business(business_id, active_only=True, limit=MAX_SNAPSHOT)
    # Concurrent reads share pipelined round trips in the Redis adapter.
    states = await asyncio.gather(*(services.live_index.worker(worker.id) for worker in workers))
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


# Session key: the businesses whose fleet this socket watches, to release them on disconnect.
WATCHING = "watching"


async def watch(services: Services, sid: str, business_id: str) -> None:
    """Count this socket as a watcher of the business's fleet (once, however often it subscribes)."""
    async with services.sio.session(sid) as session:
        watching: set[str] = session.setdefault(WATCHING, set())
        newly = business_id not in watching
        watching.add(business_id)
    if newly:
        await services.fleet_watchers.add(business_id)


async def unwatch(services: Services, sid: str, business_id: str) -> None:
    async with services.sio.session(sid) as session:
        watching: set[str] = session.get(WATCHING, set())
        was_watching = business_id in watching
        watching.discard(business_id)
    if was_watching:
        await services.fleet_watchers.remove(business_id)


async def release(services: Services, sid: str) -> None:
    """A socket went away: it no longer watches anything."""
    session = await services.sio.get_session(sid)
    for business_id in session.get(WATCHING, ()):
        try:
            await services.fleet_watchers.remove(business_id)
        except Exception:
            log.exception("fleet watcher release failed", business_id=business_id)


def fleet_fanout(services: Services) -> FixHook:
    """The `on_accepted` hook that sends each accepted fix to the worker's business's fleet room."""

    async def fan_out(accepted: AcceptedFixes) -> None:
        if not accepted.business_id or not services.fleet_watchers.watched(accepted.business_id):
            return
        room = fleet_room(accepted.business_id)
        try:
            for fix in accepted.fixes:
                await services.events.emit(
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
