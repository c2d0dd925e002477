"""/v1/businesses: businesses, their search by location, and their workers and services."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, status
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from app.rest.deps import OptionalPrincipalDep, PrincipalDep, ServicesDep
from app.rest.envelope import Envelope, Page, ok, page
from app.rest.guards import may_act_on
from app.usecases import access, browse, businesses, services, workers
from app.usecases.inputs import MAX_PAGE, MAX_PAGE_SIZE

router = APIRouter(prefix="/v1/businesses", tags=["businesses"])


# The public reads (no token) answer anonymous callers with the views of app/usecases/browse.py and are
# serialized here: with a union response model, validation could pick the narrower view for everyone.
def _answer(body: BaseModel) -> JSONResponse:
    return JSONResponse(body.model_dump(mode="json", by_alias=True))


# Pagination query parameters, shared by the marketplace routers.
PageNumber = Annotated[int, Query(alias="page", ge=1, le=MAX_PAGE)]
PageSize = Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)]


@router.post("", status_code=status.HTTP_201_CREATED)
async def create_business(
    body: businesses.BusinessCreate, principal: PrincipalDep, services_: ServicesDep
) -> Envelope[businesses.BusinessView]:
    return ok(await businesses.create_business(services_, principal, body))


# Declared before /{business_id} so "search" is not taken for an id.
@router.get(
    "/search",
    summary="Businesses near a point, nearest first (public)",
    response_model=Page[businesses.BusinessSearchHit | browse.PublicSearchHit],
)
async def search_businesses(
    query: Annotated[businesses.BusinessSearch, Query()], principal: OptionalPrincipalDep, services_: ServicesDep
) -> JSONResponse:
    if principal is None:
        public, total = await browse.public_search(services_.store, query)
        return _answer(page(public, page=query.page, limit=query.limit, total=total))
    items, total = await businesses.search_businesses(services_, principal, query)
    return _answer(page(items, page=query.page, limit=query.limit, total=total))


@router.get(
    "/{business_id}",
    summary="One business (public)",
    response_model=Envelope[businesses.BusinessView | browse.PublicBusinessView],
)
async def get_business(business_id: str, principal: OptionalPrincipalDep, services_: ServicesDep) -> JSONResponse:
    if principal is None:
        return _answer(ok(await browse.public_business(services_.store, business_id)))
    return _answer(ok(await businesses.get_business(services_, principal, business_id)))


@router.put("/{business_id}", dependencies=[may_act_on("business_id", access.manage_business)])
async def update_business(
    business_id: str, body: businesses.BusinessUpdate, principal: PrincipalDep, services_: ServicesDep
) -> Envelope[businesses.BusinessView]:
    return ok(await businesses.update_business(services_, principal, business_id, body))


@router.delete("/{business_id}", summary="Deactivate (soft delete) the business")
async def delete_business(
    business_id: str, principal: PrincipalDep, services_: ServicesDep
) -> Envelope[dict[str, bool]]:
    await businesses.delete_business(services_, principal, business_id)
    return ok({"deleted": True})


@router.post(
    "/{business_id}/workers",
    status_code=status.HTTP_201_CREATED,
    tags=["workers"],
    dependencies=[may_act_on("business_id", access.manage_business)],
)
async def create_worker(
    business_id: str, body: workers.WorkerCreate, principal: PrincipalDep, services_: ServicesDep
) -> Envelope[workers.WorkerView]:
    return ok(await workers.create_worker(services_, principal, business_id, body))


@router.get("/{business_id}/workers", tags=["workers"])
async def list_workers(
    business_id: str, principal: PrincipalDep, services_: ServicesDep, page_: PageNumber = 1, limit: PageSize = 20
) -> Page[workers.WorkerView]:
    items, total = await workers.list_workers(services_, principal, business_id, page=page_, limit=limit)
    return page(items, page=page_, limit=limit, total=total)


@router.post(
    "/{business_id}/services",
    status_code=status.HTTP_201_CREATED,
    tags=["services"],
    dependencies=[may_act_on("business_id", access.manage_business)],
)
async def create_service(
    business_id: str, body: services.ServiceCreate, principal: PrincipalDep, services_: ServicesDep
) -> Envelope[services.ServiceView]:
    return ok(await services.create_service(services_, principal, business_id, body))


@router.get(
    "/{business_id}/services",
    tags=["services"],
    summary="A business's services (public)",
    response_model=Envelope[list[services.ServiceView] | list[browse.PublicServiceView]],
)
async def list_services(business_id: str, principal: OptionalPrincipalDep, services_: ServicesDep) -> JSONResponse:
    if principal is None:
        return _answer(ok(await browse.public_services(services_.store, business_id)))
    return _answer(ok(await services.list_services(services_, principal, business_id)))
