"""What happened on the walk: pee, poo, water, food, a photo, a note; each with its time and place."""

from __future__ import annotations

from enum import StrEnum

from app.domain.base import Entity, Timestamp


class WalkEventType(StrEnum):
    PEE = "pee"
    POO = "poo"
    WATER = "water"
    FOOD = "food"
    PHOTO = "photo"
    NOTE = "note"


MAX_NOTE_LENGTH = 1000
# A phone may log an event it buffered offline; one older than this is not part of a walk.
MAX_EVENT_AGE_S = 24 * 3600
MAX_EVENT_FUTURE_S = 30
MAX_EVENTS_PER_WALK = 500


class WalkEvent(Entity):
    booking_id: str
    worker_id: str
    type: WalkEventType
    # [lng, lat]: given by the phone, else the walker's live position when the event was logged.
    coordinates: tuple[float, float] | None = None
    at: Timestamp
    note: str | None = None
    photo_id: str | None = None
    created_at: Timestamp

    def view(self) -> dict[str, object]:
        return {
            "id": self.id,
            "type": self.type.value,
            "coordinates": list(self.coordinates) if self.coordinates else None,
            "at": self.model_dump(mode="json")["at"],
            "note": self.note,
            "photoId": self.photo_id,
        }
