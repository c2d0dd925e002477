"""The event publisher port: use cases announce what happened; the live plane delivers it.

Room names are part of this port so use cases and the Socket.IO layer agree on them.
"""

from __future__ import annotations

from typing import Any, Protocol


class EventPublisher(Protocol):
    async def emit(self, event: str, data: dict[str, Any], *, room: str) -> None: ...


def user_room(user_id: str) -> str:
    return f"user:{user_id}"


def booking_room(booking_id: str) -> str:
    return f"booking:{booking_id}"


def fleet_room(business_id: str) -> str:
    return f"fleet:{business_id}"


def worker_room(worker_id: str) -> str:
    return f"worker:{worker_id}"
