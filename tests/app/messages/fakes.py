"""Doubles at the seams of the messages package: a recording HTTP transport, a recording sender."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import parse_qs

import httpx

from app.messages.outbox import Channel, OutboxMessage
from app.messages.senders import SendFailed
from tests.support.clocks import T0


@dataclass
class RecordingTransport:
    """httpx.MockTransport that keeps every request and answers with `reply`."""

    reply: Callable[[httpx.Request], httpx.Response]
    requests: list[httpx.Request] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.transport = httpx.MockTransport(self._handle)

    def _handle(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return self.reply(request)

    def json_bodies(self) -> list[Any]:
        return [json.loads(r.content) for r in self.requests]

    def form_bodies(self) -> list[dict[str, list[str]]]:
        return [parse_qs(r.content.decode()) for r in self.requests]


@dataclass
class RecordingSender:
    channel: Channel = Channel.EMAIL
    fail_first: int = 0
    sent: list[OutboxMessage] = field(default_factory=list)
    calls: int = 0

    async def send(self, message: OutboxMessage) -> str:
        self.calls += 1
        if self.calls <= self.fail_first:
            raise SendFailed("provider busy")
        self.sent.append(message)
        return f"provider-{message.id}"

    async def aclose(self) -> None:
        return None


def message(
    id: str = "m1",
    *,
    channel: Channel = Channel.EMAIL,
    to: str | None = "ada@example.com",
    user_id: str = "u1",
    at: datetime = T0,
    **changes: Any,
) -> OutboxMessage:
    return OutboxMessage(
        id=id,
        user_id=user_id,
        channel=channel,
        kind=changes.pop("kind", "booking.confirmed"),
        to=to,
        title=changes.pop("title", "Booking confirmed"),
        body=changes.pop("body", "Rex's walk is confirmed for 10:00."),
        data=changes.pop("data", {"bookingId": "b1"}),
        lease_until=at,
        created_at=at,
        **changes,
    )
