"""Notifications: stored for each party, pushed live as `notification`, listed and marked read."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from pydantic import Field

from app.auth.principal import Principal
from app.composition import Services
from app.domain.base import Timestamp
from app.domain.notifications import Notification
from app.errors import NotFound
from app.events import user_room
from app.ids import new_id
from app.usecases.inputs import Output, QueryInput

MAX_PAGE_SIZE = 100


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
    page: int = Field(default=1, ge=1)
    limit: int = Field(default=20, ge=1, le=MAX_PAGE_SIZE)


async def notify(
    services: Services, user_ids: Iterable[str], *, kind: str, title: str, message: str, data: dict[str, Any]
) -> None:
    now = services.clock.now()
    for user_id in dict.fromkeys(user_ids):
        notification = Notification(
            id=new_id(), user_id=user_id, type=kind, title=title, message=message, data=data, created_at=now
        )
        await services.store.notifications.add(notification)
        view = NotificationView.of(notification).model_dump(
            mode="json", include={"id", "type", "title", "message", "data"}
        )
        await services.events.emit("notification", view, room=user_room(user_id))


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
