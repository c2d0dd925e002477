"""Migration 3, on every adapter: notifications stored before groups get theirs (the list filters on it),
reviews stored before `isVerified` are verified (every one was written on a completed booking)."""

from __future__ import annotations

from app.store.backend import StoreBackend
from app.store.documents import Update
from app.store.migrations import SCHEMA_DOC_ID, migrate
from app.store.schema import META, NOTIFICATIONS, REVIEWS
from app.store.store import Store

T = "2026-01-05T09:00:00.000Z"
OLD_REVIEW: dict[str, object] = {
    "id": "r1", "bookingId": "k1", "businessId": "b1", "workerId": None, "authorId": "u1", "rating": 4,
    "status": "published", "flags": [], "createdAt": T, "updatedAt": T,
}  # fmt: skip


def _notification(doc_id: str, kind: str) -> dict[str, object]:
    return {"id": doc_id, "userId": "u1", "type": kind, "title": "t", "message": "m", "data": {}, "createdAt": T}


async def test_groups_and_verified_reviews_are_filled_in(backend: StoreBackend) -> None:
    await migrate(backend)
    await backend.collection(META).update_one({"id": SCHEMA_DOC_ID}, Update(set={"schemaVersion": 2}))
    for doc_id, kind in (("n1", "booking.confirmed"), ("n2", "payouts.enabled"), ("n3", "account.verify_email")):
        await backend.collection(NOTIFICATIONS).insert(_notification(doc_id, kind))
    await backend.collection(REVIEWS).insert(OLD_REVIEW)

    store = Store(backend)
    await store.setup()

    groups = {doc["id"]: doc["group"] for doc in await backend.collection(NOTIFICATIONS).find({})}
    assert groups == {"n1": "booking", "n2": "payment", "n3": "system"}
    found, total = await store.notifications.page("u1", group=None, kind=None, skip=0, limit=10)
    assert total == 3 and {n.group.value for n in found} == {"booking", "payment", "system"}
    review = await store.reviews.get("r1")
    assert review is not None and (review.is_verified, review.photos) == (True, [])
    stored = await backend.collection(REVIEWS).get("r1")
    assert stored is not None and stored["isVerified"] is True
