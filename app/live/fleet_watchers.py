"""How many dispatcher sockets watch each business's fleet, across every process.

Most businesses have nobody watching the map most of the day; knowing that locally lets the fix hot
path skip building and publishing `fleet:location` events nobody would receive. Across processes, the
counts live in Redis (app/live/redis_fleet_watchers.py).
"""

from __future__ import annotations

from collections import Counter
from typing import Protocol


class FleetWatchers(Protocol):
    def watched(self, business_id: str) -> bool: ...

    async def add(self, business_id: str) -> None: ...

    async def remove(self, business_id: str) -> None: ...

    async def start(self) -> None: ...

    async def stop(self) -> None: ...


class MemoryFleetWatchers:
    def __init__(self) -> None:
        self._counts: Counter[str] = Counter()

    def watched(self, business_id: str) -> bool:
        return self._counts[business_id] > 0

    async def add(self, business_id: str) -> None:
        self._counts[business_id] += 1

    async def remove(self, business_id: str) -> None:
        self._counts[business_id] -= 1
        if self._counts[business_id] <= 0:
            del self._counts[business_id]

    async def start(self) -> None:
        return None

    async def stop(self) -> None:
        return None
