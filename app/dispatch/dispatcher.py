"""The offer cascade: one walker at a time, each offer a compare-and-set on the stored booking.

States (stored on the booking as `dispatch`): `searching` -> `offered` (with `current`, the live offer)
-> `searching` again on decline or expiry (the walker joins `offersTried`) -> ... -> `assigned` when an
offer is accepted (bookings' `assign_worker`, with the offer id pinned), or `unassigned` when nobody is
left (the owner is notified, kind `dispatch.unassigned`).

Every move is a compare-and-set: searching -> offered pins the booking's `updatedAt` (the version of
the searching state that was read), offered -> searching pins `dispatch.current.offerId`. So a decline,
the expiry timer, the sweeper of any process and an accept racing on one offer leave exactly one of
them acting; the others find nothing to update and stop.

Nothing lives only in memory: expiry timers are a shortcut, and the sweeper (every
`dispatch_sweep_s`, in every process, and once at start-up) expires offers whose `expiresAt` has
passed and resumes bookings left `searching` (e.g. by a process that died mid-search).
"""

from __future__ import annotations

import asyncio
import contextlib
import secrets
import weakref
from collections.abc import AsyncIterator, Coroutine
from datetime import datetime, timedelta
from typing import Any, Protocol

import structlog

from app.booking_events import BookingCreated, BookingFinished, DispatchRequested
from app.dispatch.candidates import CandidatePorts, find_candidate
from app.domain.base import iso
from app.domain.bookings import Booking, BookingStatus, Dispatch, DispatchState, Offer
from app.events import worker_room
from app.settings import Settings
from app.usecases.message_facts import booking_facts
from app.usecases.notifications import NotificationPorts, notify
from geo.distance import round_dm

log = structlog.get_logger("walky.dispatch")

# After this many offers a booking goes `unassigned` even if more walkers are around.
MAX_OFFERS = 25
# Bounded retries when another writer changed the booking between our read and our compare-and-set.
MAX_ROUNDS = 8
SWEEP_BATCH = 200
_OFFER_SEPARATOR = "."


class DispatchPorts(CandidatePorts, NotificationPorts, Protocol):
    """What the cascade touches: offers and `unassigned` are notified."""

    @property
    def settings(self) -> Settings: ...


def new_offer_id(booking_id: str) -> str:
    """Offer ids name their booking, so an accept reads the booking by primary key."""
    return f"{booking_id}{_OFFER_SEPARATOR}{secrets.token_hex(8)}"


def booking_of_offer(offer_id: str) -> str | None:
    booking_id, separator, token = offer_id.partition(_OFFER_SEPARATOR)
    return booking_id if separator and booking_id and token else None


def offer_event(booking: Booking, offer: Offer) -> dict[str, Any]:
    return {
        "offerId": offer.offer_id,
        "bookingId": booking.id,
        "serviceType": booking.service_type.value,
        "pickup": {"coordinates": list(booking.location.coordinates)},
        "distanceM": offer.distance_m,
        "expiresAt": iso(offer.expires_at),
    }


def _dump(dispatch: Dispatch) -> dict[str, Any]:
    return dispatch.model_dump(mode="json", by_alias=True)


class Dispatcher:
    """Handles booking events (asap booking created, business asks for a pick, booking finished) and
    runs as a background task (the sweeper, with start-up recovery)."""

    def __init__(self, ports: DispatchPorts) -> None:
        self.ports = ports
        self._locks: weakref.WeakValueDictionary[str, asyncio.Lock] = weakref.WeakValueDictionary()
        self._timers: dict[str, asyncio.Task[None]] = {}
        self._tasks: set[asyncio.Task[Any]] = set()
        self._sweeper: asyncio.Task[None] | None = None

    # -- Booking events --------------------------------------------------------------------------

    async def created(self, event: BookingCreated) -> None:
        booking = event.booking
        if booking.dispatch is not None and booking.dispatch.state is DispatchState.SEARCHING:
            # Not awaited: the owner's booking request does not wait for (or fail with) the search.
            self._spawn(self.advance(booking.id, booking))

    async def dispatch_requested(self, event: DispatchRequested) -> None:
        """The business lets the dispatcher pick among its own staff: start a search (awaited, so the
        business's confirm call answers with the offer made, or `unassigned`)."""
        booking = event.booking
        now = self.ports.clock.now()
        if booking.dispatch is None:
            where: dict[str, Any] = {"dispatch": None}
        elif booking.dispatch.state is DispatchState.UNASSIGNED:
            where = {"dispatch.state": DispatchState.UNASSIGNED.value}
        else:
            return  # already searching or offered
        started = await self.ports.store.bookings.update_where(
            {"id": booking.id, "status": BookingStatus.PENDING.value, **where},
            {"dispatch": _dump(Dispatch(state=DispatchState.SEARCHING)), "updatedAt": iso(now)},
        )
        if started is not None:
            await self.advance(booking.id)

    async def finished(self, event: BookingFinished) -> None:
        self.cancel_timer(event.booking.id)

    # -- Background ------------------------------------------------------------------------------

    async def start(self) -> None:
        if self._sweeper is None:
            try:
                await self.sweep_once(grace_s=0)
            except Exception:
                log.exception("dispatch recovery failed at start-up; the sweeper will retry")
            self._sweeper = asyncio.create_task(self._sweep_forever(), name="dispatch-sweeper")

    async def stop(self) -> None:
        tasks = [t for t in (self._sweeper, *self._timers.values(), *self._tasks) if t is not None]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        self._sweeper = None
        self._timers.clear()
        self._tasks.clear()

    async def settle(self) -> None:
        """Wait for the searches started in the background (tests and benchmarks)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    # -- The cascade -----------------------------------------------------------------------------

    @contextlib.asynccontextmanager
    async def booking_lock(self, booking_id: str) -> AsyncIterator[None]:
        """Serialises this process's work on one booking (other processes are kept honest by the
        compare-and-sets; this only saves them from racing themselves)."""
        lock = self._locks.get(booking_id)
        if lock is None:
            lock = self._locks[booking_id] = asyncio.Lock()
        async with lock:
            yield

    async def advance(self, booking_id: str, booking: Booking | None = None) -> Booking | None:
        """If the booking is searching: offer it to the best candidate, or mark it unassigned.
        `booking` is the booking as just stored, when the caller has it (saves a read)."""
        async with self.booking_lock(booking_id):
            return await self._advance(booking_id, booking)

    async def _advance(self, booking_id: str, booking: Booking | None = None) -> Booking | None:
        store = self.ports.store.bookings
        if booking is None:
            booking = await store.get(booking_id)
        for _ in range(MAX_ROUNDS):
            if (
                booking is None
                or booking.status is not BookingStatus.PENDING
                or booking.dispatch is None
                or booking.dispatch.state is not DispatchState.SEARCHING
            ):
                return booking
            dispatch = booking.dispatch
            version = {
                "id": booking.id,
                "status": BookingStatus.PENDING.value,
                "dispatch.state": DispatchState.SEARCHING.value,
                "updatedAt": iso(booking.updated_at),
            }
            candidate = None
            if len(dispatch.offers_tried) < MAX_OFFERS:
                candidate = await find_candidate(self.ports, booking, self.ports.clock.now())
            now = self.ports.clock.now()
            if candidate is None:
                unassigned = dispatch.model_copy(update={"state": DispatchState.UNASSIGNED, "current": None})
                done = await store.update_where(version, {"dispatch": _dump(unassigned), "updatedAt": iso(now)})
                if done is not None:
                    await self._tell_owner_unassigned(done)
                    return done
            else:
                offer = Offer(
                    offer_id=new_offer_id(booking.id),
                    worker_id=candidate.worker_id,
                    business_id=candidate.business_id,
                    distance_m=round_dm(candidate.distance_m),
                    expires_at=now + timedelta(seconds=self.ports.settings.offer_expiry_s),
                )
                offered_state = dispatch.model_copy(update={"state": DispatchState.OFFERED, "current": offer})
                offered = await store.update_where(version, {"dispatch": _dump(offered_state), "updatedAt": iso(now)})
                if offered is not None:
                    self._arm(booking.id, offer.offer_id, offer.expires_at)
                    await self.ports.events.emit(
                        "dispatch:offer", offer_event(offered, offer), room=worker_room(offer.worker_id)
                    )
                    await self._push_offer(offered, offer)
                    log.info("offered", booking_id=booking.id, worker_id=offer.worker_id, distance_m=offer.distance_m)
                    return offered
            # Someone else moved the booking meanwhile: look again.
            booking = await store.get(booking_id)
        return booking

    async def retire(self, booking_id: str, offer_id: str, *, reason: str) -> Booking | None:
        """End the live offer `offer_id` (declined, expired, or the walker turned out busy) and move on
        to the next candidate. None when that offer was no longer live (someone else acted first)."""
        async with self.booking_lock(booking_id):
            store = self.ports.store.bookings
            booking = await store.get(booking_id)
            current = booking.dispatch.current if booking and booking.dispatch else None
            if booking is None or booking.dispatch is None or current is None or current.offer_id != offer_id:
                return None
            tried = [*booking.dispatch.offers_tried, current.worker_id]
            searching = Dispatch(state=DispatchState.SEARCHING, offers_tried=list(dict.fromkeys(tried)))
            now = self.ports.clock.now()
            moved = await store.update_where(
                {
                    "id": booking_id,
                    "status": BookingStatus.PENDING.value,
                    "dispatch.state": DispatchState.OFFERED.value,
                    "dispatch.current.offerId": offer_id,
                },
                {"dispatch": _dump(searching), "updatedAt": iso(now)},
            )
            if moved is None:
                return None
            self.cancel_timer(booking_id)
            log.info("offer ended", booking_id=booking_id, worker_id=current.worker_id, reason=reason)
            return await self._advance(booking_id)

    async def _push_offer(self, booking: Booking, offer: Offer) -> None:
        """The socket event reaches an open app; a push (until the offer expires) reaches one in the background."""
        worker = await self.ports.store.workers.get(offer.worker_id)
        if worker is None:
            return
        await notify(
            self.ports,
            [worker.user_id],
            kind="dispatch.offer",
            title="New walk offer",
            message=f"A {booking.service_type.value} {offer.distance_m:.0f} m away. Open Walky to accept.",
            data=offer_event(booking, offer),
            key=offer.offer_id,
            expires_at=offer.expires_at,
            # The offered walker is not the booking's walker yet: they read the offer as its walker would.
            about=await booking_facts(
                self.ports.store,
                booking,
                distance_m=offer.distance_m,
                walker_user_id=worker.user_id,
                walker_name=f"{worker.first_name} {worker.last_name}",
            ),
        )

    async def _tell_owner_unassigned(self, booking: Booking) -> None:
        await notify(
            self.ports,
            [booking.owner_id],
            kind="dispatch.unassigned",
            title="No walker available",
            message="Nobody nearby could take this booking right now. Try again in a little while.",
            data={"bookingId": booking.id, "bookingNumber": booking.booking_number},
            about=await booking_facts(self.ports.store, booking),
        )

    # -- Timers and sweeping ---------------------------------------------------------------------

    def _spawn(self, work: Coroutine[Any, Any, Any]) -> None:
        task = asyncio.create_task(self._guarded(work))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    @staticmethod
    async def _guarded(work: Coroutine[Any, Any, Any]) -> None:
        try:
            await work
        except Exception:
            # Left `searching` or `offered` in the store: the sweeper picks it up.
            log.exception("dispatch step failed")

    def _arm(self, booking_id: str, offer_id: str, expires_at: datetime) -> None:
        self.cancel_timer(booking_id)
        delay = max(0.0, (expires_at - self.ports.clock.now()).total_seconds())
        self._timers[booking_id] = asyncio.create_task(self._expire_after(booking_id, offer_id, delay))

    def cancel_timer(self, booking_id: str) -> None:
        timer = self._timers.get(booking_id)
        if timer is not None and timer is not asyncio.current_task():
            timer.cancel()
            del self._timers[booking_id]

    async def _expire_after(self, booking_id: str, offer_id: str, delay_s: float) -> None:
        await asyncio.sleep(delay_s)
        if self._timers.get(booking_id) is asyncio.current_task():
            del self._timers[booking_id]
        try:
            await self.retire(booking_id, offer_id, reason="expired")
        except Exception:
            log.exception("offer expiry failed; the sweeper will retry", booking_id=booking_id)

    async def sweep_once(self, *, grace_s: float | None = None) -> int:
        """Expire offers past their `expiresAt`; resume bookings left `searching` for longer than
        `grace_s` (default: the sweep interval). Returns how many bookings it moved."""
        now = self.ports.clock.now()
        grace = self.ports.settings.dispatch_sweep_s if grace_s is None else grace_s
        store = self.ports.store.bookings
        moved = 0
        expired = await store.find(
            {
                "status": BookingStatus.PENDING.value,
                "dispatch.state": DispatchState.OFFERED.value,
                "dispatch.current.expiresAt": {"$lte": iso(now)},
            },
            limit=SWEEP_BATCH,
        )
        for booking in expired:
            assert booking.dispatch is not None and booking.dispatch.current is not None
            if await self.retire(booking.id, booking.dispatch.current.offer_id, reason="expired") is not None:
                moved += 1
        stuck = await store.find(
            {
                "status": BookingStatus.PENDING.value,
                "dispatch.state": DispatchState.SEARCHING.value,
                "updatedAt": {"$lte": iso(now - timedelta(seconds=grace))},
            },
            limit=SWEEP_BATCH,
        )
        for booking in stuck:
            after = await self.advance(booking.id, booking)
            if after is not None and after.dispatch is not None and after.dispatch.state is not DispatchState.SEARCHING:
                moved += 1
        return moved

    async def _sweep_forever(self) -> None:
        while True:
            await asyncio.sleep(self.ports.settings.dispatch_sweep_s)
            try:
                moved = await self.sweep_once()
            except Exception:
                log.exception("dispatch sweep failed")
                continue
            if moved:
                log.info("dispatch sweep moved bookings", moved=moved)
