"""A channel with no provider configured: the message is logged (without its text) and counted as sent."""

from __future__ import annotations

import structlog

from app.messages.outbox import Channel, OutboxMessage

log = structlog.get_logger(__name__)


class LogSender:
    def __init__(self, channel: Channel) -> None:
        self.channel = channel

    async def send(self, message: OutboxMessage) -> str:
        log.info("message not sent: no provider configured", channel=self.channel.value, kind=message.kind)
        return f"log:{message.id}"

    async def aclose(self) -> None:
        return None
