"""/v1/notifications: the caller's own notifications."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from app.rest.deps import PrincipalDep, ServicesDep
from app.rest.envelope import Envelope, Page, ok, page
from app.usecases import notifications

router = APIRouter(prefix="/v1/notifications", tags=["notifications"])


@router.get("")
async def list_notifications(
    query: Annotated[notifications.NotificationQuery, Query()], principal: PrincipalDep, services: ServicesDep
) -> Page[notifications.NotificationView]:
    items, total = await notifications.list_notifications(services, principal, query)
    return page(items, page=query.page, limit=query.limit, total=total)


@router.put("/read-all")
async def read_all(principal: PrincipalDep, services: ServicesDep) -> Envelope[dict[str, int]]:
    return ok({"updated": await notifications.mark_all_read(services, principal)})


@router.put("/{notification_id}/read")
async def read_one(
    notification_id: str, principal: PrincipalDep, services: ServicesDep
) -> Envelope[notifications.NotificationView]:
    return ok(await notifications.mark_read(services, principal, notification_id))


@router.delete("/{notification_id}")
async def delete(notification_id: str, principal: PrincipalDep, services: ServicesDep) -> Envelope[dict[str, bool]]:
    await notifications.delete_notification(services, principal, notification_id)
    return ok({"deleted": True})
