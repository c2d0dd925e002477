"""Notifications: stored for each party, pushed live as `notification`, listed and marked read."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from datetime import datetime
from typing import Annotated, Any, Protocol

from pydantic import Field

from app.auth.principal import Principal
from app.clock import Clock
from app.domain.base import Timestamp
from app.domain.notifications import Notification, NotificationGroup
from app.errors import NotFound
from app.events import EventPublisher, user_room
from app.ids import new_id
from app.messages.outbox import OutboxMessage, message_id
from app.messages.rendering.facts import Links, MessageFacts
from app.settings import Settings
from app.store.store import Store
from app.usecases.deliveries import OutboxWake, messages_for, rendered_for
from app.usecases.inputs import Output, PageNumber, PageSize, QueryInput


class NotificationPorts(Protocol):
    """Bookings, payments, walks and dispatch notify too: their ports include these."""

    @property
    def store(self) -> Store: ...
    @property
    def clock(self) -> Clock: ...
    @property
    def events(self) -> EventPublisher: ...
    @property
    def outbox_relay(self) -> OutboxWake: ...
    @property
    def settings(self) -> Settings: ...


def links_of(settings: Settings) -> Links:
    return Links(web=settings.public_url, app=settings.app_url)


class NotificationView(Output):
    id: str
    type: str
    group: NotificationGroup
    title: str
    message: str
    data: dict[str, Any]
    is_read: bool
    read_at: Timestamp | None
    created_at: Timestamp

    @classmethod
    def of(cls, notification: Notification) -> NotificationView:
        fields = notification.model_dump(include=set(cls.model_fields))
        return cls.model_validate({**fields, "is_read": notification.read_at is not None})


# A kind and the kinds under it: `booking`, `booking.cancelled`, `walk`.
KindFilter = Annotated[str, Field(min_length=1, max_length=100, pattern=r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)*$")]


class NotificationQuery(QueryInput):
    type: KindFilter | None = Field(
        default=None,
        description="a group (booking, payment, review, system) or a kind with every kind under it "
        "(`walk` matches `walk.arrived`)",
    )
    is_read: bool | None = None
    unread: bool = Field(default=False, description="the same as isRead=false")
    page: PageNumber = 1
    limit: PageSize = 20


async def notify(
    ports: NotificationPorts,
    user_ids: Iterable[str],
    *,
    kind: str,
    title: str,
    message: str,
    data: dict[str, Any],
    key: str | None = None,
    expires_at: datetime | None = None,
    about: MessageFacts | None = None,
) -> None:
    """Store a notification for each person, emit it live, and enqueue its deliveries (push, email, SMS).

    `about`: the booking it concerns; each party then reads it worded for their role in their locale
    (app/messages/rendering), and `title` and `message` are for anyone else.

    `key` names the event when it can happen twice (a job run again after a crash): it is then stored,
    emitted and delivered once per person. `expires_at`: not worth delivering later (a dispatch offer).
    """
    store = ports.store
    now = ports.clock.now()
    enqueued = False
    links = links_of(ports.settings)
    for user_id in dict.fromkeys(user_ids):
        user = await store.users.get(user_id)
        rendered = None if user is None else rendered_for(user, kind, about, links)
        notification = Notification(
            id=message_id(key, user_id, "notification")[:24] if key else new_id(),
            user_id=user_id,
            type=kind,
            # In the app's list: the push's words.
            title=rendered.push_title if rendered else title,
            message=rendered.push_body if rendered else message,
            data=data,
            created_at=now,
        )
        deliveries: list[OutboxMessage] = []
        if user is not None:
            deliveries = await messages_for(
                store,
                user,
                source=key or notification.id,
                kind=kind,
                title=title,
                body=message,
                data=data,
                now=now,
                expires_at=expires_at,
                rendered=rendered,
            )
        if key is None:
            # A fresh id cannot be replayed: the notification and its deliveries are written side by side,
            # each in a write shared with concurrent notify calls (a burst costs a few commits, not two each).
            await asyncio.gather(store.notifications.add(notification), store.outbox.enqueue_coalesced(deliveries))
        else:
            # Deliveries first: their ids come from the key, so a run repeated after a crash between the
            # two writes stores them once, and the notification is then stored (and emitted) once too.
            await store.outbox.enqueue(deliveries)
            if not await store.notifications.add_once(notification):
                continue
        # The same shape the list answers (`isRead`, `group` included), so an app keeps one model.
        view = NotificationView.of(notification).model_dump(mode="json", by_alias=True)
        await ports.events.emit("notification", view, room=user_room(user_id))
        enqueued = enqueued or bool(deliveries)
    if enqueued:
        ports.outbox_relay.wake()


async def list_notifications(
    ports: NotificationPorts, principal: Principal, query: NotificationQuery
) -> tuple[list[NotificationView], int]:
    if query.unread and query.is_read:
        return [], 0
    groups = {group.value: group for group in NotificationGroup}
    # A group's name is also the root of some of its kinds (`booking.confirmed`): the group holds them all.
    group = groups.get(query.type) if query.type else None
    items, total = await ports.store.notifications.page(
        principal.user_id,
        is_read=False if query.unread else query.is_read,
        group=group,
        kind=None if group else query.type,
        skip=(query.page - 1) * query.limit,
        limit=query.limit,
    )
    return [NotificationView.of(n) for n in items], total


async def mark_read(ports: NotificationPorts, principal: Principal, notification_id: str) -> NotificationView:
    updated = await ports.store.notifications.mark_read(principal.user_id, notification_id, ports.clock.now())
    if updated is None:
        raise NotFound("no such notification")
    return NotificationView.of(updated)


async def mark_all_read(ports: NotificationPorts, principal: Principal) -> int:
    return await ports.store.notifications.mark_all_read(principal.user_id, ports.clock.now())


async def delete_notification(ports: NotificationPorts, principal: Principal, notification_id: str) -> None:
    if not await ports.store.notifications.delete(principal.user_id, notification_id):
        raise NotFound("no such notification")
