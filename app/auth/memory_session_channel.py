"""The one-process session channel (embedded default): a signal is handled as it is published."""

from __future__ import annotations

from app.auth.session_signals import SignalHandler, TokensRevoked, WatchEnded, deliver


class MemorySessionChannel:
    def __init__(self) -> None:
        self._handlers: list[SignalHandler] = []

    def subscribe(self, handler: SignalHandler) -> None:
        self._handlers.append(handler)

    async def publish(self, signal: TokensRevoked | WatchEnded) -> None:
        await deliver(self._handlers, signal)

    async def start(self) -> None:
        return None

    async def stop(self) -> None:
        return None
