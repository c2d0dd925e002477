"""The ASGI application: FastAPI for REST and OpenAPI, Socket.IO mounted beside it at /socket.io."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import structlog
from fastapi import FastAPI
from starlette.middleware.cors import CORSMiddleware
from starlette.middleware.gzip import GZipMiddleware
from starlette.types import ASGIApp, Scope

from app.clock import Clock
from app.composition import Services, build_services
from app.rest.client_address import ClientAddressMiddleware
from app.rest.docs import install_docs
from app.rest.errors import install_error_handlers
from app.rest.middleware import BodyLimitMiddleware, RequestContextMiddleware
from app.rest.nearby_lane import NearbyLane
from app.rest.openapi import install_error_documentation
from app.rest.rate_limit import ApiRateLimitMiddleware
from app.rest.routers import admin as admin_routes
from app.rest.routers import agendas as agenda_routes
from app.rest.routers import (
    auth,
    bookings,
    businesses,
    locations,
    media,
    messages,
    notifications,
    ops,
    pets,
    presence,
    users,
    workers,
)
from app.rest.routers import browse as browse_routes
from app.rest.routers import payments as payments_routes
from app.rest.routers import reviews as reviews_routes
from app.rest.routers import services as services_routes
from app.rest.routers import walks as walks_routes
from app.rest.timeout import RequestTimeoutMiddleware
from app.rest.upload_gate import UploadGate
from app.rest.uploads import UPLOAD_PATHS
from app.settings import Settings
from app.sockets.server import create_socket_server
from app.web import pages
from app.web.static_files import install_static
from realtime.socket_server import SocketApp

log = structlog.get_logger("walky")
GZIP_MIN_BYTES = 1024


def create_app(
    settings: Settings | None = None,
    clock: Clock | None = None,
    *,
    nearby_lane: bool = True,
) -> ASGIApp:
    """`nearby_lane`: the nearby read's shortcut (app/rest/nearby_lane.py), switchable off for
    scripts/bench/callgrind_paths.py, which measures what it saves."""
    settings = settings or Settings()
    if settings.is_production and settings.offline_payments:
        # Allowed only with WALKY_PAYMENTS=offline (the settings refuse it otherwise): say so at every start.
        log.critical(
            "PRODUCTION ON THE OFFLINE PAYMENT GATEWAY (WALKY_PAYMENTS=offline): payments are marked succeeded "
            "and nobody is charged"
        )
    services = build_services(settings, clock)
    sio = create_socket_server(services)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        await services.start()
        log.info("started", store=type(services.store.backend).__name__, redis=bool(settings.redis_url))
        try:
            yield
        finally:
            await sio.shutdown()
            await services.close()
            log.info("stopped")

    api = FastAPI(
        title="Walky dispatch API",
        version="1.0.0",
        summary="Real-time geolocation and dispatch for pet care",
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
        # Walky's own Prometheus metrics and logs observe requests. FastAPI's OpenTelemetry hooks would
        # otherwise ask three global providers on every request (~5 µs) whether tracing is wanted.
        telemetry={"tracing": False, "metrics": False, "logs": False},
    )
    api.state.services = services
    api.state.upload_gate = UploadGate()
    api.state.sio = sio
    install_error_handlers(api)
    install_docs(api)
    install_error_documentation(api)
    for router in (
        ops.router,
        # Routes are matched in order: the apps' hottest read (nearby walkers, polled by every owner's map)
        # is tried before the ~150 routes of the rest, which cost it ~15% of its CPU when it came twelfth.
        locations.router,
        auth.router,
        users.router,
        messages.router,
        # Before businesses and services: /v1/services/search must not be read as a service id.
        browse_routes.router,
        businesses.router,
        workers.router,
        services_routes.router,
        pets.router,
        bookings.router,
        notifications.router,
        presence.router,
        payments_routes.router,
        reviews_routes.router,
        admin_routes.router,
        agenda_routes.router,
        media.router,
        walks_routes.router,
        walks_routes.shared,
        pages.router,
    ):
        api.include_router(router)
    install_static(api)
    # Added last = outermost: the request context wraps everything, including the 413 refusals.
    # Innermost: gzip for answers over 1 KiB (FastAPI's only: Socket.IO is mounted beside it, never inside),
    # then the handler deadline around it (uploads excepted: they read their body at the client's pace).
    api.add_middleware(GZipMiddleware, minimum_size=GZIP_MIN_BYTES)
    api.add_middleware(RequestTimeoutMiddleware, timeout_s=settings.request_timeout_s, untimed_posts=UPLOAD_PATHS)
    api.add_middleware(BodyLimitMiddleware, max_bytes=settings.max_body_bytes, streamed_paths=UPLOAD_PATHS)
    # Inside CORS, so a browser can read its 429; outside the body limit, so a flood is not read first.
    api.add_middleware(
        ApiRateLimitMiddleware,
        limiter=services.limiter,
        rate=settings.api_rate_limit,
        access_tokens=services.access_tokens,
    )
    if settings.cors_origins:
        api.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["*"],
            allow_headers=["Authorization", "Content-Type", "Idempotency-Key", "X-Request-ID"],
            expose_headers=["Retry-After", "X-Request-ID"],
        )
    api.add_middleware(ClientAddressMiddleware, trusted=settings.trusted_proxies)
    # Outside all of the above, inside the request context: the nearby read's plain requests skip them.
    if nearby_lane:
        api.add_middleware(
            NearbyLane,
            services=services,
            route=locations.nearby_workers_route,
            rate=settings.api_rate_limit,
            timeout_s=settings.request_timeout_s,
            cors=bool(settings.cors_origins),
            vary_from_bytes=GZIP_MIN_BYTES,
        )
    if settings.sentry_dsn:
        from app.ops.sentry import CaptureErrors

        # Just inside the request context: reports carry its request id, and it still answers the 500.
        api.add_middleware(CaptureErrors)
    api.add_middleware(RequestContextMiddleware, metrics=services.metrics, hsts=settings.hsts)
    asgi: ASGIApp = SocketApp(sio, other_asgi_app=api, socketio_path="socket.io")
    return asgi


def build_route_tables(app: ASGIApp) -> None:
    """Have FastAPI build every included router's route table now, at start-up.

    It builds them lazily, on the first request that reaches each router: 0.1-0.3 s of CPU for all of
    them, holding the GIL, charged to the first requests after a start (50 simultaneous first uploads
    waited behind it). Matching a path no route has visits every router, and builds each table once.
    """
    probe: Scope = {"type": "http", "path": "/\x00", "method": "GET", "root_path": "", "headers": []}
    for route in api_of(app).router.routes:
        route.matches(probe)


def api_of(app: ASGIApp) -> FastAPI:
    """The FastAPI app inside an app made by create_app."""
    assert isinstance(app, SocketApp)
    api: FastAPI = app.other_asgi_app
    return api


def services_of(app: ASGIApp) -> Services:
    """The services behind an app made by create_app (for tests and scripts)."""
    services: Services = api_of(app).state.services
    return services
