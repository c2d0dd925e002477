"""The walk: on my way, walk events, the report card, share links (and the account-free shared view)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response, status

from app.domain.bookings import Booking
from app.rest.deps import PrincipalDep, ServicesDep
from app.rest.envelope import Envelope, ok
from app.rest.openapi import WALK_NOT_STARTED
from app.usecases.walks import requests as walks

router = APIRouter(prefix="/v1/bookings", tags=["walks"])
shared = APIRouter(prefix="/v1/share", tags=["walks"])
SVG = "image/svg+xml"
GPX = "application/gpx+xml"


@router.post("/{booking_id}/on-my-way", summary="The assigned worker sets off: the owners may follow them")
async def on_my_way(
    booking_id: str, principal: PrincipalDep, services: ServicesDep, body: walks.OnMyWayInput | None = None
) -> Envelope[Booking]:
    return ok(await walks.on_my_way(services, principal, booking_id))


@router.post("/{booking_id}/walk-events", status_code=status.HTTP_201_CREATED)
async def add_walk_event(
    booking_id: str, body: walks.WalkEventInput, principal: PrincipalDep, services: ServicesDep
) -> Envelope[dict[str, Any]]:
    event = await walks.add_walk_event(services, principal, booking_id, body)
    return ok({"bookingId": booking_id, **event.view()})


@router.get(
    "/{booking_id}/report",
    summary="The report card: distance, duration, route, events, photos, notes",
    responses=WALK_NOT_STARTED,
)
async def get_report(booking_id: str, principal: PrincipalDep, services: ServicesDep) -> Envelope[dict[str, Any]]:
    return ok(await walks.get_report(services, principal, booking_id))


@router.get(
    "/{booking_id}/report/map.svg",
    summary="The walk's route with start, end and events drawn (no tiles)",
    response_class=Response,
    responses={200: {"content": {SVG: {}}}, **WALK_NOT_STARTED},
)
async def report_map(booking_id: str, principal: PrincipalDep, services: ServicesDep) -> Response:
    return Response(await walks.report_map_svg(services, principal, booking_id), media_type=SVG)


@router.get(
    "/{booking_id}/route.gpx",
    summary="The walk as GPX 1.1: the track and its events as waypoints",
    response_class=Response,
    responses={200: {"content": {GPX: {}}}, **WALK_NOT_STARTED},
)
async def route_gpx(booking_id: str, principal: PrincipalDep, services: ServicesDep) -> Response:
    return Response(
        await walks.report_gpx(services, principal, booking_id),
        media_type=GPX,
        headers={"Content-Disposition": f'attachment; filename="walk-{booking_id}.gpx"'},
    )


@router.post("/{booking_id}/share", status_code=status.HTTP_201_CREATED)
async def create_share(
    booking_id: str,
    request: Request,
    principal: PrincipalDep,
    services: ServicesDep,
    body: walks.ShareInput | None = None,
) -> Envelope[walks.ShareCreated]:
    created = await walks.create_share(
        services, principal, booking_id, body or walks.ShareInput(), base_url=str(request.base_url)
    )
    return ok(created)


@router.delete("/{booking_id}/share/{token}")
async def revoke_share(
    booking_id: str, token: str, principal: PrincipalDep, services: ServicesDep
) -> Envelope[dict[str, bool]]:
    await walks.revoke_share(services, principal, booking_id, token)
    return ok({"revoked": True})


@shared.get("/{token}", summary="A shared walk, without an account, while the link lives")
async def get_shared_walk(token: str, services: ServicesDep) -> Envelope[walks.SharedWalk]:
    return ok(await walks.get_shared_walk(services, token))
