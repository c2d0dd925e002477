"""Reviews: the owner of a completed booking rates it once; the business responds once; any party flags.

Ratings: each review adds its stars to the business's and the worker's `ratingSum` and `rating.count` in one
atomic increment (app/store/reviews/ratings.py). An edit adds the difference and a delete takes the review back; both
are compare-and-set on the review's rating, so the delta applied is always the one that was replaced.
Flagged reviews stay counted but leave the public lists until a moderator looks at them.
"""

from __future__ import annotations

from typing import Annotated, Any, Protocol

from pydantic import Field

from app.auth.principal import Principal
from app.domain.base import Timestamp
from app.domain.bookings import BookingStatus
from app.domain.businesses import BusinessStatus
from app.domain.reviews import MAX_RATING, MIN_RATING, Review, ReviewFlag, ReviewResponse, ReviewStatus
from app.domain.users import Role
from app.errors import Conflict, Forbidden, NotFound
from app.ids import new_id
from app.messages.rendering.facts import MessageFacts
from app.store.reviews.reviews import ReviewExists
from app.usecases import media
from app.usecases.businesses import may_manage
from app.usecases.inputs import Input, Output, PageNumber, PageSize, QueryInput, Text
from app.usecases.message_facts import booking_facts
from app.usecases.notifications import NotificationPorts, notify


class ReviewPorts(NotificationPorts, media.MediaPorts, Protocol):
    """Reviews read and write the store and notify the reviewed business; a deleted review's photos are
    forgotten."""


MAX_CAS_ATTEMPTS = 20

# Strict: 4.5, "4" and true are refused rather than coerced.
Stars = Annotated[int, Field(strict=True, ge=MIN_RATING, le=MAX_RATING)]
Title = Annotated[Text, Field(min_length=1, max_length=200)]
Comment = Annotated[Text, Field(min_length=1, max_length=5000)]


class ReviewCreate(Input):
    booking_id: str = Field(min_length=1, max_length=64)
    rating: Stars
    title: Title | None = None
    comment: Comment | None = None
    # Accepted empty, as a client of the seed's model sends it: photos are uploaded once the review exists.
    photos: Annotated[list[str], Field(max_length=0)] = Field(
        default_factory=list, description="upload them with POST /v1/reviews/{id}/photos"
    )


class ReviewUpdate(Input):
    rating: Stars | None = None
    title: Title | None = None
    comment: Comment | None = None


class ResponseInput(Input):
    comment: Comment


class FlagInput(Input):
    reason: Annotated[Text, Field(min_length=1, max_length=500)] | None = None


class ReviewQuery(QueryInput):
    page: PageNumber = 1
    limit: PageSize = 20


class ReviewView(Output):
    id: str
    booking_id: str
    business_id: str
    worker_id: str | None
    author_id: str
    rating: int
    title: str | None
    comment: str | None
    photos: list[str]
    response: ReviewResponse | None
    is_verified: bool
    status: ReviewStatus
    created_at: Timestamp
    updated_at: Timestamp

    @classmethod
    def of(cls, review: Review) -> ReviewView:
        return cls.model_validate(review.model_dump(include=set(cls.model_fields)))


async def _apply_rating(ports: ReviewPorts, review: Review, delta_sum: int, delta_count: int) -> None:
    if delta_sum == 0 and delta_count == 0:
        return
    await ports.store.businesses.apply_rating(review.business_id, delta_sum, delta_count)
    if review.worker_id is not None:
        await ports.store.workers.apply_rating(review.worker_id, delta_sum, delta_count)


async def _business_owner(ports: ReviewPorts, business_id: str) -> str | None:
    business = await ports.store.businesses.get(business_id)
    return business.owner_id if business else None


async def _is_party(ports: ReviewPorts, principal: Principal, review: Review) -> bool:
    if principal.is_admin or principal.user_id == review.author_id:
        return True
    if principal.role is Role.WORKER:
        return principal.worker_id is not None and principal.worker_id == review.worker_id
    if principal.role is Role.BUSINESS:
        return may_manage(principal, await ports.store.businesses.get(review.business_id))
    return False


async def _review_facts(ports: ReviewPorts, review: Review, comment: str) -> MessageFacts | None:
    booking = await ports.store.bookings.get(review.booking_id)
    return None if booking is None else await booking_facts(ports.store, booking, comment=comment)


async def _found(ports: ReviewPorts, review_id: str) -> Review:
    review = await ports.store.reviews.get(review_id)
    if review is None:
        raise NotFound("no such review")
    return review


async def create_review(ports: ReviewPorts, principal: Principal, data: ReviewCreate) -> ReviewView:
    principal.require_role(Role.OWNER)
    booking = await ports.store.bookings.get(data.booking_id)
    if booking is None or not (principal.user_id in booking.watcher_ids or principal.user_id == booking.owner_id):
        raise NotFound("no such booking")
    if booking.owner_id != principal.user_id:
        raise Forbidden("only the booking's owner reviews it")
    if booking.status is not BookingStatus.COMPLETED or booking.business_id is None:
        raise Conflict(f"only completed bookings are reviewed; this one is {booking.status.value}")
    now = ports.clock.now()
    review = Review(
        id=new_id(),
        booking_id=booking.id,
        business_id=booking.business_id,
        worker_id=booking.worker_id,
        author_id=principal.user_id,
        rating=data.rating,
        title=data.title,
        comment=data.comment,
        # Checked above, and said so: the review comes from a booking that was completed.
        is_verified=booking.status is BookingStatus.COMPLETED,
        created_at=now,
        updated_at=now,
    )
    try:
        await ports.store.reviews.add(review)
    except ReviewExists as exc:
        raise Conflict("this booking has been reviewed already") from exc
    await _apply_rating(ports, review, review.rating, 1)
    owner_id = await _business_owner(ports, review.business_id)
    if owner_id is not None:
        await notify(
            ports,
            [owner_id],
            kind="review.created",
            title="New review",
            message=f"A customer rated a booking {review.rating}/5.",
            data={"reviewId": review.id, "bookingId": review.booking_id, "rating": review.rating},
            about=await booking_facts(ports.store, booking, rating=review.rating),
        )
    return ReviewView.of(review)


async def get_review(ports: ReviewPorts, principal: Principal, review_id: str) -> ReviewView:
    review = await _found(ports, review_id)
    if review.status is not ReviewStatus.PUBLISHED and not await _is_party(ports, principal, review):
        raise NotFound("no such review")
    return ReviewView.of(review)


async def update_review(ports: ReviewPorts, principal: Principal, review_id: str, data: ReviewUpdate) -> ReviewView:
    fields: dict[str, Any] = data.model_dump(by_alias=True, exclude_unset=True)
    if fields.get("rating", 0) is None:
        del fields["rating"]  # a rating can be changed, not removed
    for _ in range(MAX_CAS_ATTEMPTS):
        review = await _found(ports, review_id)
        if review.author_id != principal.user_id:
            raise Forbidden("only the review's author edits it")
        updated = await ports.store.reviews.update_if(review.id, {"rating": review.rating}, fields, ports.clock.now())
        if updated is not None:
            await _apply_rating(ports, updated, updated.rating - review.rating, 0)
            return ReviewView.of(updated)
    raise Conflict("the review is changing too fast; try again")


async def delete_review(ports: ReviewPorts, principal: Principal, review_id: str) -> None:
    for _ in range(MAX_CAS_ATTEMPTS):
        review = await _found(ports, review_id)
        if review.author_id != principal.user_id and not principal.is_admin:
            raise Forbidden("only the review's author deletes it")
        if await ports.store.reviews.delete_if(review.id, review.rating):
            await _apply_rating(ports, review, -review.rating, -1)
            for photo_id in review.photos:
                await media.forget(ports, photo_id)
            return
    raise Conflict("the review is changing too fast; try again")


async def respond(ports: ReviewPorts, principal: Principal, review_id: str, data: ResponseInput) -> ReviewView:
    review = await _found(ports, review_id)
    business = await ports.store.businesses.get(review.business_id)
    if principal.role is not Role.BUSINESS or not may_manage(principal, business):
        raise Forbidden("only the reviewed business responds")
    now = ports.clock.now()
    response = ReviewResponse(comment=data.comment, responded_by=principal.user_id, responded_at=now)
    updated = await ports.store.reviews.update_if(
        review.id, {"response": None}, {"response": response.model_dump(mode="json", by_alias=True)}, now
    )
    if updated is None:
        raise Conflict("the business has responded to this review already")
    await notify(
        ports,
        [review.author_id],
        kind="review.response",
        title="The business responded to your review",
        message=data.comment[:200],
        data={"reviewId": review.id, "bookingId": review.booking_id},
        about=await _review_facts(ports, review, data.comment),
    )
    return ReviewView.of(updated)


async def flag(ports: ReviewPorts, principal: Principal, review_id: str, data: FlagInput) -> ReviewView:
    review = await _found(ports, review_id)
    if not await _is_party(ports, principal, review):
        raise Forbidden("only the parties of the booking flag its review")
    now = ports.clock.now()
    entry = ReviewFlag(by=principal.user_id, role=principal.role.value, reason=data.reason, at=now)
    updated = await ports.store.reviews.update_if(
        review.id,
        {},
        {"status": ReviewStatus.FLAGGED.value},
        now,
        push={"flags": entry.model_dump(mode="json", by_alias=True)},
    )
    if updated is None:
        raise NotFound("no such review")
    return ReviewView.of(updated)


async def list_for_business(
    ports: ReviewPorts, principal: Principal | None, business_id: str, query: ReviewQuery
) -> tuple[list[ReviewView], int]:
    business = await ports.store.businesses.get(business_id)
    # A suspended business is out of sight, its reviews too, except for itself and admins.
    suspended = business is not None and business.status is BusinessStatus.SUSPENDED
    if business is None or (suspended and not (principal is not None and may_manage(principal, business))):
        raise NotFound("no such business")
    items, total = await ports.store.reviews.published(
        "businessId", business_id, skip=(query.page - 1) * query.limit, limit=query.limit
    )
    return [ReviewView.of(r) for r in items], total


async def list_for_worker(
    ports: ReviewPorts, principal: Principal | None, worker_id: str, query: ReviewQuery
) -> tuple[list[ReviewView], int]:
    if await ports.store.workers.get(worker_id) is None:
        raise NotFound("no such worker")
    items, total = await ports.store.reviews.published(
        "workerId", worker_id, skip=(query.page - 1) * query.limit, limit=query.limit
    )
    return [ReviewView.of(r) for r in items], total
