"""EventPublisher and Rooms over Socket.IO: with AsyncRedisManager an emit reaches sockets in every process."""

from __future__ import annotations

from typing import Any

import socketio


class SocketPublisher:
    def __init__(self, sio: socketio.AsyncServer) -> None:
        self.sio = sio

    async def emit(self, event: str, data: dict[str, Any], *, room: str) -> None:
        await self.sio.emit(event, data, room=room)

    async def enter_room(self, sid: str, room: str) -> None:
        await self.sio.enter_room(sid, room)

    async def leave_room(self, sid: str, room: str) -> None:
        await self.sio.leave_room(sid, room)
