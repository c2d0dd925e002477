"""Reviews: /v1/reviews, and the public lists of a business's and a worker's reviews."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, status

from app.rest.deps import OptionalPrincipalDep, PrincipalDep, ServicesDep
from app.rest.envelope import Envelope, Page, ok, page
from app.rest.guards import may_act_on
from app.usecases import access, reviews

router = APIRouter(tags=["reviews"])


@router.post("/v1/reviews", status_code=status.HTTP_201_CREATED)
async def create_review(
    body: reviews.ReviewCreate, principal: PrincipalDep, services: ServicesDep
) -> Envelope[reviews.ReviewView]:
    return ok(await reviews.create_review(services, principal, body))


@router.get("/v1/reviews/{review_id}")
async def get_review(review_id: str, principal: PrincipalDep, services: ServicesDep) -> Envelope[reviews.ReviewView]:
    return ok(await reviews.get_review(services, principal, review_id))


@router.put("/v1/reviews/{review_id}", dependencies=[may_act_on("review_id", access.author_review)])
async def update_review(
    review_id: str, body: reviews.ReviewUpdate, principal: PrincipalDep, services: ServicesDep
) -> Envelope[reviews.ReviewView]:
    return ok(await reviews.update_review(services, principal, review_id, body))


@router.delete("/v1/reviews/{review_id}")
async def delete_review(review_id: str, principal: PrincipalDep, services: ServicesDep) -> Envelope[dict[str, bool]]:
    await reviews.delete_review(services, principal, review_id)
    return ok({"deleted": True})


@router.post(
    "/v1/reviews/{review_id}/response",
    summary="The business's response (once)",
    dependencies=[may_act_on("review_id", access.respond_to_review)],
)
async def respond(
    review_id: str, body: reviews.ResponseInput, principal: PrincipalDep, services: ServicesDep
) -> Envelope[reviews.ReviewView]:
    return ok(await reviews.respond(services, principal, review_id, body))


@router.post("/v1/reviews/{review_id}/flag", summary="Hide from the public lists pending moderation")
async def flag(
    review_id: str, principal: PrincipalDep, services: ServicesDep, body: reviews.FlagInput | None = None
) -> Envelope[reviews.ReviewView]:
    return ok(await reviews.flag(services, principal, review_id, body or reviews.FlagInput()))


@router.get("/v1/businesses/{business_id}/reviews", tags=["businesses"], summary="Published reviews (public)")
async def business_reviews(
    business_id: str,
    query: Annotated[reviews.ReviewQuery, Query()],
    principal: OptionalPrincipalDep,
    services: ServicesDep,
) -> Page[reviews.ReviewView]:
    items, total = await reviews.list_for_business(services, principal, business_id, query)
    return page(items, page=query.page, limit=query.limit, total=total)


@router.get("/v1/workers/{worker_id}/reviews", tags=["workers"], summary="Published reviews (public)")
async def worker_reviews(
    worker_id: str,
    query: Annotated[reviews.ReviewQuery, Query()],
    principal: OptionalPrincipalDep,
    services: ServicesDep,
) -> Page[reviews.ReviewView]:
    items, total = await reviews.list_for_worker(services, principal, worker_id, query)
    return page(items, page=query.page, limit=query.limit, total=total)
