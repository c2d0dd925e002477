"""GDPR access: everything stored about the caller, as one JSON document."""

from __future__ import annotations

from typing import Any, Protocol

from app.auth.principal import Principal
from app.clock import Clock
from app.store.store import Store
from app.usecases.accounts.users import current_user

EXPORT_FORMAT = 1


class ExportPorts(Protocol):
    @property
    def store(self) -> Store: ...
    @property
    def clock(self) -> Clock: ...


async def export_me(ports: ExportPorts, principal: Principal) -> dict[str, Any]:
    """Stored documents as they are (camelCase), minus secrets: password hash, token and code hashes."""
    store = ports.store
    user = await current_user(store, principal)
    bookings = await store.bookings.of_person(user.id, user.worker_id)
    trails = {
        booking.id: [
            {"t": point.timestamp_ms, "coordinates": [point.position.lng, point.position.lat]}
            for point in await store.trails.points(booking.id)
        ]
        for booking in bookings
    }
    worker = await store.workers.get(user.worker_id) if user.worker_id else None
    business = await store.businesses.get(user.business_id) if user.business_id else None
    return {
        "format": EXPORT_FORMAT,
        "exportedAt": ports.clock.now(),
        "profile": user.to_doc() | {"passwordHash": None, "phoneCode": None},
        "workerProfile": worker.to_doc() if worker else None,
        "business": business.to_doc() if business else None,
        "pets": [pet.to_doc() for pet in await store.pets.visible_to(user.id)],
        "bookings": [booking.to_doc() for booking in bookings],
        "trails": trails,
        "payments": [payment.to_doc() for payment in await store.payments.of_person(user.id)],
        "reviews": [review.to_doc() for review in await store.reviews.by_author(user.id)],
        "notifications": [n.to_doc() for n in await store.notifications.of_user(user.id)],
        "devices": [device.to_doc() for device in await store.devices.of_user(user.id)],
        "notificationPreferences": (await store.preferences.get(user.id)).effective(),
        "messages": [message.to_doc() | {"link": None} for message in await store.outbox.of_user(user.id)],
    }
