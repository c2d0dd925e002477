"""In-process live-location index for the embedded default."""

from __future__ import annotations


class MemoryLiveIndex:
    async def ping(self) -> None:
        return None

    async def close(self) -> None:
        return None
