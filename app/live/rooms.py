"""The rooms port: use cases put a socket in a room, or take it out, without knowing the socket server.

Next to EventPublisher (app/events.py), which emits to a room; the Socket.IO adapter implements both
(realtime/socketio_publisher.py). A socket is named by its sid, which the socket layer hands in.
"""

from __future__ import annotations

from typing import Protocol


class Rooms(Protocol):
    async def enter_room(self, sid: str, room: str) -> None: ...

    async def leave_room(self, sid: str, room: str) -> None: ...
