"""The Sender port: one adapter per channel, all raising the same errors.

SendFailed            transient: the relay tries again after a backoff
 + PermanentSendFailure  the relay stops (bad address, no device, rejected by the provider)
"""

from __future__ import annotations

from typing import Protocol

from app.messages.outbox import Channel, OutboxMessage


class SendFailed(Exception):
    """The provider could not take the message now; try again later."""


class PermanentSendFailure(SendFailed):
    """Trying again would fail the same way."""


class Sender(Protocol):
    channel: Channel

    async def send(self, message: OutboxMessage) -> str:
        """Deliver once; return the provider's id. Raise SendFailed to retry."""

    async def aclose(self) -> None: ...
