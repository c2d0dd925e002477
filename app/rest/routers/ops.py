"""Liveness, readiness and metrics."""

from __future__ import annotations

import asyncio

from fastapi import APIRouter
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from app.rest.deps import ServicesDep
from app.rest.envelope import error_body

router = APIRouter(tags=["operations"])
READY_TIMEOUT_S = 2.0


@router.get("/healthz", summary="Liveness: the process is up")
async def healthz() -> dict[str, object]:
    return {"success": True, "data": {"status": "ok"}}


@router.get(
    "/readyz",
    summary="Readiness: the store, the live index and every Redis connection answer",
    responses={503: {"description": "A component is not answering; `details` name it (`UNAVAILABLE`)"}},
)
async def readyz(services: ServicesDep) -> JSONResponse:
    checks = services.health_checks
    # Concurrently, so a component that hangs costs READY_TIMEOUT_S once, not once per component.
    outcomes = await asyncio.gather(
        *(asyncio.wait_for(check(), READY_TIMEOUT_S) for check in checks.values()), return_exceptions=True
    )
    failing = [name for name, outcome in zip(checks, outcomes, strict=True) if isinstance(outcome, BaseException)]
    if failing:
        body = error_body(
            "UNAVAILABLE",
            f"not ready: {', '.join(failing)} not answering",
            [{"component": name} for name in failing],
        )
        return JSONResponse(body, status_code=503)
    return JSONResponse({"success": True, "data": {"status": "ready", "components": list(checks)}})


@router.get("/metrics", summary="Prometheus metrics", response_class=Response)
async def metrics(services: ServicesDep) -> Response:
    return Response(generate_latest(services.metrics.registry), media_type=CONTENT_TYPE_LATEST)
