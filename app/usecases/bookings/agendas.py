"""A worker's and a business's bookings in a time range (their agenda), earliest first.

Who may read: the worker themself, the business's account (for its workers too), admins. The range is
on `scheduledAt`, half open: `from` included, `to` excluded.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Self

from pydantic import Field, model_validator

from app.auth.principal import Principal
from app.domain.base import iso
from app.domain.bookings import Booking, BookingStatus
from app.domain.users import Role
from app.errors import Forbidden, NotFound
from app.store.store import Store
from app.usecases.businesses import may_manage
from app.usecases.inputs import PageNumber, PageSize, QueryInput


class AgendaQuery(QueryInput):
    status: BookingStatus | None = None
    # `from` is a Python keyword: the field is from_, the query parameter `from`.
    from_: datetime | None = Field(default=None, alias="from", description="scheduledAt at or after")
    to: datetime | None = Field(default=None, description="scheduledAt before")
    page: PageNumber = 1
    limit: PageSize = 20

    @model_validator(mode="after")
    def _range(self) -> Self:
        for moment in (self.from_, self.to):
            if moment is not None and moment.tzinfo is None:
                raise ValueError("from and to must carry a time zone (e.g. Z)")
        if self.from_ is not None and self.to is not None and self.from_ >= self.to:
            raise ValueError("from must be before to")
        return self

    def where(self) -> dict[str, Any]:
        where: dict[str, Any] = {}
        if self.status is not None:
            where["status"] = self.status.value
        scheduled: dict[str, str] = {}
        if self.from_ is not None:
            scheduled["$gte"] = iso(self.from_)
        if self.to is not None:
            scheduled["$lt"] = iso(self.to)
        if scheduled:
            where["scheduledAt"] = scheduled
        return where


class BusinessAgendaQuery(AgendaQuery):
    worker_id: str | None = Field(default=None, min_length=1, max_length=64)


async def worker_bookings(
    store: Store, principal: Principal, worker_id: str, query: AgendaQuery
) -> tuple[list[Booking], int]:
    worker = await store.workers.get(worker_id)
    if worker is None:
        raise NotFound("no such worker")
    is_self = principal.role is Role.WORKER and principal.worker_id == worker.id
    if not is_self and not may_manage(principal, await store.businesses.get(worker.business_id)):
        raise Forbidden("only the worker and their business see these bookings")
    return await store.bookings.schedule_page(
        {"workerId": worker.id, **query.where()}, skip=(query.page - 1) * query.limit, limit=query.limit
    )


async def business_bookings(
    store: Store, principal: Principal, business_id: str, query: BusinessAgendaQuery
) -> tuple[list[Booking], int]:
    business = await store.businesses.get(business_id)
    if business is None:
        raise NotFound("no such business")
    if not may_manage(principal, business):
        raise Forbidden("only this business's account sees its bookings")
    where: dict[str, Any] = {"businessId": business.id, **query.where()}
    if query.worker_id is not None:
        where["workerId"] = query.worker_id
    return await store.bookings.schedule_page(where, skip=(query.page - 1) * query.limit, limit=query.limit)
