"""The public browse listing (app/store/listing.py) and the change counters it is kept against.

On SQLite the ordered ids of each filter are kept in memory until businesses or services are written; a
second backend on the same file stands for another process: its writes must be seen at once too.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from app.domain.businesses import Business, BusinessStatus, Rating
from app.domain.pets import Species
from app.domain.services import PriceType, Pricing, Service, ServiceType
from app.store.backend import StoreBackend
from app.store.listing import ListedBusinesses
from app.store.schema import BUSINESSES, SERVICES, USERS
from app.store.sqlite.backend import SqliteBackend
from app.store.store import Store
from tests.app.marketplace import NOW, business, square


def listed(business_id: str, name: str, stars: float) -> Business:
    found = business(2.35, 48.85, square(2.35, 48.85, 0.01), business_id=business_id)
    return found.model_copy(update={"name": name, "rating": Rating(average=stars, count=1)})


def service(service_id: str, business_id: str, kind: ServiceType) -> Service:
    return Service(
        id=service_id,
        business_id=business_id,
        name=service_id,
        service_type=kind,
        pricing=Pricing(base_price=1000, currency="EUR", price_type=PriceType.FIXED),
        duration=30,
        pet_types=[Species.DOG],
        max_pets=1,
        created_at=NOW,
        updated_at=NOW,
    )


async def page_ids(
    store: Store, service_type: ServiceType | None = None, name: str | None = None, skip: int = 0, limit: int = 20
) -> tuple[list[str], int]:
    """Read three times: from the database, then the list is read, then the list is used; all three agree."""
    answers = set()
    for _ in range(3):
        found, total = await store.listed.page(service_type=service_type, name_contains=name, skip=skip, limit=limit)
        answers.add((tuple(b.id for b in found), total))
    assert len(answers) == 1, answers
    ids, total = answers.pop()
    return list(ids), total


async def seed(store: Store) -> None:
    for business_id, name, stars in (("b1", "Happy Paws", 4.5), ("b2", "Cat Club", 4.9), ("b3", "Paws Corner", 3.0)):
        await store.businesses.add(listed(business_id, name, stars))
    await store.services.add(service("s1", "b1", ServiceType.WALKING))
    await store.services.add(service("s3", "b3", ServiceType.WALKING))
    await store.services.add(service("s2", "b2", ServiceType.SITTING))


async def test_pages_follow_the_browse_order_and_the_filters(store: Store) -> None:
    await seed(store)
    assert await page_ids(store) == (["b2", "b1", "b3"], 3)
    assert await page_ids(store, skip=1, limit=1) == (["b1"], 3)
    assert await page_ids(store, skip=5) == ([], 3)
    assert await page_ids(store, ServiceType.WALKING) == (["b1", "b3"], 2)
    assert await page_ids(store, name="paws") == (["b1", "b3"], 2)
    assert await page_ids(store, ServiceType.SITTING, name="paws") == ([], 0)
    assert await page_ids(store, ServiceType.WALKING, name="PAWS") == (["b1", "b3"], 2)


async def test_every_write_shows_at_once(store: Store) -> None:
    await seed(store)
    assert await page_ids(store) == (["b2", "b1", "b3"], 3)
    assert await page_ids(store, ServiceType.WALKING) == (["b1", "b3"], 2)
    # No ratingSum in the seeded document: 50 stars over 1 + 9 reviews, 5.0 on average.
    await store.businesses.apply_rating("b3", 50, 9)
    assert await page_ids(store) == (["b3", "b2", "b1"], 3)
    await store.businesses.set_status("b2", BusinessStatus.SUSPENDED, NOW)
    assert await page_ids(store) == (["b3", "b1"], 2)
    await store.businesses.add(listed("b4", "New Paws", 5.0))
    assert await page_ids(store) == (["b4", "b3", "b1"], 3)
    assert await page_ids(store, name="new") == (["b4"], 1)
    # Services alone change the service-type filter.
    await store.services.add(service("s4", "b4", ServiceType.WALKING))
    assert await page_ids(store, ServiceType.WALKING) == (["b4", "b3", "b1"], 3)
    await store.services.deactivate_for_business("b3", NOW)
    assert await page_ids(store, ServiceType.WALKING) == (["b4", "b1"], 2)
    await store.businesses.deactivate("b4", NOW)
    assert await page_ids(store, ServiceType.WALKING) == (["b1"], 1)
    assert await page_ids(store) == (["b3", "b1"], 2)


@pytest.fixture
async def other_process(tmp_path: Path) -> AsyncIterator[tuple[Store, Store]]:
    """Two stores on one SQLite file through two connections, as two server processes have."""
    first, second = SqliteBackend(tmp_path / "shared.sqlite3"), SqliteBackend(tmp_path / "shared.sqlite3")
    await first.setup()
    await second.setup()
    try:
        yield Store(first), Store(second)
    finally:
        await first.close()
        await second.close()


async def test_another_process_writes_show_at_once(other_process: tuple[Store, Store]) -> None:
    mine, theirs = other_process
    await seed(theirs)
    assert await page_ids(mine) == (["b2", "b1", "b3"], 3)
    assert await page_ids(mine, ServiceType.SITTING) == (["b2"], 1)
    await theirs.businesses.update_fields("b1", {"name": "Renamed"}, NOW)
    assert await page_ids(mine, name="paws") == (["b3"], 1)
    await theirs.businesses.set_status("b2", BusinessStatus.SUSPENDED, NOW)
    assert await page_ids(mine) == (["b1", "b3"], 2)
    await theirs.services.add(service("s5", "b3", ServiceType.SITTING))
    assert await page_ids(mine, ServiceType.SITTING) == (["b3"], 1)


async def test_sqlite_versions_count_every_write_of_the_versioned_collections(backend: StoreBackend) -> None:
    businesses, services = backend.collection(BUSINESSES), backend.collection(SERVICES)
    if not isinstance(backend, SqliteBackend):
        # MongoDB keeps no counter: the listing reads every page from the database there.
        assert await businesses.version() is None and await services.version() is None
        return
    assert await backend.collection(USERS).version() is None
    store = Store(backend)
    seen = [await businesses.version()]
    await store.businesses.add(listed("b1", "Paws", 4.0))
    seen.append(await businesses.version())
    await store.businesses.update_fields("b1", {"name": "Claws"}, NOW)
    seen.append(await businesses.version())
    assert await businesses.delete_one({"id": "b1"})
    seen.append(await businesses.version())
    assert len(set(seen)) == len(seen)
    before = await services.version()
    await store.services.add(service("s1", "b1", ServiceType.WALKING))
    assert await services.version() != before
    # A service write leaves the businesses' number alone.
    assert await businesses.version() == seen[-1]


async def test_find_ids_reads_ids_in_order(backend: StoreBackend) -> None:
    store = Store(backend)
    await seed(store)
    assert await store.businesses.listed_ids(None) == ["b2", "b1", "b3"]
    assert await store.businesses.listed_ids("corner") == ["b3"]
    col = backend.collection(SERVICES)
    assert await col.find_ids({"serviceType": "walking"}, sort=[("id", -1)]) == ["s3", "s1"]


async def test_a_list_is_read_by_the_second_request_with_the_same_counters(store: Store) -> None:
    await seed(store)
    if await store.businesses.version() is None:
        pytest.skip("this backend keeps no write counters (MongoDB): the listing is never kept")
    listing = store.listed
    await listing.page(service_type=None, name_contains=None, skip=0, limit=1)
    assert listing._kept[(None, None)].ids is None
    await listing.page(service_type=None, name_contains=None, skip=0, limit=1)
    assert listing._kept[(None, None)].ids == ["b2", "b1", "b3"]
    await store.businesses.set_status("b1", BusinessStatus.SUSPENDED, NOW)
    assert (await listing.page(service_type=None, name_contains=None, skip=0, limit=5))[1] == 2
    assert listing._kept[(None, None)].ids is None


async def test_kept_ids_are_bounded(store: Store) -> None:
    await seed(store)
    small = ListedBusinesses(store.businesses, store.services, max_kept_ids=3)
    for name in ("paws", "club", None):
        for _ in range(2):
            await small.page(service_type=None, name_contains=name, skip=0, limit=20)
    if await store.businesses.version() is None:
        assert small._kept_ids == 0
        return
    # 2 + 1 + 3 ids: the oldest filters went to stay within 3.
    assert small._kept_ids == 3 and list(small._kept) == [(None, None)]
    assert [b.id for b in (await small.page(service_type=None, name_contains="paws", skip=0, limit=20))[0]] == [
        "b1",
        "b3",
    ]
