"""/v1/admin: moderation for platform admins (403 for everyone else).

GET  /v1/admin/reviews?status=flagged     POST /v1/admin/reviews/{id}/publish|hide
POST /v1/admin/businesses/{id}/verify|suspend|reinstate
GET  /v1/admin/users?q=                   POST /v1/admin/users/{id}/suspend|reinstate
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from app.rest.deps import PrincipalDep, ServicesDep
from app.rest.envelope import Envelope, Page, ok, page
from app.usecases import admin
from app.usecases.accounts.sessions import revoke_sessions

router = APIRouter(prefix="/v1/admin", tags=["admin"])


@router.get("/reviews", summary="Reviews awaiting moderation (flagged by default)")
async def list_reviews(
    query: Annotated[admin.AdminReviewQuery, Query()], principal: PrincipalDep, services: ServicesDep
) -> Page[admin.AdminReviewView]:
    items, total = await admin.list_reviews(services.store, principal, query)
    return page(items, page=query.page, limit=query.limit, total=total)


@router.post("/reviews/{review_id}/publish", summary="Back on the public lists")
async def publish_review(
    review_id: str, principal: PrincipalDep, services: ServicesDep
) -> Envelope[admin.AdminReviewView]:
    return ok(await admin.publish_review(services.store, services.clock, principal, review_id))


@router.post("/reviews/{review_id}/hide", summary="Off the public lists")
async def hide_review(
    review_id: str, principal: PrincipalDep, services: ServicesDep
) -> Envelope[admin.AdminReviewView]:
    return ok(await admin.hide_review(services.store, services.clock, principal, review_id))


@router.post("/businesses/{business_id}/verify")
async def verify_business(
    business_id: str, principal: PrincipalDep, services: ServicesDep
) -> Envelope[admin.AdminBusinessView]:
    return ok(await admin.verify_business(services.store, services.clock, principal, business_id))


@router.post("/businesses/{business_id}/suspend", summary="Out of search, browse and dispatch")
async def suspend_business(
    business_id: str, principal: PrincipalDep, services: ServicesDep
) -> Envelope[admin.AdminBusinessView]:
    return ok(await admin.suspend_business(services.store, services.clock, principal, business_id))


@router.post("/businesses/{business_id}/reinstate")
async def reinstate_business(
    business_id: str, principal: PrincipalDep, services: ServicesDep
) -> Envelope[admin.AdminBusinessView]:
    return ok(await admin.reinstate_business(services.store, services.clock, principal, business_id))


@router.get("/users", summary="Accounts, optionally those whose email contains q")
async def list_users(
    query: Annotated[admin.AdminUserQuery, Query()], principal: PrincipalDep, services: ServicesDep
) -> Page[admin.AdminUserView]:
    items, total = await admin.list_users(services.store, principal, query)
    return page(items, page=query.page, limit=query.limit, total=total)


@router.post("/users/{user_id}/suspend", summary="No login, and every session ended")
async def suspend_user(user_id: str, principal: PrincipalDep, services: ServicesDep) -> Envelope[admin.AdminUserView]:
    async def end_sessions(target: str) -> None:
        await revoke_sessions(services, target)

    return ok(await admin.suspend_user(services.store, services.clock, end_sessions, principal, user_id))


@router.post("/users/{user_id}/reinstate")
async def reinstate_user(user_id: str, principal: PrincipalDep, services: ServicesDep) -> Envelope[admin.AdminUserView]:
    return ok(await admin.reinstate_user(services.store, services.clock, principal, user_id))
