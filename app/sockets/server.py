"""The Socket.IO server's handlers: authentication at connect, presence on connect and disconnect, and
the client events (app/sockets/events.py).

The server itself (and its AsyncRedisManager when Redis is configured) is built by the composition root.
"""

from __future__ import annotations

from typing import Any

import socketio
import structlog

from app.composition import Services
from app.errors import AppError
from app.events import user_room, worker_room
from app.sockets.events import register_events
from app.sockets.session import SocketSessions
from app.usecases.accounts.sessions import authenticate

log = structlog.get_logger("walky.socket")


def create_socket_server(services: Services) -> socketio.AsyncServer:
    """Registers the handlers on the wired services' server: the use-case objects they call (presence, fleet
    subscriptions, share followers) are built by the composition root; the socket sessions are this entry's."""
    sio = services.sio
    sessions = SocketSessions(sio, services.token_versions)
    services.session_channel.subscribe(sessions.on_signal)
    tracker = services.presence
    fleets = services.fleet_subscriptions
    followers = services.share_followers

    async def connect(sid: str, environ: dict[str, Any], auth: object = None) -> None:
        if auth is None or (isinstance(auth, dict) and "token" not in auth):
            # No account: the socket may only follow a walk by its share link (`tracking:subscribe {shareToken}`).
            sessions.start_guest(sid)
            services.metrics.open_sockets.inc()
            return
        token = auth.get("token") if isinstance(auth, dict) else None
        if not isinstance(token, str) or not token:
            raise socketio.exceptions.ConnectionRefusedError("unauthorized")
        try:
            principal = await authenticate(services, token)
        except AppError as exc:
            raise socketio.exceptions.ConnectionRefusedError("unauthorized") from exc
        # Personal rooms: notifications to the user, dispatch offers to the worker, from any process.
        await sio.enter_room(sid, user_room(principal.user_id))
        if principal.worker_id:
            await sio.enter_room(sid, worker_room(principal.worker_id))
            try:
                await tracker.connected(principal.worker_id)
            except Exception:
                # Redis away: let the worker connect anyway; fixes will answer UNAVAILABLE until it is back.
                log.exception("presence update on connect failed", worker_id=principal.worker_id)
        sessions.start(sid, principal)
        fleets.opened(sid)
        services.metrics.open_sockets.inc()

    async def disconnect(sid: str, reason: object = None) -> None:
        services.metrics.open_sockets.dec()
        await fleets.release(sid)
        followers.forget(sid)
        principal = sessions.end(sid)
        if principal is not None and principal.worker_id:
            try:
                await tracker.disconnected(principal.worker_id, principal.business_id)
            except Exception:
                # Redis away: the sweeper still takes the silent worker out of nearby results.
                log.exception("presence update on disconnect failed", worker_id=principal.worker_id)

    sio.on("connect", connect)
    sio.on("disconnect", disconnect)
    register_events(services, sessions, fleets, followers)
    return sio
