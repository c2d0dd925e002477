"""The Socket.IO server: authentication at connect and the socket's identity.

With Redis configured, sockets are managed through AsyncRedisManager so an emit in one process
reaches sockets held by another.
"""

from __future__ import annotations

from typing import Any

import socketio
import structlog

from app.auth.principal import Principal
from app.composition import Services
from app.errors import AppError

log = structlog.get_logger("walky.socket")
PRINCIPAL = "principal"


def create_socket_server(services: Services) -> socketio.AsyncServer:
    settings = services.settings
    manager = (
        socketio.AsyncRedisManager(settings.redis_url, channel=f"{settings.redis_key_prefix}socketio")
        if settings.redis_url
        else None
    )
    sio = socketio.AsyncServer(
        async_mode="asgi",
        client_manager=manager,
        # None means same-origin only; browsers from other origins need WALKY_CORS_ORIGINS.
        cors_allowed_origins=settings.cors_origins or None,
        max_http_buffer_size=1024 * 1024,
        logger=False,
        engineio_logger=False,
    )

    async def connect(sid: str, environ: dict[str, Any], auth: object = None) -> None:
        token = auth.get("token") if isinstance(auth, dict) else None
        if not isinstance(token, str) or not token:
            raise socketio.exceptions.ConnectionRefusedError("unauthorized")
        try:
            principal = services.access_tokens.verify(token)
        except AppError as exc:
            raise socketio.exceptions.ConnectionRefusedError("unauthorized") from exc
        await sio.save_session(sid, {PRINCIPAL: principal})
        services.metrics.open_sockets.inc()

    async def disconnect(sid: str, reason: object = None) -> None:
        services.metrics.open_sockets.dec()

    sio.on("connect", connect)
    sio.on("disconnect", disconnect)
    return sio


async def principal_of(sio: socketio.AsyncServer, sid: str) -> Principal:
    session = await sio.get_session(sid)
    principal: Principal = session[PRINCIPAL]
    return principal
