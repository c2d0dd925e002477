"""/v1/users/me: one's own account; /v1/users/me/password: change the password (ends every other session)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends

from app.rest.deps import PrincipalDep, ServicesDep, auth_rate_limit
from app.rest.envelope import Envelope, ok
from app.usecases.accounts import auth, export, users

router = APIRouter(prefix="/v1/users", tags=["users"])


@router.get("/me")
async def get_me(principal: PrincipalDep, services: ServicesDep) -> Envelope[users.UserView]:
    return ok(await users.get_me(services, principal))


@router.put("/me")
async def update_me(
    body: users.ProfileUpdate, principal: PrincipalDep, services: ServicesDep
) -> Envelope[users.UserView]:
    return ok(await users.update_me(services, principal, body))


@router.get("/me/export", summary="Everything stored about the caller, as one JSON document (GDPR access)")
async def export_me(principal: PrincipalDep, services: ServicesDep) -> Envelope[dict[str, Any]]:
    return ok(await export.export_me(services, principal))


@router.delete("/me", summary="Erase personal data (money records are kept, anonymised)")
async def delete_me(principal: PrincipalDep, services: ServicesDep) -> Envelope[dict[str, bool]]:
    await users.erase_me(services, principal)
    return ok({"erased": True})


@router.put(
    "/me/password",
    dependencies=[Depends(auth_rate_limit)],
    summary="Change the password: every session ends, the answer carries the caller's new one",
)
async def change_password(
    body: auth.PasswordChange, principal: PrincipalDep, services: ServicesDep
) -> Envelope[auth.AuthSession]:
    return ok(await auth.change_password(services, principal, body))
