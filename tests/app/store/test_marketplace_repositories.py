"""Marketplace repositories on every adapter, including equality on an array field (pets' co-owners)."""

from __future__ import annotations

import pytest

from app.domain.pets import Pet, Species
from app.domain.services import PriceType, Pricing, Service, ServiceType
from app.domain.workers import Worker
from app.store.backend import StoreBackend
from app.store.marketplace import workers as workers_store
from app.store.schema import PETS
from app.store.sqlite.collection import where_sql
from app.store.store import Store
from tests.app.marketplace import NOW


def pet(pet_id: str, owner_id: str, co_owner_ids: list[str]) -> Pet:
    return Pet(
        id=pet_id,
        owner_id=owner_id,
        co_owner_ids=co_owner_ids,
        name=pet_id,
        species=Species.DOG,
        created_at=NOW.replace(minute=int(pet_id[-1])),
        updated_at=NOW,
    )


async def test_pets_visible_to_owner_and_co_owners(store: Store) -> None:
    await store.pets.add(pet("p1", "ann", ["bob"]))
    await store.pets.add(pet("p2", "bob", []))
    await store.pets.add(pet("p3", "eve", ["ann", "bob"]))
    assert [p.id for p in await store.pets.visible_to("bob")] == ["p1", "p2", "p3"]
    assert [p.id for p in await store.pets.visible_to("ann")] == ["p1", "p3"]
    assert await store.pets.visible_to("nobody") == []
    assert await store.pets.delete("p3", NOW)
    assert [p.id for p in await store.pets.visible_to("ann")] == ["p1"]
    # Equality with an element, as MongoDB matches arrays, on the raw collection too.
    assert await store.backend.collection(PETS).count({"coOwnerIds": "bob"}) == 2


def test_sqlite_array_fields_match_elements_and_refuse_operators() -> None:
    clause, params = where_sql({"coOwnerIds": "bob", "ownerId": "ann"}, frozenset({"coOwnerIds"}))
    assert clause == (
        "EXISTS (SELECT 1 FROM json_each(doc, '$.coOwnerIds') WHERE value = ?) AND json_extract(doc, '$.ownerId') = ?"
    )
    assert params == ["bob", "ann"]
    for condition in ({"$gt": ""}, ["bob"], None):
        with pytest.raises(ValueError, match="array field"):
            where_sql({"coOwnerIds": condition}, frozenset({"coOwnerIds"}))


async def test_services_by_type_and_business(store: Store) -> None:
    def service(service_id: str, business_id: str, kind: ServiceType, active: bool = True) -> Service:
        return Service(
            id=service_id,
            business_id=business_id,
            name=service_id,
            service_type=kind,
            pricing=Pricing(base_price=1000, currency="EUR", price_type=PriceType.FIXED),
            duration=30,
            pet_types=[Species.DOG],
            max_pets=1,
            is_active=active,
            created_at=NOW,
            updated_at=NOW,
        )

    await store.services.add(service("s1", "b1", ServiceType.WALKING))
    await store.services.add(service("s2", "b2", ServiceType.WALKING, active=False))
    await store.services.add(service("s3", "b1", ServiceType.GROOMING, active=False))
    assert await store.services.business_ids_offering(ServiceType.WALKING) == {"b1"}
    assert [s.id for s in await store.services.list_for_business("b1")] == ["s1"]
    assert [s.id for s in await store.services.list_for_business("b1", active_only=False)] == ["s1", "s3"]
    assert await store.services.deactivate_for_business("b1", NOW) == 1
    assert await store.services.business_ids_offering(ServiceType.WALKING) == set()


def worker(worker_id: str) -> Worker:
    return Worker(
        id=worker_id,
        user_id=f"u-{worker_id}",
        business_id="b1",
        first_name="W",
        last_name="K",
        email=f"{worker_id}@example.com",
        created_at=NOW,
        updated_at=NOW,
    )


async def test_recent_workers_answer_from_memory_until_written(store: Store, backend: StoreBackend) -> None:
    await store.workers.add(worker("w1"))
    assert (await store.workers.get_many_recent(["w1", "nobody"])).keys() == {"w1"}
    # Another process deactivates w1: this one keeps its recent copy for a few seconds...
    await Store(backend).workers.update_fields("w1", {"isActive": False}, NOW)
    assert (await store.workers.get_many_recent(["w1"]))["w1"].is_active
    assert not (await store.workers.get_many(["w1"]))["w1"].is_active
    # ...while a write through this process's repository is seen at once.
    await store.workers.update_fields("w1", {"isActive": True, "firstName": "Renamed"}, NOW)
    assert (await store.workers.get_many_recent(["w1"]))["w1"].first_name == "Renamed"


async def test_recent_workers_expire(store: Store, backend: StoreBackend, monkeypatch: pytest.MonkeyPatch) -> None:
    await store.workers.add(worker("w1"))
    await store.workers.get_many_recent(["w1"])
    await Store(backend).workers.update_fields("w1", {"isActive": False}, NOW)
    monkeypatch.setattr(workers_store, "RECENT_WORKER_TTL_S", 0.0)
    assert not (await store.workers.get_many_recent(["w1"]))["w1"].is_active


async def test_nearest_active_services_are_paged_nearest_business_first(store: Store) -> None:
    def service(service_id: str, business_id: str, kind: ServiceType, active: bool = True) -> Service:
        return Service(
            id=service_id,
            business_id=business_id,
            name=service_id.upper(),
            service_type=kind,
            pricing=Pricing(base_price=1000, currency="EUR", price_type=PriceType.FIXED),
            duration=30,
            pet_types=[Species.CAT] if service_id == "s4" else [Species.DOG],
            max_pets=1,
            is_active=active,
            created_at=NOW,
            updated_at=NOW,
        )

    for service_id, business_id, kind, active in (
        ("s1", "far", ServiceType.WALKING, True),
        ("s2", "near", ServiceType.WALKING, True),
        ("s3", "near", ServiceType.GROOMING, True),
        ("s4", "mid", ServiceType.WALKING, True),
        ("s5", "near", ServiceType.WALKING, False),
        ("s6", "elsewhere", ServiceType.WALKING, True),
    ):
        await store.services.add(service(service_id, business_id, kind, active))
    distance = {"near": 10.0, "mid": 20.0, "far": 30.0}

    async def ids(
        kind: ServiceType | None, pet: Species | None, skip: int = 0, limit: int = 20
    ) -> tuple[list[str], int]:
        found, total = await store.services.nearest_active(distance, kind, pet, skip=skip, limit=limit)
        return [s.id for s in found], total

    assert await ids(None, None) == (["s2", "s3", "s4", "s1"], 4)
    assert await ids(None, None, skip=1, limit=2) == (["s3", "s4"], 4)
    assert await ids(ServiceType.WALKING, None) == (["s2", "s4", "s1"], 3)
    assert await ids(ServiceType.WALKING, Species.CAT) == (["s4"], 1)
    assert await ids(None, None, skip=4) == ([], 4)


async def test_recent_workers_refresh_rebuilds_only_changed_profiles(
    store: Store, backend: StoreBackend, monkeypatch: pytest.MonkeyPatch
) -> None:
    await store.workers.add(worker("w1"))
    await store.workers.add(worker("w2"))
    first = await store.workers.get_many_recent(["w1", "w2"])
    monkeypatch.setattr(workers_store, "RECENT_WORKER_TTL_S", 0.0)
    # Another process rates w2: its next read is a new profile; w1's unchanged document keeps its profile.
    await Store(backend).workers.apply_rating("w2", 5, 1)
    again = await store.workers.get_many_recent(["w1", "w2"])
    assert again["w1"] is first["w1"]
    assert again["w2"] is not first["w2"] and again["w2"].rating.count == 1
    # A deactivation by another process shows on the next read too.
    await Store(backend).workers.update_fields("w1", {"isActive": False}, NOW)
    assert not (await store.workers.get_many_recent(["w1"]))["w1"].is_active
