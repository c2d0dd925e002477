"""The Socket.IO server's handlers: authentication at connect and the socket's identity.

The server itself (and its AsyncRedisManager when Redis is configured) is built by the composition root.
"""

from __future__ import annotations

from typing import Any

import socketio
import structlog

from app.auth.principal import Principal
from app.composition import Services
from app.errors import AppError
from app.events import user_room, worker_room

log = structlog.get_logger("walky.socket")
PRINCIPAL = "principal"


def create_socket_server(services: Services) -> socketio.AsyncServer:
    sio = services.sio

    async def connect(sid: str, environ: dict[str, Any], auth: object = None) -> None:
        token = auth.get("token") if isinstance(auth, dict) else None
        if not isinstance(token, str) or not token:
            raise socketio.exceptions.ConnectionRefusedError("unauthorized")
        try:
            principal = services.access_tokens.verify(token)
        except AppError as exc:
            raise socketio.exceptions.ConnectionRefusedError("unauthorized") from exc
        await sio.save_session(sid, {PRINCIPAL: principal})
        # Personal rooms: notifications to the user, dispatch offers to the worker, from any process.
        await sio.enter_room(sid, user_room(principal.user_id))
        if principal.worker_id:
            await sio.enter_room(sid, worker_room(principal.worker_id))
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
