"""Turning what happened into outbox messages: one per channel the recipient wants, with stable ids."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Protocol

from app.domain.users import User
from app.messages.outbox import Channel, OutboxMessage, category_of, message_id
from app.store.store import Store


class OutboxWake(Protocol):
    """The outbox relay, as use cases see it: they enqueue, then wake it so it sends without waiting for its
    next poll (app/messages/relay.py: OutboxRelay)."""

    def wake(self) -> None: ...


async def messages_for(
    store: Store,
    user: User,
    *,
    source: str,
    kind: str,
    title: str,
    body: str,
    data: dict[str, Any],
    now: datetime,
    expires_at: datetime | None = None,
) -> list[OutboxMessage]:
    """The deliveries of one notification to one person, by their preferences for its category."""
    if user.erased_at is not None:
        return []
    preferences = await store.preferences.get(user.id)
    messages: list[OutboxMessage] = []
    for channel in preferences.channels_for(category_of(kind)):
        to: str | None = None
        if channel is Channel.EMAIL:
            to = user.email
        elif channel is Channel.SMS:
            if not user.phone:
                continue
            to = user.phone
        elif not await store.devices.tokens_of(user.id):
            continue
        messages.append(
            OutboxMessage(
                id=message_id(source, user.id, channel),
                user_id=user.id,
                channel=channel,
                kind=kind,
                to=to,
                title=title,
                body=body,
                data=data,
                lease_until=now,
                created_at=now,
                expires_at=expires_at,
            )
        )
    return messages


def account_email(
    user: User, *, source: str, kind: str, title: str, body: str, link: str, now: datetime
) -> OutboxMessage:
    """An account message (verification, reset): by email only, whatever the preferences say."""
    return OutboxMessage(
        id=message_id(source, user.id, Channel.EMAIL),
        user_id=user.id,
        channel=Channel.EMAIL,
        kind=kind,
        to=user.email,
        title=title,
        body=body,
        link=link,
        lease_until=now,
        created_at=now,
    )


def account_sms(
    user: User, *, source: str, kind: str, title: str, body: str, now: datetime, expires_at: datetime
) -> OutboxMessage:
    """An account text (a phone verification code): to the account's number, whatever the preferences say,
    and not at all once it would be useless."""
    return OutboxMessage(
        id=message_id(source, user.id, Channel.SMS),
        user_id=user.id,
        channel=Channel.SMS,
        kind=kind,
        to=user.phone,
        title=title,
        body=body,
        lease_until=now,
        created_at=now,
        expires_at=expires_at,
    )
