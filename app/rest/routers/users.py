"""/v1/users/me: one's own account; /v1/users/me/password: change the password (ends every other session);
/v1/users/me/phone/verification and /verify: prove the phone number with a code sent by SMS."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, status

from app.rest.deps import PrincipalDep, ServicesDep, auth_rate_limit
from app.rest.envelope import Envelope, ok
from app.usecases.accounts import auth, export, phone, users

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


@router.post(
    "/me/phone/verification",
    status_code=status.HTTP_202_ACCEPTED,
    summary="Text a 6-digit code to the account's phone (valid 10 minutes, 5 tries); 409 without a number",
)
async def send_phone_code(principal: PrincipalDep, services: ServicesDep) -> Envelope[phone.CodeSent]:
    return ok(await phone.send_code(services, principal))


@router.post("/me/phone/verify", summary="Type back the code: the account with isPhoneVerified true")
async def verify_phone(
    body: phone.CodeInput, principal: PrincipalDep, services: ServicesDep
) -> Envelope[users.UserView]:
    return ok(await phone.verify_code(services, principal, body))
