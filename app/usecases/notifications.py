"""Notifications: stored for each party, pushed live as `notification`, listed and marked read."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from app.auth.principal import Principal
from app.composition import Services
from app.domain.base import Timestamp
from app.domain.notifications import Notification
from app.errors import NotFound
from app.events import user_room
from app.ids import new_id
from app.messages.outbox import message_id
from app.usecases.deliveries import messages_for
from app.usecases.inputs import Output, PageNumber, PageSize, QueryInput


class NotificationView(Output):
    id: str
    type: str
    title: str
    message: str
    data: dict[str, Any]
    read_at: Timestamp | None
    created_at: Timestamp

    @classmethod
    def of(cls, notification: Notification) -> NotificationView:
        return cls.model_validate(notification.model_dump(include=set(cls.model_fields)))


class NotificationQuery(QueryInput):
    unread: bool = False
    page: PageNumber = 1
    limit: PageSize = 20


async def notify(
    services: Services,
    user_ids: Iterable[str],
    *,
    kind: str,
    title: str,
    message: str,
    data: dict[str, Any],
    key: str | None = None,
    expires_at: datetime | None = None,
) -> None:
    """Store a notification for each person, emit it live, and enqueue its deliveries (push, email, SMS).

    `key` names the event when it can happen twice (a job run again after a crash): it is then stored,
    emitted and delivered once per person. `expires_at`: not worth delivering later (a dispatch offer).
    """
    store = services.store
    now = services.clock.now()
    enqueued = 0
    for user_id in dict.fromkeys(user_ids):
        notification = Notification(
            id=message_id(key, user_id, "notification")[:24] if key else new_id(),
            user_id=user_id,
            type=kind,
            title=title,
            message=message,
            data=data,
            created_at=now,
        )
        if key is None:
            await store.notifications.add(notification)
        elif not await store.notifications.add_once(notification):
            continue
        view = NotificationView.of(notification).model_dump(
            mode="json", include={"id", "type", "title", "message", "data"}
        )
        await services.events.emit("notification", view, room=user_room(user_id))
        user = await store.users.get(user_id)
        if user is None:
            continue
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
        )
        enqueued += await store.outbox.enqueue(deliveries)
    if enqueued:
        services.outbox_relay.wake()


async def list_notifications(
    services: Services, principal: Principal, query: NotificationQuery
) -> tuple[list[NotificationView], int]:
    items, total = await services.store.notifications.page(
        principal.user_id, unread_only=query.unread, skip=(query.page - 1) * query.limit, limit=query.limit
    )
    return [NotificationView.of(n) for n in items], total


async def mark_read(services: Services, principal: Principal, notification_id: str) -> NotificationView:
    updated = await services.store.notifications.mark_read(principal.user_id, notification_id, services.clock.now())
    if updated is None:
        raise NotFound("no such notification")
    return NotificationView.of(updated)


async def mark_all_read(services: Services, principal: Principal) -> int:
    return await services.store.notifications.mark_all_read(principal.user_id, services.clock.now())


async def delete_notification(services: Services, principal: Principal, notification_id: str) -> None:
    if not await services.store.notifications.delete(principal.user_id, notification_id):
        raise NotFound("no such notification")
