"""Documents stored under the first release's names are read in the seed's shape after a start, on every adapter."""

from __future__ import annotations

from typing import Any

import pytest

from app.store.backend import StoreBackend
from app.store.documents import Update
from app.store.migrations import SCHEMA_DOC_ID, SCHEMA_VERSION, StoreTooNew, migrate
from app.store.schema import BOOKINGS, BUSINESSES, MEDIA, META, PETS, REVIEWS, SERVICES, WORKERS
from app.store.store import Store

T = "2026-01-05T09:00:00.000Z"
SQUARE = {"type": "Polygon", "coordinates": [[[2.3, 48.8], [2.4, 48.8], [2.4, 48.9], [2.3, 48.9], [2.3, 48.8]]]}

# Written by the release before versioning, field for field.
OLD: dict[str, dict[str, Any]] = {
    PETS: {
        "id": "p1", "ownerId": "u1", "coOwnerIds": [], "version": 0, "name": "Rex", "species": "dog",
        "ageYears": 3.5, "weightKg": 12.0, "createdAt": T, "updatedAt": T,
    },
    SERVICES: {
        "id": "s1", "businessId": "b1", "name": "Walk", "serviceType": "walking", "duration": 60,
        "pricing": {"basePrice": 2000, "currency": "EUR", "priceType": "hourly", "additionalPetPrice": 0},
        "petTypes": ["dog"], "maxPets": 2, "isActive": True, "createdAt": T, "updatedAt": T,
    },
    BUSINESSES: {
        "id": "b1", "ownerId": "u2", "name": "Paws",
        "address": {"street": "1 rue", "postalCode": "75001", "coordinates": [2.35, 48.85]},
        "location": {"type": "Point", "coordinates": [2.35, 48.85]}, "serviceArea": SQUARE,
        "operatingHours": {"sun": {"open": "10:00", "close": "12:00"}, "mon": {"open": "08:00", "close": "18:00"}},
        "premium": False, "rating": {"average": 0, "count": 0}, "isActive": True, "createdAt": T, "updatedAt": T,
    },
    WORKERS: {
        "id": "w1", "userId": "u3", "businessId": "b1", "firstName": "Wes", "lastName": "W",
        "email": "w@example.com", "specializations": ["dog"],
        "availability": {"tue": [{"start": "08:00", "end": "12:00"}, {"start": "13:00", "end": "17:00"}]},
        "rating": {"average": 0, "count": 0}, "isActive": True, "online": False, "createdAt": T, "updatedAt": T,
    },
    REVIEWS: {
        "id": "r1", "bookingId": "k1", "businessId": "b1", "workerId": None, "authorId": "u1", "rating": 5,
        "response": {"text": "Thanks", "by": "u2", "at": T}, "status": "published", "flags": [],
        "createdAt": T, "updatedAt": T,
    },
    BOOKINGS: {
        "id": "k1", "bookingNumber": "WK-23456789", "ownerId": "u1", "watcherIds": ["u1"], "petIds": ["p1"],
        "serviceType": "walking", "serviceId": "s1", "businessId": "b1", "status": "pending", "asap": False,
        "scheduledAt": T, "durationMin": 45, "endsAt": "2026-01-05T09:45:00.000Z",
        "location": {"type": "Point", "coordinates": [2.35, 48.85]}, "address": "1 rue de Rivoli",
        "history": [], "createdAt": T, "updatedAt": T,
    },
}  # fmt: skip


async def _read_all(backend: StoreBackend) -> dict[str, list[dict[str, Any]]]:
    return {name: await backend.collection(name).find({}, sort=[("id", 1)]) for name in OLD}


async def test_old_documents_are_read_in_the_new_shape(backend: StoreBackend) -> None:
    for name, doc in OLD.items():
        await backend.collection(name).insert(doc)
    store = Store(backend)
    await store.setup()

    pet = await store.pets.get("p1")
    assert pet is not None and (pet.age, pet.weight) == (3.5, 12.0)
    raw_pet = await backend.collection(PETS).get("p1")
    assert raw_pet is not None and "ageYears" not in raw_pet and "weightKg" not in raw_pet
    service = await store.services.get("s1")
    assert service is not None and service.pricing.price_type == "per_hour"
    business = await store.businesses.get("b1")
    assert business is not None
    assert business.address.zip_code == "75001" and business.timezone == "Europe/Paris"
    assert [(h.day_of_week, h.open_time, h.close_time) for h in business.operating_hours] == [
        (0, "10:00", "12:00"),
        (1, "08:00", "18:00"),
    ]
    worker = await store.workers.get("w1")
    assert worker is not None
    assert [(s.day_of_week, s.start_time, s.end_time) for s in worker.availability] == [
        (2, "08:00", "12:00"),
        (2, "13:00", "17:00"),
    ]
    review = await store.reviews.get("r1")
    assert review is not None and review.response is not None
    assert (review.response.comment, review.response.responded_by) == ("Thanks", "u2")
    booking = await store.bookings.get("k1")
    assert booking is not None and booking.duration == 45
    assert (booking.location.type, booking.location.address, booking.location.coordinates) == (
        None,
        "1 rue de Rivoli",
        (2.35, 48.85),
    )
    assert await backend.collection(META).get(SCHEMA_DOC_ID) == {"id": SCHEMA_DOC_ID, "schemaVersion": SCHEMA_VERSION}

    migrated = await _read_all(backend)
    # A second start, and a rewrite of an already current store, change nothing.
    await Store(backend).setup()
    assert await migrate(backend) == SCHEMA_VERSION
    await backend.collection(META).update_one({"id": SCHEMA_DOC_ID}, _version(1))
    assert await migrate(backend) == 1
    assert await _read_all(backend) == migrated


def _completed(booking_id: str, photos: list[str]) -> dict[str, Any]:
    """A booking completed by release 2: nothing put the walk's photos in its completion details."""
    return {
        "id": booking_id, "bookingNumber": f"WK-{booking_id.upper():0>8}", "ownerId": "u1", "watcherIds": ["u1"],
        "petIds": ["p1"], "serviceType": "walking", "status": "completed", "asap": False, "scheduledAt": T,
        "duration": 45, "endsAt": "2026-01-05T09:45:00.000Z", "location": {"coordinates": [2.35, 48.85]},
        "history": [], "createdAt": T, "updatedAt": T,
        "completionDetails": {"startTime": T, "endTime": "2026-01-05T09:40:00.000Z", "photos": photos},
    }  # fmt: skip


def _media(media_id: str, subject_id: str, kind: str, at: str) -> dict[str, Any]:
    return {
        "id": media_id, "kind": kind, "subjectId": subject_id, "uploadedBy": "u3", "contentType": "image/jpeg",
        "bytes": 1000, "width": 10, "height": 10, "key": f"media/{media_id}.jpg", "createdAt": at,
    }  # fmt: skip


async def test_walks_completed_before_version_3_list_their_stored_photos(backend: StoreBackend) -> None:
    await backend.collection(META).insert({"id": SCHEMA_DOC_ID, "schemaVersion": 2})
    bookings = backend.collection(BOOKINGS)
    for doc in (_completed("k1", []), _completed("k2", []), _completed("k3", ["m9"])):
        await bookings.insert(doc)
    await bookings.insert({**_completed("k4", []), "status": "in_progress", "completionDetails": None})
    media = backend.collection(MEDIA)
    # Out of id order on purpose: listed oldest first.
    await media.insert(_media("m2", "k1", "walk_photo", "2026-01-05T09:10:00.000Z"))
    await media.insert(_media("m1", "k1", "walk_photo", "2026-01-05T09:20:00.000Z"))
    await media.insert(_media("m3", "k1", "pet_photo", "2026-01-05T09:15:00.000Z"))
    await media.insert(_media("m4", "k4", "walk_photo", "2026-01-05T09:15:00.000Z"))
    await media.insert(_media("m5", "k3", "walk_photo", "2026-01-05T09:15:00.000Z"))
    store = Store(backend)
    await store.setup()

    photos = {}
    for booking_id in ("k1", "k2", "k3", "k4"):
        booking = await store.bookings.get(booking_id)
        assert booking is not None
        photos[booking_id] = booking.completion_details.photos if booking.completion_details else None
    # k2 had no photos; k3's list was already written (by this release): both left alone; k4 is still walking.
    assert photos == {"k1": ["m2", "m1"], "k2": [], "k3": ["m9"], "k4": None}
    migrated = await bookings.find({}, sort=[("id", 1)])
    await backend.collection(META).update_one({"id": SCHEMA_DOC_ID}, _version(2))
    assert await migrate(backend) == 2
    assert await bookings.find({}, sort=[("id", 1)]) == migrated


async def test_a_store_newer_than_the_code_is_refused(backend: StoreBackend) -> None:
    await migrate(backend)
    await backend.collection(META).update_one({"id": SCHEMA_DOC_ID}, _version(SCHEMA_VERSION + 1))
    with pytest.raises(StoreTooNew, match=f"schema version {SCHEMA_VERSION + 1}"):
        await Store(backend).setup()


def _version(version: int) -> Update:
    return Update(set={"schemaVersion": version})
