"""/v1/bookings: create (idempotent), read, list, and the lifecycle transitions."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, status
from fastapi.responses import JSONResponse

from app.domain.bookings import Booking
from app.rest.deps import PrincipalDep, ServicesDep, VerifiedEmail
from app.rest.envelope import Envelope, Page, ok, page
from app.rest.guards import may_act_on
from app.rest.idempotency import IdempotencyKey, keyed_response
from app.rest.openapi import WALK_NOT_STARTED
from app.usecases import access
from app.usecases.bookings import creation
from app.usecases.bookings import edits as booking_edits
from app.usecases.bookings import lifecycle as bookings
from app.usecases.idempotency import run_once
from app.usecases.walks import tracking

router = APIRouter(prefix="/v1/bookings", tags=["bookings"], dependencies=[VerifiedEmail])


def _json(booking: Booking) -> dict[str, Any]:
    return booking.model_dump(mode="json", by_alias=True)


@router.post("", status_code=status.HTTP_201_CREATED, response_model=Envelope[Booking])
async def create_booking(
    body: creation.BookingCreate,
    principal: PrincipalDep,
    services: ServicesDep,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    async def create() -> dict[str, Any]:
        return _json(await creation.create_booking(services, principal, body))

    data, replayed = await run_once(
        services,
        principal,
        scope="bookings.create",
        key=idempotency_key,
        payload=body.model_dump(mode="json"),
        action=create,
    )
    return keyed_response(data, replayed, status.HTTP_201_CREATED)


@router.get("")
async def list_bookings(
    query: Annotated[bookings.BookingQuery, Query()], principal: PrincipalDep, services: ServicesDep
) -> Page[Booking]:
    items, total = await bookings.list_bookings(services, principal, query)
    return page(items, page=query.page, limit=query.limit, total=total)


@router.get("/{booking_id}")
async def get_booking(booking_id: str, principal: PrincipalDep, services: ServicesDep) -> Envelope[Booking]:
    return ok(await bookings.get_booking(services, principal, booking_id))


@router.put(
    "/{booking_id}",
    summary="Owner: move, relocate or annotate a pending or confirmed booking",
    dependencies=[may_act_on("booking_id", access.booking_party)],
)
async def edit_booking(
    booking_id: str, body: booking_edits.BookingEdit, principal: PrincipalDep, services: ServicesDep
) -> Envelope[Booking]:
    return ok(await booking_edits.edit_booking(services, principal, booking_id, body))


@router.post("/{booking_id}/confirm", dependencies=[may_act_on("booking_id", access.booking_party)])
async def confirm(
    booking_id: str, principal: PrincipalDep, services: ServicesDep, body: bookings.ConfirmInput | None = None
) -> Envelope[Booking]:
    return ok(await bookings.confirm_booking(services, principal, booking_id, body or bookings.ConfirmInput()))


@router.post("/{booking_id}/start")
async def start(booking_id: str, principal: PrincipalDep, services: ServicesDep) -> Envelope[Booking]:
    return ok(await bookings.start_booking(services, principal, booking_id))


@router.post("/{booking_id}/complete", summary="Worker: end the walk, with optional {workerNotes}")
async def complete(
    booking_id: str, principal: PrincipalDep, services: ServicesDep, body: bookings.CompleteInput | None = None
) -> Envelope[Booking]:
    return ok(await bookings.complete_booking(services, principal, booking_id, body or bookings.CompleteInput()))


@router.post("/{booking_id}/cancel", dependencies=[may_act_on("booking_id", access.booking_party)])
async def cancel(
    booking_id: str, body: bookings.CancelInput, principal: PrincipalDep, services: ServicesDep
) -> Envelope[Booking]:
    return ok(await bookings.cancel_booking(services, principal, booking_id, body))


@router.get(
    "/{booking_id}/tracking",
    summary="The live walk: last fix, trail, distance and duration",
    responses=WALK_NOT_STARTED,
)
async def get_tracking(
    booking_id: str, principal: PrincipalDep, services: ServicesDep
) -> Envelope[tracking.TrackingView]:
    return ok(await tracking.get_tracking(services, principal, booking_id))
