"""Services repository: what each business offers."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from app.domain.base import iso
from app.domain.pets import Species
from app.domain.services import Service, ServiceType
from app.store.documents import DocumentCollection, Update


class ServiceRepository:
    def __init__(self, collection: DocumentCollection) -> None:
        self._col = collection

    async def add(self, service: Service) -> None:
        await self._col.insert(service.to_doc())

    async def get(self, service_id: str) -> Service | None:
        doc = await self._col.get(service_id)
        return Service.from_doc(doc) if doc else None

    async def list_for_business(self, business_id: str, active_only: bool = True) -> list[Service]:
        where: dict[str, Any] = {"businessId": business_id}
        if active_only:
            where["isActive"] = True
        docs = await self._col.find(where, sort=[("createdAt", 1)])
        return [Service.from_doc(doc) for doc in docs]

    async def business_ids_offering(self, service_type: ServiceType) -> set[str]:
        return set(await self._col.distinct("businessId", {"serviceType": service_type.value, "isActive": True}))

    async def version(self) -> int | None:
        """Changes with every write to any service (DocumentCollection.version)."""
        return await self._col.version()

    async def nearest_active(
        self,
        distance_m: Mapping[str, float],
        service_type: ServiceType | None,
        pet_type: Species | None,
        *,
        skip: int,
        limit: int,
    ) -> tuple[list[Service], int]:
        """One page of the active services of the businesses in `distance_m` (of that type and for that
        species when given), nearest business first, and how many there are in all. Only the page's
        documents become entities: a search finds a hundred services and shows twenty."""
        where: dict[str, Any] = {"businessId": {"$in": sorted(distance_m)}, "isActive": True}
        if service_type is not None:
            where["serviceType"] = service_type.value
        if pet_type is not None:
            where["petTypes"] = pet_type.value
        docs = await self._col.find(where)
        docs.sort(key=lambda doc: (distance_m[doc["businessId"]], doc["businessId"], doc["name"], doc["id"]))
        return [Service.from_doc(doc) for doc in docs[skip : skip + limit]], len(docs)

    async def update_fields(self, service_id: str, fields: dict[str, Any], now: datetime) -> Service | None:
        doc = await self._col.update_one({"id": service_id}, Update(set={**fields, "updatedAt": iso(now)}))
        return Service.from_doc(doc) if doc else None

    async def deactivate_for_business(self, business_id: str, now: datetime) -> int:
        return await self._col.update_many(
            {"businessId": business_id, "isActive": True}, Update(set={"isActive": False, "updatedAt": iso(now)})
        )
