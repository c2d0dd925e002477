"""Agendas: GET /v1/workers/{id}/bookings?status=&from=&to= and
GET /v1/businesses/{id}/bookings?status=&from=&to=&workerId=, earliest scheduled first."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from app.domain.bookings import Booking
from app.rest.deps import PrincipalDep, ServicesDep
from app.rest.envelope import Page, page
from app.usecases.bookings import agendas

router = APIRouter(tags=["bookings"])


@router.get("/v1/workers/{worker_id}/bookings", summary="The worker's bookings (the worker, their business, admins)")
async def worker_bookings(
    worker_id: str,
    query: Annotated[agendas.AgendaQuery, Query()],
    principal: PrincipalDep,
    services: ServicesDep,
) -> Page[Booking]:
    items, total = await agendas.worker_bookings(services.store, principal, worker_id, query)
    return page(items, page=query.page, limit=query.limit, total=total)


@router.get("/v1/businesses/{business_id}/bookings", summary="The business's bookings (its account, admins)")
async def business_bookings(
    business_id: str,
    query: Annotated[agendas.BusinessAgendaQuery, Query()],
    principal: PrincipalDep,
    services: ServicesDep,
) -> Page[Booking]:
    items, total = await agendas.business_bookings(services.store, principal, business_id, query)
    return page(items, page=query.page, limit=query.limit, total=total)
