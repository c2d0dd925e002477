"""The live-location index port: where online workers are right now."""

from __future__ import annotations

from typing import Protocol


class LiveIndex(Protocol):
    async def ping(self) -> None:
        """Raise when the index does not answer."""

    async def close(self) -> None: ...
