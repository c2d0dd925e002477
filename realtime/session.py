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

    def start(self, sid: str, principal: Principal) -> None:
        self._principals[sid] = principal

    def principal(self, sid: str) -> Principal:
        principal = self._principals.get(sid)
        if principal is None:
            # Only an event racing its own socket's disconnect gets here.
            raise Unauthorized("the socket is not connected")
        return principal

    def end(self, sid: str) -> Principal | None:
        return self._principals.pop(sid, None)
