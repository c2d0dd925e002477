"""/v1/locations: who is near a point (live workers, and businesses through the marketplace search)."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Query, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from pydantic import ValidationError

from app.rest.deps import PrincipalDep, ServicesDep, bearer, get_principal, get_services
from app.rest.envelope import Envelope, Page, page
from app.usecases import businesses
from app.usecases.live import nearby

router = APIRouter(prefix="/v1/locations", tags=["live locations"])
NearbyPage = Envelope[list[nearby.NearbyWorkerView]]


async def nearby_workers(
    query: Annotated[nearby.NearbyQuery, Query()], principal: PrincipalDep, services: ServicesDep
) -> Response:
    views = await nearby.find_nearby_workers(services, principal, query)
    # Serialized once, here: the views are the response model's wire form (see find_nearby_workers).
    return Response(orjson.dumps({"success": True, "data": views}), media_type="application/json")


class _NearbyRoute(APIRoute):
    """Calls `nearby_workers` with its arguments resolved by hand: the signature above still declares the
    query, the bearer scheme and the response for the OpenAPI document, but FastAPI's general dependency
    solving was ~15% of this route's CPU (profiled under load). The same checks in the same order: the
    bearer token first (401), then the query (422, errors located under `query` as FastAPI puts them)."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        async def handle(request: Request) -> Response:
            services = await get_services(request)
            principal = await get_principal(services, await bearer(request))
            params = request.query_params
            given = {name: params[name] for name in nearby.QUERY_NAMES if name in params}
            try:
                query = nearby.NearbyQuery.model_validate(given)
            except ValidationError as exc:
                raise RequestValidationError(
                    [{**error, "loc": ("query", *error["loc"])} for error in exc.errors(include_url=False)]
                ) from None
            return await nearby_workers(query, principal, services)

        return handle


router.add_api_route(
    "/workers",
    nearby_workers,
    methods=["GET"],
    summary="Online, available workers nearest first",
    description="Exact `coordinates` only for admins and the account of the worker's own business; "
    f"`radius` in metres (default {nearby.DEFAULT_RADIUS_M:g}, capped at {nearby.MAX_RADIUS_M:g}).",
    response_model=NearbyPage,
    response_model_exclude_none=True,
    route_class_override=_NearbyRoute,
)
# Its plain requests are served past the middleware and FastAPI by app/rest/nearby_lane.py.
nearby_workers_route = next(r for r in router.routes if isinstance(r, APIRoute) and r.endpoint is nearby_workers)


@router.get("/businesses", summary="Businesses near a point, nearest first (same as /v1/businesses/search)")
async def nearby_businesses(
    query: Annotated[businesses.BusinessSearch, Query()], principal: PrincipalDep, services: ServicesDep
) -> Page[businesses.BusinessSearchHit]:
    items, total = await businesses.search_businesses(services, principal, query)
    return page(items, page=query.page, limit=query.limit, total=total)
