"""Walkers driven over real Socket.IO connections: each streams a fix per tick along the streets, accepts
the offers it gets, goes to the pickup, walks the dog around the block and completes the walk."""

from __future__ import annotations

import asyncio
import random
import time
from collections import deque
from dataclasses import dataclass
from typing import Any

import aiohttp
import socketio
import structlog
from socketio.exceptions import SocketIOError

from app.simulate.api import Api, ApiError
from app.simulate.paths import Grid, Stroll, route_to
from app.simulate.world import Account

log = structlog.get_logger("walky.simulate")

WALK_EVENTS = ("pee", "poo", "water")
# A walk event every this many ticks of a walk (the first halfway through the first stretch).
EVENT_EVERY_TICKS = 40
# How long a connect waits for the server to accept the token: the client's 1 s default is too short for a
# busy server taking hundreds of walkers at once (the server itself gives a handshake 10 s).
CONNECT_WAIT_S = 30.0
ACK_TIMEOUT_S = 10.0


@dataclass(frozen=True, slots=True)
class Pace:
    tick_s: float  # seconds between two fixes of one walker
    speed_m: float  # metres covered per tick
    walk_ticks: int  # how long a walk lasts, in ticks


@dataclass(slots=True)
class Tally:
    fixes: int = 0
    accepted_offers: int = 0
    started: int = 0
    events: int = 0
    completed: int = 0
    # Fixes the server did not acknowledge within ACK_TIMEOUT_S (too busy) or sent while reconnecting.
    unacknowledged: int = 0


class Walker:
    def __init__(self, account: Account, api: Api, grid: Grid, radius_m: float, *, pace: Pace, tally: Tally) -> None:
        self.account = account
        self.api = api
        self.grid = grid
        self.pace = pace
        self.tally = tally
        self.rng = random.Random(account.user_id)
        self.stroll = Stroll.start(self.rng, radius_m)
        self.sio = socketio.AsyncClient(reconnection=True)
        self.jobs: deque[str] = deque()  # booking ids assigned to this walker, oldest first
        self.sio.on("dispatch:offer", self._on_offer)
        self.sio.on("booking:status", self._on_status)

    async def connect(self, url: str) -> None:
        await self.sio.connect(
            url,
            auth={"token": self.account.token},
            transports=["websocket"],
            socketio_path="socket.io",
            wait_timeout=CONNECT_WAIT_S,
        )
        await self.sio.call("worker:status", {"online": True, "available": True}, timeout=ACK_TIMEOUT_S)

    async def _on_offer(self, offer: dict[str, Any]) -> None:
        try:
            ack = await self.sio.call("dispatch:accept", {"offerId": offer["offerId"]}, timeout=ACK_TIMEOUT_S)
        except SocketIOError as exc:
            # Unanswered in time: the offer times out on the server's side and goes to the next walker.
            log.info("offer not accepted", offer_id=offer["offerId"], error=repr(exc))
            return
        if isinstance(ack, dict) and ack.get("ok") and ack.get("assigned"):
            self.tally.accepted_offers += 1
            self._take(str(ack["bookingId"]))

    async def _on_status(self, change: dict[str, Any]) -> None:
        # A scheduled booking the business confirmed with this walker.
        if change.get("status") == "confirmed":
            try:
                booking = await self.api.call("GET", f"/v1/bookings/{change['bookingId']}", self.account.token)
            except (ApiError, aiohttp.ClientError) as exc:
                log.info("confirmed booking unread", booking_id=change["bookingId"], error=repr(exc))
                return
            if booking.get("workerId") == self.account.worker_id:
                self._take(booking["id"])

    def _take(self, booking_id: str) -> None:
        if booking_id not in self.jobs:
            self.jobs.append(booking_id)

    async def _fix(self, x: float, y: float, booking_id: str | None = None) -> None:
        fix: dict[str, Any] = {"coordinates": self.grid.to_lnglat(x, y), "timestamp": int(time.time() * 1000)}
        if booking_id:
            fix["bookingId"] = booking_id
        try:
            ack = await self.sio.call("location:update", fix, timeout=ACK_TIMEOUT_S)
        except SocketIOError:
            # A phone on a busy server or a dropped connection moves on to its next fix too.
            self.tally.unacknowledged += 1
            return
        if isinstance(ack, dict) and ack.get("ok"):
            self.tally.fixes += ack.get("accepted", 0)

    async def _tick(self) -> None:
        await asyncio.sleep(self.pace.tick_s * self.rng.uniform(0.9, 1.1))

    async def _walk(self, booking_id: str) -> None:
        booking = await self.api.call("GET", f"/v1/bookings/{booking_id}", self.account.token)
        pickup = self.grid.to_xy(booking["location"]["coordinates"])
        # The owner (and a share link) may follow the walker from here on.
        await self.api.call("POST", f"/v1/bookings/{booking_id}/on-my-way", self.account.token)
        for x, y in route_to((self.stroll.x, self.stroll.y), pickup, self.pace.speed_m):
            await self._fix(x, y)
            await self._tick()
        self.stroll.x, self.stroll.y = pickup
        await self.api.call("POST", f"/v1/bookings/{booking_id}/start", self.account.token)
        self.tally.started += 1
        for tick in range(self.pace.walk_ticks):
            x, y = self.stroll.step(self.rng, self.pace.speed_m)
            await self._fix(x, y, booking_id=booking_id)
            if tick % EVENT_EVERY_TICKS == EVENT_EVERY_TICKS // 2:
                event = {"type": self.rng.choice(WALK_EVENTS), "coordinates": self.grid.to_lnglat(x, y)}
                await self.api.call("POST", f"/v1/bookings/{booking_id}/walk-events", self.account.token, event)
                self.tally.events += 1
            await self._tick()
        await self.api.call("POST", f"/v1/bookings/{booking_id}/complete", self.account.token, {})
        self.tally.completed += 1

    async def run(self) -> None:
        while True:
            if self.jobs:
                booking_id = self.jobs.popleft()
                try:
                    await self._walk(booking_id)
                except (ApiError, aiohttp.ClientError) as exc:
                    # Cancelled meanwhile, taken by someone else, or the server failed a call: carry on strolling.
                    log.info("walk skipped", booking_id=booking_id, error=str(exc))
                continue
            await self._fix(*self.stroll.step(self.rng, self.pace.speed_m))
            await self._tick()

    async def close(self) -> None:
        await self.sio.disconnect()
