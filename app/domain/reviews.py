"""Reviews: an owner's rating of a completed booking, the business's response, and flags for moderation."""

from __future__ import annotations

from enum import StrEnum

from pydantic import Field

from app.domain.base import Entity, Timestamp, Value

MIN_RATING = 1
MAX_RATING = 5
MAX_REVIEW_PHOTOS = 5


class ReviewStatus(StrEnum):
    PUBLISHED = "published"
    # Hidden from the public lists until a moderator looks at it; still counted in the ratings.
    FLAGGED = "flagged"
    # Hidden by a moderator: out of the public lists; still counted (an admin deletes a review to uncount it).
    HIDDEN = "hidden"


class ReviewResponse(Value):
    comment: str
    responded_by: str
    responded_at: Timestamp


class ReviewFlag(Value):
    by: str
    role: str
    reason: str | None
    at: Timestamp


class Review(Entity):
    booking_id: str
    business_id: str
    worker_id: str | None
    author_id: str
    rating: int = Field(ge=MIN_RATING, le=MAX_RATING)
    title: str | None = None
    comment: str | None = None
    # Ids of the reviewer's uploads (POST /v1/reviews/{id}/photos).
    photos: list[str] = Field(default_factory=list)
    response: ReviewResponse | None = None
    # The review comes from a booking that was completed when it was written.
    is_verified: bool = False
    status: ReviewStatus = ReviewStatus.PUBLISHED
    flags: list[ReviewFlag] = Field(default_factory=list)
    created_at: Timestamp
    updated_at: Timestamp
