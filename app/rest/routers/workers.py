"""/v1/workers/{id}: a worker's profile. Online/offline and location live with the realtime routes."""

from __future__ import annotations

from fastapi import APIRouter

from app.rest.deps import PrincipalDep, ServicesDep
from app.rest.envelope import Envelope, ok
from app.rest.guards import may_act_on
from app.usecases import access, workers

router = APIRouter(prefix="/v1/workers", tags=["workers"])


@router.get("/{worker_id}")
async def get_worker(worker_id: str, principal: PrincipalDep, services: ServicesDep) -> Envelope[workers.WorkerView]:
    return ok(await workers.get_worker(services, principal, worker_id))


@router.put(
    "/{worker_id}",
    summary="Business: the profile; the worker: availability, phone, bio",
    dependencies=[may_act_on("worker_id", access.edit_worker)],
)
async def update_worker(
    worker_id: str, body: workers.WorkerUpdate, principal: PrincipalDep, services: ServicesDep
) -> Envelope[workers.WorkerView]:
    return ok(await workers.update_worker(services, principal, worker_id, body))


@router.put(
    "/{worker_id}/availability",
    summary="Replace the weekly availability (the worker or their business)",
    dependencies=[may_act_on("worker_id", access.edit_worker)],
)
async def set_availability(
    worker_id: str, body: workers.AvailabilityUpdate, principal: PrincipalDep, services: ServicesDep
) -> Envelope[workers.WorkerView]:
    return ok(await workers.set_availability(services, principal, worker_id, body))
