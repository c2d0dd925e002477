"""What a socket's session holds: the principal its token proved at connect."""

from __future__ import annotations

import socketio

from app.auth.principal import Principal

PRINCIPAL = "principal"


async def principal_of(sio: socketio.AsyncServer, sid: str) -> Principal:
    session = await sio.get_session(sid)
    principal: Principal = session[PRINCIPAL]
    return principal
