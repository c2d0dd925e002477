"""FastAPI dependencies: the wired services, the calling principal, rate limits."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from app.auth.principal import Principal
from app.composition import Services
from app.errors import Forbidden, Unauthorized
from app.usecases.accounts.sessions import authenticate

bearer = HTTPBearer(auto_error=False, description="Access token from /v1/auth/login")


async def get_services(request: Request) -> Services:
    services: Services = request.app.state.services
    return services


ServicesDep = Annotated[Services, Depends(get_services)]


async def get_principal(
    services: ServicesDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> Principal:
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise Unauthorized("missing bearer token")
    return await authenticate(services, credentials.credentials)


PrincipalDep = Annotated[Principal, Depends(get_principal)]


async def get_optional_principal(
    services: ServicesDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> Principal | None:
    """For public routes: None without a token; a token that is sent must still be valid (401)."""
    if credentials is None:
        return None
    return await get_principal(services, credentials)


OptionalPrincipalDep = Annotated[Principal | None, Depends(get_optional_principal)]


def client_ip(request: Request) -> str:
    return request.client.host if request.client else "unknown"


async def auth_rate_limit(request: Request, services: ServicesDep) -> None:
    await services.limiter.hit(services.settings.auth_rate_limit, "auth", client_ip(request))


async def require_verified_email(principal: PrincipalDep, services: ServicesDep) -> None:
    """Booking and payment routes, when WALKY_REQUIRE_VERIFIED_EMAIL is on (the production default)."""
    if not services.settings.verified_email_required:
        return
    user = await services.store.users.get(principal.user_id)
    if user is None or user.erased_at is not None:
        raise Unauthorized("account no longer exists")
    if not user.is_email_verified:
        raise Forbidden("verify your email address first")


VerifiedEmail = Depends(require_verified_email)
