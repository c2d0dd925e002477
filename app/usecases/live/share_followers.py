"""Sockets following a walk by share link, and taking them off it when the link dies.

A socket lives in one process, so each process keeps its own followers and checks their links every
`interval_s`: a revoked or expired link stops streaming within that time (`share:ended` tells the page).
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import Protocol

import structlog

from app.clock import Clock
from app.events import EventPublisher, booking_room
from app.live.rooms import Rooms
from app.store.store import Store
from app.usecases.walks.requests import share_link_alive
from app.walks.share import token_hash

log = structlog.get_logger("walky.share")

CHECK_INTERVAL_S = 15.0


class ShareFollowerPorts(Protocol):
    @property
    def store(self) -> Store: ...

    @property
    def clock(self) -> Clock: ...

    @property
    def events(self) -> EventPublisher: ...

    @property
    def rooms(self) -> Rooms: ...


class ShareFollowers:
    def __init__(self, ports: ShareFollowerPorts, interval_s: float = CHECK_INTERVAL_S) -> None:
        self._ports = ports
        self._interval_s = interval_s
        # sid -> {booking id: the link's hash}
        self._follows: dict[str, dict[str, str]] = {}
        self._task: asyncio.Task[None] | None = None

    def follow(self, sid: str, token: str, booking_id: str) -> None:
        self._follows.setdefault(sid, {})[booking_id] = token_hash(token)

    def forget(self, sid: str) -> None:
        self._follows.pop(sid, None)

    async def sweep_once(self) -> int:
        """Take every socket off the walks whose link is no longer alive; return how many were ended."""
        hashes = {link for follows in self._follows.values() for link in follows.values()}
        dead = {link for link in hashes if not await share_link_alive(self._ports.store, self._ports.clock, link)}
        ended = 0
        for sid, follows in list(self._follows.items()):
            for booking_id, link in list(follows.items()):
                if link not in dead:
                    continue
                del follows[booking_id]
                ended += 1
                await self._ports.rooms.leave_room(sid, booking_room(booking_id))
                await self._ports.events.emit("share:ended", {"bookingId": booking_id}, room=sid)
            if not follows:
                self._follows.pop(sid, None)
        return ended

    async def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name="share-followers")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(self._interval_s)
            try:
                await self.sweep_once()
            except Exception:
                log.exception("share link check failed")
