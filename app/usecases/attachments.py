"""Uploads attached to marketplace records: a business's cover photo and certification documents, and the
photos of a review. Like logos and avatars they are public (MediaKind.public): they are uploaded to be shown.

The business's account (or an admin) uploads its cover and certifications; a review's author its photos.
"""

from __future__ import annotations

from contextlib import closing

from app.auth.principal import Principal
from app.domain.businesses import MAX_CERTIFICATIONS, Business
from app.domain.media import MediaKind, MediaRef
from app.domain.reviews import MAX_REVIEW_PHOTOS, Review
from app.errors import Conflict, Forbidden, NotFound, ValidationFailed
from app.media.processing import Upload
from app.store.store import Store
from app.usecases.media import MAX_ATTEMPTS, MediaPorts, forget, replace_with, store_upload


async def _managed(store: Store, principal: Principal, business_id: str) -> Business:
    business = await store.businesses.get(business_id)
    if business is None or not business.is_active:
        raise NotFound("no such business")
    principal.require_business(business.id, business.owner_id)
    return business


async def upload_cover(ports: MediaPorts, principal: Principal, business_id: str, upload: Upload) -> MediaRef:
    """The business's cover photo; the one it replaces is forgotten."""
    with closing(upload):
        business = await _managed(ports.store, principal, business_id)
        media = await store_upload(ports, principal, MediaKind.COVER, business.id, upload)

    async def swap() -> str | None:
        for _ in range(MAX_ATTEMPTS):
            current = await _managed(ports.store, principal, business_id)
            old = current.cover_photo.id if current.cover_photo else None
            if await ports.store.businesses.swap_image(current.id, "coverPhoto", old, media.ref(), ports.clock.now()):
                return old
        raise Conflict("the cover photo is being changed by someone else; try again")

    return await replace_with(ports, media, swap)


async def remove_cover(ports: MediaPorts, principal: Principal, business: Business) -> None:
    """Take the cover photo off (PUT /v1/businesses/{id} with `coverPhoto: null`) and forget it."""
    if business.cover_photo is None:
        return
    if not await ports.store.businesses.swap_image(
        business.id, "coverPhoto", business.cover_photo.id, None, ports.clock.now()
    ):
        raise Conflict("the cover photo is being changed by someone else; try again")
    await forget(ports, business.cover_photo.id)


async def upload_certification(ports: MediaPorts, principal: Principal, business_id: str, upload: Upload) -> MediaRef:
    """A certificate (PDF or image): its id joins the business's `certifications`."""
    with closing(upload):
        business = await _managed(ports.store, principal, business_id)
        if len(business.certifications) >= MAX_CERTIFICATIONS:
            raise Conflict(f"a business has at most {MAX_CERTIFICATIONS} certifications")
        media = await store_upload(ports, principal, MediaKind.CERTIFICATION, business.id, upload)

    def added(current: list[str]) -> list[str]:
        if len(current) >= MAX_CERTIFICATIONS:
            raise Conflict(f"a business has at most {MAX_CERTIFICATIONS} certifications")
        return [*current, media.id]

    try:
        if await ports.store.businesses.change_certifications(business.id, added, ports.clock.now()) is None:
            raise NotFound("no such business")
    except BaseException:
        # The document never reached the business: nothing may point at it.
        await forget(ports, media.id)
        raise
    return media.ref()


async def keep_certifications(ports: MediaPorts, business: Business, kept: list[str]) -> None:
    """PUT /v1/businesses/{id} with `certifications`: keep (and order) some of the uploaded ones; the others
    are forgotten. An id that is not one of them is refused."""
    unknown = [media_id for media_id in kept if media_id not in business.certifications]
    if unknown or len(set(kept)) != len(kept):
        message = "certifications are ids of documents uploaded with POST /v1/businesses/{id}/certifications"
        raise ValidationFailed(message, [{"field": "body.certifications", "message": message, "type": "unknown_id"}])
    dropped: list[str] = []

    def kept_only(current: list[str]) -> list[str]:
        dropped[:] = [media_id for media_id in current if media_id not in kept]
        return [media_id for media_id in kept if media_id in current]

    if await ports.store.businesses.change_certifications(business.id, kept_only, ports.clock.now()) is None:
        raise NotFound("no such business")
    for media_id in dropped:
        await forget(ports, media_id)


async def upload_review_photo(ports: MediaPorts, principal: Principal, review_id: str, upload: Upload) -> MediaRef:
    """A photo by the review's author: its id joins the review's `photos`."""
    with closing(upload):
        review = await _authored(ports.store, principal, review_id)
        media = await store_upload(ports, principal, MediaKind.REVIEW_PHOTO, review.id, upload)
    try:
        for _ in range(MAX_ATTEMPTS):
            current = await _authored(ports.store, principal, review_id)
            # The last write's time is the review's version: a racing upload makes this one read again.
            expected = {"updatedAt": current.model_dump(mode="json", by_alias=True)["updatedAt"]}
            if await ports.store.reviews.update_if(
                current.id, expected, {}, ports.clock.now(), push={"photos": media.id}
            ):
                return media.ref()
        raise Conflict("the review is being changed by someone else; try again")
    except BaseException:
        await forget(ports, media.id)
        raise


async def _authored(store: Store, principal: Principal, review_id: str) -> Review:
    review = await store.reviews.get(review_id)
    if review is None:
        raise NotFound("no such review")
    if review.author_id != principal.user_id:
        raise Forbidden("only the review's author adds photos")
    if len(review.photos) >= MAX_REVIEW_PHOTOS:
        raise Conflict(f"a review has at most {MAX_REVIEW_PHOTOS} photos")
    return review


async def forget_review_photos(ports: MediaPorts, author_id: str) -> None:
    """Erasure: an erased person's review photos go with them (the reviews stay, anonymous, for the ratings)."""
    for review in await ports.store.reviews.by_author(author_id):
        if review.photos:
            await ports.store.reviews.update_if(review.id, {}, {"photos": []}, ports.clock.now())
            for media_id in review.photos:
                await forget(ports, media_id)
