"""Booking use cases: read, list, and the lifecycle transitions (creation: creation.py).

Each transition is a compare-and-set on the stored status, so racing callers leave exactly one
winner; the loser gets 409 CONFLICT. Every transition is recorded in the booking's history, emitted
as `booking:status` to the booking's room and stored as a notification for each party.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Protocol

from pydantic import Field

from app.auth.principal import Principal
from app.booking_events import (
    BookingEvents,
    BookingFinished,
    DispatchRequested,
    WalkerApproaching,
    WalkStarted,
)
from app.domain import money
from app.domain.base import iso
from app.domain.bookings import (
    TRANSITIONS,
    Action,
    Booking,
    BookingStatus,
    Cancellation,
    CompletionDetails,
    Dispatch,
    DispatchState,
    HistoryEntry,
)
from app.domain.users import Role
from app.domain.workers import Worker
from app.errors import Conflict, Forbidden, NotFound, ValidationFailed
from app.events import booking_room, user_room
from app.live.live_index import LiveIndex
from app.usecases.bookings.rules import check_hours
from app.usecases.bookings.watchers import may_watch
from app.usecases.inputs import Input, PageNumber, PageSize, QueryInput, Text
from app.usecases.message_facts import booking_facts
from app.usecases.notifications import NotificationPorts, notify
from app.usecases.walks.photos import attach_walk_photos, photo_ids
from app.walks.approach import ON_MY_WAY
from app.walks.report import live_walk
from geo.coordinates import LngLat
from geo.distance import haversine_m

# Walks need a walker close to the dog; the worker's last live fix must be this near the pickup.
START_RADIUS_M = 200.0


class BookingPorts(NotificationPorts, Protocol):
    """What the booking use cases touch: they notify the parties, and announce transitions on the bus."""

    @property
    def booking_events(self) -> BookingEvents: ...

    @property
    def live_index(self) -> LiveIndex: ...


class ConfirmInput(Input):
    worker_id: str | None = Field(default=None, min_length=1, max_length=64)


class CompleteInput(Input):
    worker_notes: Text | None = Field(default=None, max_length=2000)


class CancelInput(Input):
    reason: Text = Field(min_length=1, max_length=500)


class BookingQuery(QueryInput):
    status: BookingStatus | None = None
    page: PageNumber = 1
    limit: PageSize = 20


async def _visible_booking(ports: BookingPorts, principal: Principal, booking_id: str) -> Booking:
    booking = await ports.store.bookings.get(booking_id)
    if booking is None or not (
        principal.is_admin
        or booking.involves(
            principal.user_id,
            # A worker's token also names their business; that alone does not show them its bookings.
            business_id=principal.business_id if principal.role is Role.BUSINESS else None,
            worker_id=principal.worker_id,
        )
        or await _owns_business(ports, principal, booking.business_id)
        or await may_watch(ports.store, principal.user_id, booking)
    ):
        raise NotFound("no such booking")
    return booking


async def _owns_business(ports: BookingPorts, principal: Principal, business_id: str | None) -> bool:
    if principal.role is not Role.BUSINESS or business_id is None:
        return False
    business = await ports.store.businesses.get(business_id)
    return business is not None and business.owner_id == principal.user_id


async def _business_of(ports: BookingPorts, principal: Principal) -> str | None:
    """The caller's business: from the token, or from the account when the token predates the business."""
    if principal.business_id:
        return principal.business_id
    user = await ports.store.users.get(principal.user_id)
    return user.business_id if user else None


async def get_booking(ports: BookingPorts, principal: Principal, booking_id: str) -> Booking:
    return await _visible_booking(ports, principal, booking_id)


async def list_bookings(ports: BookingPorts, principal: Principal, query: BookingQuery) -> tuple[list[Booking], int]:
    where: dict[str, Any] = {}
    if principal.role is Role.OWNER:
        where["watcherIds"] = principal.user_id
    elif principal.role is Role.WORKER:
        where["workerId"] = principal.worker_id or "-"
    elif principal.role is Role.BUSINESS:
        where["businessId"] = await _business_of(ports, principal) or "-"
    if query.status is not None:
        where["status"] = query.status.value
    return await ports.store.bookings.page(where, skip=(query.page - 1) * query.limit, limit=query.limit)


def _entry(principal: Principal, status: BookingStatus, now: datetime) -> HistoryEntry:
    return HistoryEntry(status=status, at=now, by=principal.user_id, role=principal.role)


async def _party_user_ids(ports: BookingPorts, booking: Booking) -> list[str]:
    parties = list(booking.watcher_ids)
    if booking.business_id:
        business = await ports.store.businesses.get(booking.business_id)
        if business:
            parties.append(business.owner_id)
    if booking.worker_id:
        worker = await ports.store.workers.get(booking.worker_id)
        if worker:
            parties.append(worker.user_id)
    return parties


async def announce(
    ports: BookingPorts, booking: Booking, title: str, message: str, *, status: str | None = None
) -> None:
    """Tell every party: `booking:status` to the booking room and each user, plus a stored notification.
    `status` overrides the stored status in what is sent (`on_my_way`)."""
    status = status or booking.status.value
    event = {"bookingId": booking.id, "status": status, "at": iso(booking.updated_at)}
    parties = await _party_user_ids(ports, booking)
    await ports.events.emit("booking:status", event, room=booking_room(booking.id))
    for user_id in dict.fromkeys(parties):
        await ports.events.emit("booking:status", event, room=user_room(user_id))
    await notify(
        ports,
        parties,
        kind=f"booking.{status}",
        title=title,
        message=message,
        data={"bookingId": booking.id, "bookingNumber": booking.booking_number, "status": status},
        about=await booking_facts(ports.store, booking),
    )


async def set_off(ports: BookingPorts, booking: Booking) -> None:
    """The worker is on the way: the parties may now follow them (`booking:status` `on_my_way`)."""
    await ports.booking_events.publish(WalkerApproaching(booking))
    await announce(
        ports, booking, "Walker on the way", "Your walker is on the way: follow them live.", status=ON_MY_WAY
    )


def _require_transition_role(principal: Principal, action: Action) -> None:
    allowed = TRANSITIONS[action].roles
    if principal.role not in allowed and not principal.is_admin:
        raise Forbidden(f"only {' or '.join(r.value for r in allowed)} may {action.value} a booking")


def _conflict(booking: Booking, action: Action) -> Conflict:
    return Conflict(f"cannot {action.value} a booking that is {booking.status.value}")


async def _apply(
    ports: BookingPorts,
    principal: Principal,
    booking: Booking,
    action: Action,
    *,
    now: datetime,
    fields: dict[str, Any],
    where: dict[str, Any] | None = None,
) -> Booking:
    """Compare-and-set the transition; Conflict (naming the state that won) when another writer got there first."""
    transition = TRANSITIONS[action]
    moved = await ports.store.bookings.transition(
        booking.id,
        sources=transition.sources,
        target=transition.target,
        entry=_entry(principal, transition.target, now),
        fields=fields,
        where=where,
    )
    if moved is None:
        current = await ports.store.bookings.get(booking.id)
        raise _conflict(current or booking, action)
    return moved


async def _fit_worker(ports: BookingPorts, booking: Booking, worker_id: str) -> Worker:
    worker = await ports.store.workers.get(worker_id)
    if worker is None or not worker.is_active or worker.business_id != booking.business_id:
        raise ValidationFailed("that worker does not work for this booking's business")
    pets = [p for pid in booking.pet_ids if (p := await ports.store.pets.get(pid)) is not None]
    unfit = [p.name for p in pets if not worker.takes((p.species,))]
    if unfit:
        raise ValidationFailed(f"that worker does not take care of {', '.join(unfit)}")
    business = await ports.store.businesses.get(worker.business_id)
    if not booking.asap and business is not None:
        check_hours(business, worker, booking.scheduled_at, booking.ends_at, field="body.workerId")
    return worker


async def _release_unless_held(ports: BookingPorts, booking_id: str, worker_id: str, now: datetime) -> None:
    """Undo a schedule claim after losing a race, unless the winner was this same worker on this booking
    (a double tap, or a business confirm racing the worker's accept): then the slot is the winner's."""
    current = await ports.store.bookings.get(booking_id)
    held = (
        current is not None
        and current.worker_id == worker_id
        and current.status in (BookingStatus.CONFIRMED, BookingStatus.IN_PROGRESS)
    )
    if not held:
        await ports.store.schedules.release(worker_id, booking_id, now)


async def assign_worker(
    ports: BookingPorts,
    principal: Principal,
    booking: Booking,
    worker: Worker,
    *,
    extra: dict[str, Any] | None = None,
    where: dict[str, Any] | None = None,
) -> Booking:
    """Confirm `booking` with `worker`: claim the worker's time, then compare-and-set the booking.

    Used by a business confirming with a chosen worker and by the dispatcher when a worker accepts
    (`where` then pins the offer being accepted, so a stale or expired offer cannot win).
    """
    now = ports.clock.now()
    await ports.store.schedules.claim(worker.id, booking.id, booking.scheduled_at, booking.ends_at, now)
    dispatch = (booking.dispatch or Dispatch(state=DispatchState.ASSIGNED)).model_copy(
        update={"state": DispatchState.ASSIGNED, "current": None}
    )
    fields = {
        "workerId": worker.id,
        "businessId": worker.business_id,
        "dispatch": dispatch.model_dump(mode="json", by_alias=True),
        **(extra or {}),
    }
    if booking.asap:
        # An asap walk starts now: the worker is on the way from the moment they have it.
        fields["onMyWayAt"] = iso(now)
    try:
        confirmed = await _apply(ports, principal, booking, Action.CONFIRM, now=now, fields=fields, where=where)
    except Conflict:
        await _release_unless_held(ports, booking.id, worker.id, now)
        raise
    await announce(ports, confirmed, "Booking confirmed", f"{worker.first_name} will take care of it.")
    if confirmed.on_my_way_at is not None:
        await set_off(ports, confirmed)
    return confirmed


async def confirm_booking(ports: BookingPorts, principal: Principal, booking_id: str, data: ConfirmInput) -> Booking:
    booking = await _visible_booking(ports, principal, booking_id)
    if principal.role is not Role.BUSINESS and not principal.is_admin:
        raise Forbidden("only the booking's business confirms it")
    if not (principal.is_admin or await _owns_business(ports, principal, booking.business_id)):
        raise Forbidden("only the booking's business confirms it")
    if booking.status is not BookingStatus.PENDING:
        raise _conflict(booking, Action.CONFIRM)
    if data.worker_id is None:
        await ports.booking_events.publish(DispatchRequested(booking))
        refreshed = await ports.store.bookings.get(booking.id)
        return refreshed or booking
    worker = await _fit_worker(ports, booking, data.worker_id)
    return await assign_worker(ports, principal, booking, worker)


async def start_booking(ports: BookingPorts, principal: Principal, booking_id: str) -> Booking:
    _require_transition_role(principal, Action.START)
    booking = await _visible_booking(ports, principal, booking_id)
    if not principal.is_admin and booking.worker_id != principal.worker_id:
        raise Forbidden("only the assigned worker starts the walk")
    if booking.status is not BookingStatus.CONFIRMED:
        raise _conflict(booking, Action.START)
    assert booking.worker_id is not None
    live = await ports.live_index.worker(booking.worker_id)
    pickup = LngLat(*booking.location.coordinates)
    if live is None or live.last_fix is None:
        raise ValidationFailed("no live position yet: send a location fix from the pickup point first")
    distance = haversine_m(live.last_fix.position, pickup)
    if distance > START_RADIUS_M:
        raise ValidationFailed(f"you are {distance:.0f} m from the pickup point; start within {START_RADIUS_M:.0f} m")
    if not await ports.store.schedules.begin(booking.worker_id, booking.id):
        raise Conflict("finish your current walk before starting another")
    now = ports.clock.now()
    try:
        started = await _apply(ports, principal, booking, Action.START, now=now, fields={"startedAt": iso(now)})
    except Conflict:
        await _release_unless_held(ports, booking.id, booking.worker_id, now)
        raise
    await ports.booking_events.publish(WalkStarted(started))
    await announce(ports, started, "Walk started", "The walk has started: follow it live.")
    return started


async def complete_booking(ports: BookingPorts, principal: Principal, booking_id: str, data: CompleteInput) -> Booking:
    _require_transition_role(principal, Action.COMPLETE)
    booking = await _visible_booking(ports, principal, booking_id)
    if not principal.is_admin and booking.worker_id != principal.worker_id:
        raise Forbidden("only the assigned worker completes the walk")
    if booking.status is not BookingStatus.IN_PROGRESS:
        raise _conflict(booking, Action.COMPLETE)
    now = ports.clock.now()
    walk = live_walk(await ports.store.trails.points(booking.id), booking, now)
    done = CompletionDetails(
        start_time=booking.started_at or now,
        end_time=now,
        worker_notes=data.worker_notes,
        photos=await photo_ids(ports, booking.id),
    )
    fields: dict[str, Any] = {
        "completedAt": iso(now),
        "walk": walk.model_dump(mode="json", by_alias=True),
        "completionDetails": done.model_dump(mode="json", by_alias=True),
    }
    completed = await attach_walk_photos(
        ports, await _apply(ports, principal, booking, Action.COMPLETE, now=now, fields=fields)
    )
    assert completed.worker_id is not None
    await ports.store.schedules.release(completed.worker_id, completed.id, now)
    await ports.booking_events.publish(BookingFinished(completed))
    await announce(ports, completed, "Walk completed", "The walk is over: the report is ready.")
    return completed


async def cancel_booking(ports: BookingPorts, principal: Principal, booking_id: str, data: CancelInput) -> Booking:
    _require_transition_role(principal, Action.CANCEL)
    booking = await _visible_booking(ports, principal, booking_id)
    is_owner = principal.user_id == booking.owner_id
    if principal.role is Role.OWNER and not is_owner:
        raise Forbidden("only the booking's owner or business cancels it")
    if principal.role is Role.BUSINESS and not await _owns_business(ports, principal, booking.business_id):
        raise Forbidden("only the booking's owner or business cancels it")
    if booking.status not in TRANSITIONS[Action.CANCEL].sources:
        raise _conflict(booking, Action.CANCEL)
    now = ports.clock.now()
    total = booking.pricing.total_amount if booking.pricing else 0
    # A business calling off a booking owes the owner everything; the owner's refund follows the policy.
    refund = total if principal.role is not Role.OWNER else money.cancellation_refund(total, booking.scheduled_at, now)
    cancellation = Cancellation(
        reason=data.reason, by=principal.user_id, role=principal.role, at=now, refund_amount=refund
    )
    fields: dict[str, Any] = {"cancellation": cancellation.model_dump(mode="json", by_alias=True)}
    if booking.dispatch is not None and booking.dispatch.state in (DispatchState.SEARCHING, DispatchState.OFFERED):
        fields["dispatch"] = booking.dispatch.model_copy(
            update={"state": DispatchState.UNASSIGNED, "current": None}
        ).model_dump(mode="json", by_alias=True)
    cancelled = await _apply(ports, principal, booking, Action.CANCEL, now=now, fields=fields)
    if cancelled.worker_id:
        await ports.store.schedules.release(cancelled.worker_id, cancelled.id, now)
    await ports.booking_events.publish(BookingFinished(cancelled))
    await announce(ports, cancelled, "Booking cancelled", f"Reason: {data.reason}")
    return cancelled
