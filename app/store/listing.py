"""The public browse listing: listed businesses in browse order, optionally offering a service type or
named like a text, a page at a time.

Counting the matches and paging them in the database costs a scan of the browse index per request (and,
by service type, thousands of ids bound into the query). Instead the ordered ids of each filter are kept
in memory against the change counters of businesses and services (DocumentCollection.version): any write
to either, by any process, makes every kept list stale. A page is then a slice of the list and a read of
its documents by id. Reading a whole list costs more than one page from the database, so the first request
after a change is answered from the database and the list is read by the second request that finds the
same counters: a store written between every two requests costs one counter read more per page than it
would without the lists, never a list read per page. Adapters that do not count changes (MongoDB) answer
every page from the database.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass

from app.domain.businesses import Business
from app.domain.services import ServiceType
from app.store.marketplace.businesses import BusinessRepository
from app.store.marketplace.services import ServiceRepository

# Ids kept over all filters (about 80 bytes each); past it the least recently read filters are dropped.
MAX_KEPT_IDS = 200_000
# Filters remembered (most are a few ids, or none yet): `q` is free text.
MAX_FILTERS = 1_000

_Key = tuple[ServiceType | None, str | None]


@dataclass(frozen=True)
class _Kept:
    versions: tuple[int, int | None]
    # None: these versions were seen once, the list is not read yet.
    ids: list[str] | None


class ListedBusinesses:
    def __init__(
        self, businesses: BusinessRepository, services: ServiceRepository, max_kept_ids: int = MAX_KEPT_IDS
    ) -> None:
        self._businesses = businesses
        self._services = services
        self._max_kept_ids = max_kept_ids
        self._kept: OrderedDict[_Key, _Kept] = OrderedDict()
        self._kept_ids = 0

    async def page(
        self, *, service_type: ServiceType | None, name_contains: str | None, skip: int, limit: int
    ) -> tuple[list[Business], int]:
        """One page of listed businesses, best rated first, and how many match in all."""
        ids = await self._ids(service_type, name_contains)
        if ids is None:
            among = await self._services.business_ids_offering(service_type) if service_type else None
            return await self._businesses.page_listed(among=among, name_contains=name_contains, skip=skip, limit=limit)
        wanted = ids[skip : skip + limit]
        found = await self._businesses.get_many(wanted)
        # A business written after the list was read is shown as it is now, or left out once unlisted.
        return [business for i in wanted if (business := found.get(i)) is not None and business.is_listed], len(ids)

    async def _ids(self, service_type: ServiceType | None, name_contains: str | None) -> list[str] | None:
        """The matching ids in browse order, or None when the page is to be read from the database: the
        store does not count changes, or they changed since the previous request for this filter."""
        businesses_version = await self._businesses.version()
        if businesses_version is None:
            return None
        # Only a service-type filter depends on services.
        services_version = await self._services.version() if service_type else None
        if service_type and services_version is None:
            return None
        versions = (businesses_version, services_version)
        key = (service_type, name_contains)
        kept = self._kept.get(key)
        if kept is None or kept.versions != versions:
            self._keep(key, _Kept(versions, None))
            return None
        if kept.ids is not None:
            self._kept.move_to_end(key)
            return kept.ids
        # Read after the versions: a write in between makes the list newer than its versions, never older,
        # and only costs one more read.
        ids = await self._businesses.listed_ids(name_contains)
        if service_type:
            offering = await self._services.business_ids_offering(service_type)
            ids = [i for i in ids if i in offering]
        self._keep(key, _Kept(versions, ids))
        return ids

    def _keep(self, key: _Key, kept: _Kept) -> None:
        old = self._kept.pop(key, None)
        if old is not None:
            self._kept_ids -= _size(old)
        self._kept[key] = kept
        self._kept_ids += _size(kept)
        while (self._kept_ids > self._max_kept_ids and len(self._kept) > 1) or len(self._kept) > MAX_FILTERS:
            _, dropped = self._kept.popitem(last=False)
            self._kept_ids -= _size(dropped)


def _size(kept: _Kept) -> int:
    return 0 if kept.ids is None else len(kept.ids)
