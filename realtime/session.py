"""What a socket's session holds: the principal its token proved at connect.

Kept here rather than in python-socketio's session store: every event reads it, and the library's
`get_session` is three awaited calls deep, where this is one dict lookup. A socket lives in one process,
so a per-process map is the whole truth.
"""

from __future__ import annotations

from app.auth.principal import Principal
from app.errors import Unauthorized


class SocketSessions:
    def __init__(self) -> None:
        self._principals: dict[str, Principal] = {}
        # Connected without an account token: they may only follow a walk by its share link.
        self._guests: set[str] = set()

    def start(self, sid: str, principal: Principal) -> None:
        self._principals[sid] = principal

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
        return principal

    def end(self, sid: str) -> Principal | None:
        self._guests.discard(sid)
        return self._principals.pop(sid, None)
