"""/v1/locations: who is near a point (live workers, and businesses through the marketplace search)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response

from app.rest.deps import PrincipalDep, ServicesDep
from app.rest.envelope import Envelope, Page, page
from app.usecases import businesses
from realtime import nearby

router = APIRouter(prefix="/v1/locations", tags=["live locations"])
NearbyPage = Envelope[list[nearby.NearbyWorkerView]]


@router.get(
    "/workers",
    summary="Online, available workers nearest first",
    description="Exact `coordinates` only for admins and the account of the worker's own business; "
    f"`radius` in metres (default {nearby.DEFAULT_RADIUS_M:g}, capped at {nearby.MAX_RADIUS_M:g}).",
    response_model=NearbyPage,
    response_model_exclude_none=True,
)
async def nearby_workers(
    query: Annotated[nearby.NearbyQuery, Query()], principal: PrincipalDep, services: ServicesDep
) -> Response:
    views = await nearby.find_nearby_workers(services, principal, query)
    # The live plane's hot read: serialized once here, where the envelope and FastAPI's response check
    # would validate the 20 views twice more; the response model above still documents the shape.
    body = NearbyPage.model_construct(data=views).model_dump_json(by_alias=True, exclude_none=True)
    return Response(body, media_type="application/json")


@router.get("/businesses", summary="Businesses near a point, nearest first (same as /v1/businesses/search)")
async def nearby_businesses(
    query: Annotated[businesses.BusinessSearch, Query()], principal: PrincipalDep, services: ServicesDep
) -> Page[businesses.BusinessSearchHit]:
    items, total = await businesses.search_businesses(services, principal, query)
    return page(items, page=query.page, limit=query.limit, total=total)
