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
    summary="Readiness: the store and the live-location index answer",
    responses={503: {"description": "A component is not answering; `details` name it (`UNAVAILABLE`)"}},
)
async def readyz(services: ServicesDep) -> JSONResponse:
    checks = {"store": services.store.ping, "liveIndex": services.live_index.ping}
    failing: list[str] = []
    for name, check in checks.items():
        try:
            await asyncio.wait_for(check(), READY_TIMEOUT_S)
        except Exception:
            failing.append(name)
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
