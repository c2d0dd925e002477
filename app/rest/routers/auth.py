"""/v1/auth: register, login, refresh, logout."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, status

from app.rest.deps import ServicesDep, auth_rate_limit
from app.rest.envelope import Envelope, ok
from app.usecases import auth

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
