"""Signals about sessions that every process must act on, and the port that carries them.

A process that revokes a user's tokens or ends their watch of a walk publishes a signal; every process
(itself included) receives it and acts on what it holds: its token-version cache, its open sockets.
Handlers must be idempotent: a signal may arrive twice (published locally when the channel is down).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Protocol

import structlog

log = structlog.get_logger(__name__)


@dataclass(frozen=True)
class TokensRevoked:
    """Every access token of `user_id` with a version below `version` is void."""

    user_id: str
    version: int


@dataclass(frozen=True)
class WatchEnded:
    """`user_id` may no longer watch the walk of `booking_id`."""

    user_id: str
    booking_id: str


@dataclass(frozen=True)
class ChannelReset:
    """The channel was (re)connected: signals sent meanwhile may be lost, so cached state is suspect."""


SessionSignal = TokensRevoked | WatchEnded | ChannelReset
SignalHandler = Callable[[SessionSignal], Awaitable[None]]


class SessionChannel(Protocol):
    def subscribe(self, handler: SignalHandler) -> None:
        """Register a handler for every signal this process receives (call before start)."""

    async def publish(self, signal: TokensRevoked | WatchEnded) -> None:
        """Deliver to every process; this one has handled it when the call returns."""

    async def start(self) -> None: ...

    async def stop(self) -> None: ...


def encode(signal: TokensRevoked | WatchEnded) -> dict[str, Any]:
    if isinstance(signal, TokensRevoked):
        return {"kind": "revoked", "userId": signal.user_id, "version": signal.version}
    return {"kind": "unwatch", "userId": signal.user_id, "bookingId": signal.booking_id}


def decode(data: object) -> TokensRevoked | WatchEnded | None:
    """The signal in a message, or None for anything else (another version's message, garbage)."""
    if not isinstance(data, dict) or not isinstance(data.get("userId"), str):
        return None
    kind = data.get("kind")
    version = data.get("version")
    if kind == "revoked" and isinstance(version, int) and not isinstance(version, bool):
        return TokensRevoked(data["userId"], version)
    booking_id = data.get("bookingId")
    if kind == "unwatch" and isinstance(booking_id, str):
        return WatchEnded(data["userId"], booking_id)
    return None


async def deliver(handlers: list[SignalHandler], signal: SessionSignal) -> None:
    """Run every handler; one that fails is logged and does not keep the signal from the others."""
    for handler in handlers:
        try:
            await handler(signal)
        except Exception:
            log.exception("a session signal handler failed", signal=type(signal).__name__)
