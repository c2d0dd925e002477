"""/v1/workers/{id}/online|offline|location: presence and the REST fallback for a location ping."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body

from app.auth.principal import Principal
from app.composition import Services
from app.rest.deps import PrincipalDep, ServicesDep
from app.rest.envelope import Envelope, ok
from app.rest.guards import may_act_on
from app.usecases.live import ingestion, presence
from app.usecases.live.fix_inputs import RestFixInput

router = APIRouter(prefix="/v1/workers", tags=["live locations"])


async def _own_location(services: Services, principal: Principal, worker_id: str) -> None:
    """Only the worker sends their location: refused before the fix in the body is validated."""
    ingestion.sending_worker(principal, worker_id)


@router.post("/{worker_id}/online", summary="The worker, or their business: go online (available by default)")
async def go_online(
    worker_id: str,
    principal: PrincipalDep,
    services: ServicesDep,
    body: Annotated[presence.GoOnlineInput | None, Body()] = None,
) -> Envelope[presence.PresenceView]:
    return ok(await presence.go_online(services, principal, worker_id, body or presence.GoOnlineInput()))


@router.post("/{worker_id}/offline", summary="The worker, or their business: go offline")
async def go_offline(worker_id: str, principal: PrincipalDep, services: ServicesDep) -> Envelope[presence.PresenceView]:
    return ok(await presence.go_offline(services, principal, worker_id))


@router.put(
    "/{worker_id}/location",
    summary="The worker: one location fix (the REST fallback for a ping)",
    dependencies=[may_act_on("worker_id", _own_location)],
)
async def put_location(
    worker_id: str, body: RestFixInput, principal: PrincipalDep, services: ServicesDep
) -> Envelope[ingestion.IngestResult]:
    # Per worker here (there is no socket); the same budget as a socket's.
    await services.limiter.hit(services.settings.location_rate_limit, "location", "user", principal.user_id)
    return ok(await ingestion.report_location(services, principal, worker_id, body))
