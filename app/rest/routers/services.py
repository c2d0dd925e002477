"""/v1/services/{id}: one service of a business (listing and creation are under /v1/businesses/{id})."""

from __future__ import annotations

from fastapi import APIRouter

from app.rest.deps import PrincipalDep, ServicesDep
from app.rest.envelope import Envelope, ok
from app.rest.guards import may_act_on
from app.usecases import access, services

router = APIRouter(prefix="/v1/services", tags=["services"])


@router.get("/{service_id}")
async def get_service(
    service_id: str, principal: PrincipalDep, services_: ServicesDep
) -> Envelope[services.ServiceView]:
    return ok(await services.get_service(services_, principal, service_id))


@router.put("/{service_id}", dependencies=[may_act_on("service_id", access.manage_service)])
async def update_service(
    service_id: str, body: services.ServiceUpdate, principal: PrincipalDep, services_: ServicesDep
) -> Envelope[services.ServiceView]:
    return ok(await services.update_service(services_, principal, service_id, body))


@router.delete("/{service_id}", summary="Withdraw the service (isActive false)")
async def delete_service(service_id: str, principal: PrincipalDep, services_: ServicesDep) -> Envelope[dict[str, bool]]:
    await services.delete_service(services_, principal, service_id)
    return ok({"deleted": True})
