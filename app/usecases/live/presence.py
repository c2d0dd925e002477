"""Presence: whether a worker is online (on shift) and available (free for a new job).

Set by the worker (`worker:status`, `POST /v1/workers/{id}/online|offline`) or their business, and by
disconnects: when a worker's last socket (across processes) closes, they go offline after a grace
period unless a socket of theirs comes back. The state lives in the live index; the worker document's
`online` flag mirrors it for the marketplace's reads.
"""

from __future__ import annotations

import asyncio
from typing import Annotated, Protocol, Self

import structlog
from pydantic import Field, Strict, model_validator

from app.auth.principal import Principal
from app.clock import Clock
from app.domain.users import Role
from app.errors import NotFound
from app.live.live_index import LiveIndex, WorkerLive, iso_ms
from app.settings import Settings
from app.store.store import Store
from app.usecases.inputs import Input, Output

log = structlog.get_logger("walky.presence")

StrictBool = Annotated[bool, Strict()]


class PresencePorts(Protocol):
    @property
    def store(self) -> Store: ...

    @property
    def clock(self) -> Clock: ...

    @property
    def live_index(self) -> LiveIndex: ...

    @property
    def settings(self) -> Settings: ...


class StatusInput(Input):
    """`worker:status`: either flag may be left out; going online without `available` means available,
    going offline means unavailable."""

    online: StrictBool | None = None
    available: StrictBool | None = None

    @model_validator(mode="after")
    def _something(self) -> Self:
        if self.online is None and self.available is None:
            raise ValueError("give online, available, or both")
        return self


class GoOnlineInput(Input):
    available: StrictBool = True


class PresenceView(Output):
    worker_id: str
    online: bool
    available: bool
    last_seen_at: str | None = Field(description="Time of the newest accepted fix (ISO-8601 UTC)")

    @classmethod
    def of(cls, state: WorkerLive) -> PresenceView:
        seen = state.last_seen_ms
        return cls(
            worker_id=state.worker_id,
            online=state.online,
            available=state.available,
            last_seen_at=None if seen is None else iso_ms(seen),
        )


async def _business_of(ports: PresencePorts, principal: Principal, worker_id: str) -> str | None:
    """The worker's business, once the caller may change the worker's presence: the worker themself, or
    their business's account, or an admin."""
    if principal.role is Role.WORKER and principal.worker_id == worker_id:
        return principal.business_id
    principal.require_role(Role.BUSINESS)
    worker = await ports.store.workers.get(worker_id)
    if worker is None:
        raise NotFound("no such worker")
    business = await ports.store.businesses.get(worker.business_id)
    principal.require_business(worker.business_id, business.owner_id if business else None)
    return worker.business_id


async def set_status(ports: PresencePorts, principal: Principal, worker_id: str, status: StatusInput) -> PresenceView:
    business_id = await _business_of(ports, principal, worker_id)
    available = status.available if status.available is not None else status.online
    return await _apply(ports, worker_id, business_id, online=status.online, available=available)


async def go_online(ports: PresencePorts, principal: Principal, worker_id: str, body: GoOnlineInput) -> PresenceView:
    return await set_status(ports, principal, worker_id, StatusInput(online=True, available=body.available))


async def go_offline(ports: PresencePorts, principal: Principal, worker_id: str) -> PresenceView:
    return await set_status(ports, principal, worker_id, StatusInput(online=False))


async def _apply(
    ports: PresencePorts, worker_id: str, business_id: str | None, *, online: bool | None, available: bool | None
) -> PresenceView:
    state = await ports.live_index.set_presence(worker_id, business_id, online=online, available=available)
    if online is not None:
        await ports.store.workers.update_fields(worker_id, {"online": online}, ports.clock.now())
    return PresenceView.of(state)


class PresenceTracker:
    """Counts each worker's sockets and takes a worker offline after the grace period once none is left."""

    def __init__(self, ports: PresencePorts) -> None:
        self._ports = ports
        self._timers: dict[str, asyncio.Task[None]] = {}

    async def start(self) -> None:
        return None

    async def stop(self) -> None:
        timers = list(self._timers.values())
        for timer in timers:
            timer.cancel()
        await asyncio.gather(*timers, return_exceptions=True)
        self._timers.clear()

    async def connected(self, worker_id: str) -> None:
        timer = self._timers.pop(worker_id, None)
        if timer is not None:
            timer.cancel()
        await self._ports.live_index.connections(worker_id, 1)

    async def disconnected(self, worker_id: str, business_id: str | None) -> None:
        if await self._ports.live_index.connections(worker_id, -1) > 0:
            return
        previous = self._timers.pop(worker_id, None)
        if previous is not None:
            previous.cancel()
        self._timers[worker_id] = asyncio.create_task(self._expire(worker_id, business_id))

    async def _expire(self, worker_id: str, business_id: str | None) -> None:
        await asyncio.sleep(self._ports.settings.presence_grace_s)
        try:
            # A socket may have come back on another process meanwhile.
            if await self._ports.live_index.connections(worker_id, 0) == 0:
                await _apply(self._ports, worker_id, business_id, online=False, available=False)
                log.info("worker offline after disconnect", worker_id=worker_id)
        except Exception:
            log.exception("presence grace expiry failed", worker_id=worker_id)
        finally:
            if self._timers.get(worker_id) is asyncio.current_task():
                del self._timers[worker_id]
