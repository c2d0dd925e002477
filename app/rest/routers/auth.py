"""/v1/auth: register, login, refresh, logout; email verification and password reset."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, status

from app.rest.deps import ServicesDep, auth_rate_limit
from app.rest.envelope import Envelope, ok
from app.usecases.accounts import auth
from app.usecases.accounts import email_tokens as accounts

router = APIRouter(prefix="/v1/auth", tags=["auth"])
limited = [Depends(auth_rate_limit)]
# Credentials come in the body, not as a bearer token, so app/rest/openapi.py cannot infer this 401.
refused: dict[int | str, dict[str, Any]] = {401: {"description": "Wrong or revoked credentials (`UNAUTHORIZED`)"}}


@router.post("/register", status_code=status.HTTP_201_CREATED, dependencies=limited)
async def register(body: auth.RegisterInput, services: ServicesDep) -> Envelope[auth.AuthSession]:
    return ok(await auth.register(services, body))


@router.post("/login", dependencies=limited, responses=refused)
async def login(body: auth.LoginInput, services: ServicesDep) -> Envelope[auth.AuthSession]:
    return ok(await auth.login(services, body))


@router.post("/refresh", dependencies=limited, responses=refused)
async def refresh(body: auth.RefreshInput, services: ServicesDep) -> Envelope[auth.AuthSession]:
    return ok(await auth.refresh(services, body))


@router.post("/logout")
async def logout(body: auth.RefreshInput, services: ServicesDep) -> Envelope[dict[str, bool]]:
    await auth.logout(services, body)
    return ok({"loggedOut": True})


@router.post("/verify-email", dependencies=limited)
async def verify_email(body: accounts.TokenInput, services: ServicesDep) -> Envelope[dict[str, bool]]:
    await accounts.verify_email(services, body)
    return ok({"verified": True})


@router.post(
    "/resend-verification",
    status_code=status.HTTP_202_ACCEPTED,
    dependencies=limited,
    summary="Send a new verification email (202 whether or not the address has an account)",
)
async def resend_verification(body: accounts.EmailInput, services: ServicesDep) -> Envelope[dict[str, bool]]:
    await accounts.resend_verification(services, body)
    return ok({"accepted": True})


@router.post(
    "/forgot-password",
    status_code=status.HTTP_202_ACCEPTED,
    dependencies=limited,
    summary="Email a reset link (202 whether or not the address has an account)",
)
async def forgot_password(body: accounts.EmailInput, services: ServicesDep) -> Envelope[dict[str, bool]]:
    await accounts.forgot_password(services, body)
    return ok({"accepted": True})


@router.post("/reset-password", dependencies=limited, summary="Set a new password; ends every session")
async def reset_password(body: accounts.ResetPasswordInput, services: ServicesDep) -> Envelope[dict[str, bool]]:
    await accounts.reset_password(services, body)
    return ok({"reset": True})
