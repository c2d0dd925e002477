"""Versioned document migrations, run at start on either store.

The store records its schema version in the `meta` collection ({id: "schema", schemaVersion}). At start
every step above the recorded version runs in order and the version is recorded after each; a store
newer than this code is refused. Each step rewrites documents one at a time and is idempotent (a document
already in the new shape is left alone), so two processes starting together, or a start interrupted
half-way, end in the same state.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from app.domain.bookings import BookingStatus
from app.domain.businesses import BusinessStatus
from app.domain.hours import DEFAULT_ZONE, zone_problem
from app.domain.media import MediaKind
from app.domain.notifications import group_of
from app.domain.services import LEGACY_PRICE_TYPES
from app.store.backend import StoreBackend
from app.store.documents import Document, DocumentCollection, DuplicateKey, Update
from app.store.schema import BOOKINGS, BUSINESSES, MEDIA, META, NOTIFICATIONS, PETS, REVIEWS, SERVICES, WORKERS
from geo.coordinates import LngLat
from geo.timezones import timezone_at

SCHEMA_DOC_ID = "schema"
# Stores written before versioning have no meta document: version 1.
UNVERSIONED = 1
PAGE = 500

# A document's changes ({path: new value}, [paths to drop]), or None when it is already current.
Changes = tuple[dict[str, Any], list[str]]
Rewrite = Callable[[Document], Changes | None]


@dataclass(frozen=True)
class Lookup:
    """A rewrite that reads other collections of the store (a booking's walk photos are media documents)."""

    rewrite: Callable[[StoreBackend, Document], Awaitable[Changes | None]]


# The seed's weekdays are numbered from Sunday = 0.
_WEEKDAYS = {"sun": 0, "mon": 1, "tue": 2, "wed": 3, "thu": 4, "fri": 5, "sat": 6}


class StoreTooNew(RuntimeError):
    """The store was migrated by a newer release than this one."""


def _renamed(doc: Document, renames: dict[str, str]) -> Changes | None:
    present = {old: new for old, new in renames.items() if old in doc}
    if not present:
        return None
    return {new: doc[old] for old, new in present.items() if new not in doc}, list(present)


def _pet_v2(doc: Document) -> Changes | None:
    return _renamed(doc, {"ageYears": "age", "weightKg": "weight"})


def _service_v2(doc: Document) -> Changes | None:
    price_type = doc.get("pricing", {}).get("priceType")
    if price_type not in LEGACY_PRICE_TYPES:
        return None
    return {"pricing.priceType": LEGACY_PRICE_TYPES[price_type].value}, []


def _business_v2(doc: Document) -> Changes | None:
    changes: dict[str, Any] = {}
    address = doc.get("address") or {}
    if "postalCode" in address:
        changes["address"] = {
            **{k: v for k, v in address.items() if k != "postalCode"},
            "zipCode": address.get("zipCode", address["postalCode"]),
        }
    hours = doc.get("operatingHours")
    if isinstance(hours, dict):
        changes["operatingHours"] = [
            {"dayOfWeek": _WEEKDAYS[day], "openTime": span["open"], "closeTime": span["close"]}
            for day, span in sorted(hours.items(), key=lambda item: _WEEKDAYS[item[0]])
        ]
    if "timezone" not in doc:
        lng, lat = address.get("coordinates", (0.0, 0.0))
        zone = timezone_at(LngLat(lng, lat))
        changes["timezone"] = zone if zone is not None and zone_problem(zone) is None else DEFAULT_ZONE
    if "status" not in doc:
        changes["status"] = BusinessStatus.ACTIVE.value
    return (changes, []) if changes else None


def _worker_v2(doc: Document) -> Changes | None:
    availability = doc.get("availability")
    if not isinstance(availability, dict):
        return None
    slots = [
        {"dayOfWeek": _WEEKDAYS[day], "startTime": span["start"], "endTime": span["end"]}
        for day, spans in sorted(availability.items(), key=lambda item: _WEEKDAYS[item[0]])
        for span in spans
    ]
    return {"availability": slots}, []


def _review_v2(doc: Document) -> Changes | None:
    response = doc.get("response")
    if not isinstance(response, dict) or "text" not in response:
        return None
    return {"response": {"comment": response["text"], "respondedBy": response["by"], "respondedAt": response["at"]}}, []


def _booking_v2(doc: Document) -> Changes | None:
    location = doc.get("location") or {}
    if "durationMin" not in doc and location.get("type") != "Point" and "address" not in doc:
        return None
    changes: dict[str, Any] = {}
    if "durationMin" in doc and "duration" not in doc:
        changes["duration"] = doc["durationMin"]
    if location.get("type") == "Point" or "address" in doc:
        changes["location"] = {
            "type": None if location.get("type") == "Point" else location.get("type"),
            "address": doc.get("address", location.get("address")),
            "coordinates": location["coordinates"],
        }
    return changes, [key for key in ("durationMin", "address") if key in doc]


async def _booking_v3(backend: StoreBackend, doc: Document) -> Changes | None:
    """Walks completed before the walk's photos reached the booking: `completionDetails.photos` from the stored
    walk photos, oldest first (as app/usecases/walks/photos.py lists them)."""
    details = doc.get("completionDetails")
    if doc.get("status") != BookingStatus.COMPLETED.value or not isinstance(details, dict) or details.get("photos"):
        return None
    photos = await backend.collection(MEDIA).find(
        {"subjectId": doc["id"], "kind": MediaKind.WALK_PHOTO.value}, sort=[("createdAt", 1), ("id", 1)]
    )
    return ({"completionDetails.photos": [photo["id"] for photo in photos]}, []) if photos else None


def _notification_v3(doc: Document) -> Changes | None:
    # Stored so the list can filter by group on either store.
    return None if "group" in doc else ({"group": group_of(str(doc.get("type", ""))).value}, [])


def _review_v3(doc: Document) -> Changes | None:
    # Every stored review was written on a completed booking: create_review has refused any other since
    # reviews exist (e763bd4), so each of them is verified.
    return None if "isVerified" in doc else ({"isVerified": True}, [])


# Version N's rewrites take a store from version N - 1 to N.
STEPS: dict[int, tuple[tuple[str, Rewrite | Lookup], ...]] = {
    2: (
        (PETS, _pet_v2),
        (SERVICES, _service_v2),
        (BUSINESSES, _business_v2),
        (WORKERS, _worker_v2),
        (REVIEWS, _review_v2),
        (BOOKINGS, _booking_v2),
    ),
    3: ((BOOKINGS, Lookup(_booking_v3)), (NOTIFICATIONS, _notification_v3), (REVIEWS, _review_v3)),
}
SCHEMA_VERSION = max(STEPS)


async def _rewrite(backend: StoreBackend, name: str, rewrite: Rewrite | Lookup) -> int:
    """Apply `rewrite` to every document of collection `name`, in id order, a page at a time; return how many
    changed."""
    collection = backend.collection(name)
    changed = 0
    after = ""
    while True:
        docs = await collection.find({"id": {"$gt": after}}, sort=[("id", 1)], limit=PAGE)
        for doc in docs:
            changes = await rewrite.rewrite(backend, doc) if isinstance(rewrite, Lookup) else rewrite(doc)
            if changes is not None:
                set_, unset = changes
                await collection.update_one({"id": doc["id"]}, Update(set=set_, unset=unset))
                changed += 1
        if len(docs) < PAGE:
            return changed
        after = docs[-1]["id"]


async def stored_version(meta: DocumentCollection) -> int:
    doc = await meta.get(SCHEMA_DOC_ID)
    return int(doc["schemaVersion"]) if doc else UNVERSIONED


async def _record(meta: DocumentCollection, version: int) -> None:
    try:
        await meta.insert({"id": SCHEMA_DOC_ID, "schemaVersion": version})
    except DuplicateKey:
        # Only ever forward: a slower process finishing an older step does not lower it.
        await meta.update_one(
            {"id": SCHEMA_DOC_ID, "schemaVersion": {"$lt": version}}, Update(set={"schemaVersion": version})
        )


async def migrate(backend: StoreBackend) -> int:
    """Bring the store to SCHEMA_VERSION; return the version it was at. StoreTooNew if it is ahead."""
    meta = backend.collection(META)
    found = await stored_version(meta)
    if found > SCHEMA_VERSION:
        raise StoreTooNew(
            f"the store is at schema version {found}, this release knows up to {SCHEMA_VERSION}: run a newer release"
        )
    for version in range(found + 1, SCHEMA_VERSION + 1):
        for name, rewrite in STEPS[version]:
            await _rewrite(backend, name, rewrite)
        await _record(meta, version)
    return found
