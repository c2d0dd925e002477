"""Public marketplace routes, no token needed: GET /v1/businesses (browse) and GET /v1/services/search.

Included before the services router so "search" is not taken for a service id.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from app.rest.deps import ServicesDep
from app.rest.envelope import Page, page
from app.usecases import browse

router = APIRouter(tags=["marketplace"])


@router.get("/v1/businesses", summary="Browse listed businesses, best rated first (public)", tags=["businesses"])
async def browse_businesses(
    query: Annotated[browse.BrowseQuery, Query()], services: ServicesDep
) -> Page[browse.PublicBusinessView]:
    items, total = await browse.browse_businesses(services.store, query)
    return page(items, page=query.page, limit=query.limit, total=total)


@router.get(
    "/v1/services/search", summary="Services whose business serves the point, nearest first (public)", tags=["services"]
)
async def search_services(
    query: Annotated[browse.ServiceSearch, Query()], services: ServicesDep
) -> Page[browse.ServiceSearchHit]:
    items, total = await browse.search_services(services.store, query)
    return page(items, page=query.page, limit=query.limit, total=total)
