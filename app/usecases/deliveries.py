"""Turning what happened into outbox messages: one per channel the recipient wants, with stable ids."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Protocol

from app.domain.users import User
from app.messages.outbox import Channel, OutboxMessage, category_of, message_id
from app.messages.rendering.facts import Links, MessageFacts
from app.messages.rendering.render import Rendered, render
from app.store.store import Store


class OutboxWake(Protocol):
    """The outbox relay, as use cases see it: they enqueue, then wake it so it sends without waiting for its
    next poll (app/messages/relay.py: OutboxRelay)."""

    def wake(self) -> None: ...


def rendered_for(user: User, kind: str, about: MessageFacts | None, links: Links) -> Rendered | None:
    """The message of `kind` worded for the user's role in the booking and in their locale; None when the kind
    has no template for them (they get the caller's plain title and text)."""
    if about is None:
        return None
    role = about.role_of(user.id)
    return None if role is None else render(kind, role, user.locale, about, links)


def _content(channel: Channel, rendered: Rendered, data: dict[str, Any]) -> dict[str, Any]:
    """What each channel carries: the whole email, the push's title and lead with the deep link, one SMS."""
    if channel is Channel.EMAIL:
        return {"title": rendered.subject, "body": rendered.text, "html": rendered.html, "link": rendered.web_link}
    if channel is Channel.PUSH:
        return {"title": rendered.push_title, "body": rendered.push_body, "data": {**data, "url": rendered.app_link}}
    return {"title": "", "body": rendered.sms}


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
    rendered: Rendered | None = None,
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
        content: dict[str, Any] = {"title": title, "body": body, "data": data}
        if rendered is not None:
            content.update(_content(channel, rendered, data))
        messages.append(
            OutboxMessage(
                id=message_id(source, user.id, channel),
                user_id=user.id,
                channel=channel,
                kind=kind,
                to=to,
                lease_until=now,
                created_at=now,
                expires_at=expires_at,
                **content,
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
