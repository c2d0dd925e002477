"""/v1/users/me/devices (push tokens) and /v1/users/me/notification-preferences (channels per kind)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, status

from app.rest.deps import PrincipalDep, ServicesDep
from app.rest.envelope import Envelope, ok
from app.usecases import messages
from app.usecases.messages import MAX_TOKEN_LENGTH

router = APIRouter(prefix="/v1/users/me", tags=["users"])


@router.post("/devices", status_code=status.HTTP_201_CREATED, summary="Register an Expo push token")
async def register_device(
    body: messages.DeviceInput, principal: PrincipalDep, services: ServicesDep
) -> Envelope[messages.DeviceView]:
    return ok(await messages.register_device(services, principal, body))


@router.get("/devices")
async def list_devices(principal: PrincipalDep, services: ServicesDep) -> Envelope[list[messages.DeviceView]]:
    return ok(await messages.list_devices(services, principal))


@router.delete("/devices/{token}", summary="Forget a push token (idempotent)")
async def remove_device(
    token: Annotated[str, Path(min_length=1, max_length=MAX_TOKEN_LENGTH)],
    principal: PrincipalDep,
    services: ServicesDep,
) -> Envelope[dict[str, bool]]:
    return ok({"removed": await messages.remove_device(services, principal, token)})


@router.get("/notification-preferences")
async def get_preferences(principal: PrincipalDep, services: ServicesDep) -> Envelope[messages.PreferencesView]:
    return ok(await messages.get_preferences(services, principal))


@router.put("/notification-preferences", summary="Set the channels of the kinds given; others keep theirs")
async def put_preferences(
    body: messages.PreferencesInput, principal: PrincipalDep, services: ServicesDep
) -> Envelope[messages.PreferencesView]:
    return ok(await messages.put_preferences(services, principal, body))
