"""What a socket's session holds: the principal its token proved at connect; and ending sessions.

Kept here rather than in python-socketio's session store: every event reads it, and the library's
`get_session` is three awaited calls deep, where this is one dict lookup. A socket lives in one process,
so a per-process map is the whole truth, and each process acts on session signals for its own sockets.
"""

from __future__ import annotations

import socketio
import structlog

from app.auth.principal import Principal
from app.auth.session_signals import ChannelReset, SessionSignal, TokensRevoked, WatchEnded
from app.auth.token_versions import TokenVersions
from app.errors import Unauthorized
from app.events import booking_room

log = structlog.get_logger("walky.socket")


class SocketSessions:
    def __init__(self, sio: socketio.AsyncServer, versions: TokenVersions) -> None:
        self._sio = sio
        self._versions = versions
        self._principals: dict[str, Principal] = {}
        self._sids_of_user: dict[str, set[str]] = {}
        # Connected without an account token: they may only follow a walk by its share link.
        self._guests: set[str] = set()

    def start(self, sid: str, principal: Principal) -> None:
        self._principals[sid] = principal
        self._sids_of_user.setdefault(principal.user_id, set()).add(sid)

    def start_guest(self, sid: str) -> None:
        self._guests.add(sid)

    def is_guest(self, sid: str) -> bool:
        return sid in self._guests

    def principal(self, sid: str) -> Principal:
        principal = self._principals.get(sid)
        if principal is None:
            if sid in self._guests:
                raise Unauthorized("this connection has no account token: it may only follow a share link")
            # Only an event racing its own socket's disconnect gets here.
            raise Unauthorized("the socket is not connected")
        # Between a revocation and the disconnect it causes, events are refused already.
        self._versions.check_known(principal)
        return principal

    def end(self, sid: str) -> Principal | None:
        self._guests.discard(sid)
        principal = self._principals.pop(sid, None)
        if principal is not None:
            sids = self._sids_of_user.get(principal.user_id)
            if sids is not None:
                sids.discard(sid)
                if not sids:
                    del self._sids_of_user[principal.user_id]
        return principal

    async def on_signal(self, signal: SessionSignal) -> None:
        if isinstance(signal, TokensRevoked):
            await self._disconnect_older(signal.user_id, signal.version)
        elif isinstance(signal, WatchEnded):
            for sid in list(self._sids_of_user.get(signal.user_id, ())):
                await self._sio.leave_room(sid, booking_room(signal.booking_id))
        elif isinstance(signal, ChannelReset):
            # Revocations published while this process was cut off are in the store: re-read them.
            for user_id in list(self._sids_of_user):
                await self._disconnect_older(user_id, await self._versions.current(user_id))

    async def _disconnect_older(self, user_id: str, version: int) -> None:
        for sid in list(self._sids_of_user.get(user_id, ())):
            principal = self._principals.get(sid)
            if principal is not None and principal.token_version < version:
                log.info("disconnecting a socket whose session ended", user_id=user_id)
                await self._sio.disconnect(sid)
