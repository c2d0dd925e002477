"""Use cases of media: uploads of pet photos and documents, avatars, logos and walk photos; serving them.

Who sees what: avatars and logos are public; a pet's photos and documents are seen by its owners
and by the business and walker of any booking for it; walk photos by the booking's parties. Anyone
else gets 404, as if the media did not exist.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import closing
from dataclasses import dataclass
from typing import Protocol

from app.auth.principal import Principal
from app.clock import Clock
from app.domain.bookings import BookingStatus
from app.domain.media import MAX_PET_PHOTOS, MAX_STORED_BYTES, MediaKind, MediaObject, MediaRef
from app.domain.pets import Pet
from app.domain.users import Role
from app.errors import Conflict, Forbidden, NotFound, Unavailable
from app.ids import new_id
from app.media.processing import Processed, Rendition, Upload, process_in_pool
from app.media.storage import MediaStorage, ObjectMissing, StorageError
from app.settings import Settings
from app.store.store import Store
from app.usecases.bookings.watchers import may_watch
from app.usecases.walks.photos import attach_walk_photos

# Retries of a compare-and-set (photos list, avatar, logo) that lost a race with another edit.
MAX_ATTEMPTS = 10
WALK_PHOTO_STATUSES = (BookingStatus.IN_PROGRESS, BookingStatus.COMPLETED)


class MediaPorts(Protocol):
    @property
    def store(self) -> Store: ...
    @property
    def media(self) -> MediaStorage: ...
    @property
    def clock(self) -> Clock: ...
    @property
    def settings(self) -> Settings: ...


@dataclass(frozen=True)
class Served:
    """A media object to send: a redirect to `url`, or `chunks` streamed by the app."""

    content_type: str
    public: bool
    url: str | None = None
    chunks: AsyncIterator[bytes] | None = None


async def upload_pet_photo(ports: MediaPorts, principal: Principal, pet_id: str, upload: Upload) -> MediaRef:
    with closing(upload):
        pet = await _owned_pet(ports.store, principal, pet_id)
        if len(pet.photos) >= MAX_PET_PHOTOS:
            raise Conflict(f"a pet has at most {MAX_PET_PHOTOS} photos")
        media = await store_upload(ports, principal, MediaKind.PET_PHOTO, pet.id, upload)

    def added(current: Pet) -> list[MediaRef]:
        if len(current.photos) >= MAX_PET_PHOTOS:
            raise Conflict(f"a pet has at most {MAX_PET_PHOTOS} photos")
        return [*current.photos, media.ref()]

    await _change_photos(ports, principal, pet_id, added, media)
    return media.ref()


async def delete_pet_photo(ports: MediaPorts, principal: Principal, pet_id: str, photo_id: str) -> None:
    """Take the photo off the pet, forget its document and remove its objects."""

    def removed(current: Pet) -> list[MediaRef]:
        if all(photo.id != photo_id for photo in current.photos):
            raise NotFound("no such photo of this pet")
        return [photo for photo in current.photos if photo.id != photo_id]

    await _change_photos(ports, principal, pet_id, removed, None)
    await forget(ports, photo_id)


async def upload_pet_document(ports: MediaPorts, principal: Principal, pet_id: str, upload: Upload) -> MediaRef:
    """A vaccination record or other paper: its id goes in `medicalInfo.vaccinations[].documentId`."""
    with closing(upload):
        pet = await _owned_pet(ports.store, principal, pet_id)
        media = await store_upload(ports, principal, MediaKind.PET_DOCUMENT, pet.id, upload)
    return media.ref()


async def upload_avatar(ports: MediaPorts, principal: Principal, upload: Upload) -> MediaRef:
    with closing(upload):
        user = await ports.store.users.get(principal.user_id)
        if user is None or user.erased_at is not None:
            raise NotFound("no such user")
        media = await store_upload(ports, principal, MediaKind.AVATAR, user.id, upload)

    async def swap() -> str | None:
        for _ in range(MAX_ATTEMPTS):
            current = await ports.store.users.get(principal.user_id)
            if current is None or current.erased_at is not None:
                raise NotFound("no such user")
            old = current.avatar.id if current.avatar else None
            if await ports.store.users.swap_avatar(current.id, old, media.ref(), ports.clock.now()):
                return old
        raise Conflict("the avatar is being changed by someone else; try again")

    return await replace_with(ports, media, swap)


async def upload_logo(ports: MediaPorts, principal: Principal, business_id: str, upload: Upload) -> MediaRef:
    with closing(upload):
        business = await ports.store.businesses.get(business_id)
        if business is None or not business.is_active:
            raise NotFound("no such business")
        principal.require_business(business.id, business.owner_id)
        media = await store_upload(ports, principal, MediaKind.LOGO, business.id, upload)

    async def swap() -> str | None:
        for _ in range(MAX_ATTEMPTS):
            current = await ports.store.businesses.get(business_id)
            if current is None or not current.is_active:
                raise NotFound("no such business")
            old = current.logo.id if current.logo else None
            if await ports.store.businesses.swap_image(current.id, "logo", old, media.ref(), ports.clock.now()):
                return old
        raise Conflict("the logo is being changed by someone else; try again")

    return await replace_with(ports, media, swap)


async def upload_walk_photo(ports: MediaPorts, principal: Principal, booking_id: str, upload: Upload) -> MediaRef:
    """The walker's photo, during or after the walk: proof it happened, for the booking's parties, listed in its
    `completionDetails.photos` once the walk is completed."""
    with closing(upload):
        booking = await ports.store.bookings.get(booking_id)
        if booking is None or not await _may_see(ports.store, principal, MediaKind.WALK_PHOTO, booking_id):
            raise NotFound("no such booking")
        if not principal.is_admin and (principal.role is not Role.WORKER or principal.worker_id != booking.worker_id):
            raise Forbidden("only the booking's walker adds walk photos")
        if booking.status not in WALK_PHOTO_STATUSES:
            raise Conflict("walk photos are added once the walk has started")
        media = await store_upload(ports, principal, MediaKind.WALK_PHOTO, booking.id, upload)
    # Read again after the photo is stored: a walk completed meanwhile did not list it (walk_photos.py).
    current = await ports.store.bookings.get(booking.id)
    if current is not None:
        await attach_walk_photos(ports, current)
    return media.ref()


async def list_walk_photos(ports: MediaPorts, principal: Principal, booking_id: str) -> list[MediaRef]:
    booking = await ports.store.bookings.get(booking_id)
    if booking is None or not await _may_see(ports.store, principal, MediaKind.WALK_PHOTO, booking_id):
        raise NotFound("no such booking")
    return [media.ref() for media in await ports.store.media.of_subject(booking.id, MediaKind.WALK_PHOTO)]


async def serve(ports: MediaPorts, principal: Principal | None, media_id: str, *, thumbnail: bool) -> Served:
    media = await ports.store.media.get(media_id)
    if media is None or not await _may_see(ports.store, principal, media.kind, media.subject_id):
        raise NotFound("no such media")
    key = media.thumbnail_key if thumbnail else media.key
    if key is None:
        raise NotFound("this media has no thumbnail")
    try:
        url = await ports.media.url(key, expires_s=ports.settings.media_url_ttl_s)
        if url is not None:
            return Served(content_type=media.content_type, public=media.kind.public, url=url)
        chunks = ports.media.open(key)
        first = await anext(chunks)
    except (ObjectMissing, StopAsyncIteration):
        raise NotFound("the media's content is gone") from None
    except StorageError as exc:
        raise Unavailable("media storage is unavailable; try again") from exc
    return Served(content_type=media.content_type, public=media.kind.public, chunks=_prepend(first, chunks))


async def _may_see(store: Store, principal: Principal | None, kind: MediaKind, subject_id: str) -> bool:
    if kind.public:
        return True
    if principal is None:
        return False
    if principal.is_admin:
        return True
    business_id = await _business_of(store, principal)
    if kind is MediaKind.WALK_PHOTO:
        booking = await store.bookings.get(subject_id)
        return booking is not None and (
            booking.involves(principal.user_id, business_id=business_id, worker_id=principal.worker_id)
            # The pets' current owners and co-owners, as for tracking.
            or await may_watch(store, principal.user_id, booking)
        )
    pet = await store.pets.get(subject_id)
    if pet is None:
        return False
    if pet.visible_to(principal.user_id):
        return True
    return await store.bookings.has_booking_for_pet(pet.id, business_id=business_id, worker_id=principal.worker_id)


async def _business_of(store: Store, principal: Principal) -> str | None:
    """The business the caller speaks for: only a business account (a worker's token names its employer too,
    but a walker sees only their own bookings). A token issued before the business was created carries
    no `businessId`; the account does."""
    if principal.role is not Role.BUSINESS:
        return None
    if principal.business_id is not None:
        return principal.business_id
    user = await store.users.get(principal.user_id)
    return user.business_id if user else None


async def _owned_pet(store: Store, principal: Principal, pet_id: str) -> Pet:
    """The live pet, when the caller is its primary owner (or an admin); co-owners only look."""
    pet = await store.pets.get(pet_id)
    if pet is None or pet.deleted_at is not None or not (principal.is_admin or pet.visible_to(principal.user_id)):
        raise NotFound("no such pet")
    if not principal.is_admin and pet.owner_id != principal.user_id:
        raise Forbidden("only the pet's primary owner may do this")
    return pet


async def _change_photos(
    ports: MediaPorts,
    principal: Principal,
    pet_id: str,
    change: Callable[[Pet], list[MediaRef]],
    uploaded: MediaObject | None,
) -> None:
    try:
        for _ in range(MAX_ATTEMPTS):
            pet = await _owned_pet(ports.store, principal, pet_id)
            if await ports.store.pets.set_photos(pet, change(pet), ports.clock.now()) is not None:
                return
        raise Conflict("the pet's photos are being changed by someone else; try again")
    except BaseException:
        if uploaded is not None:
            # The photo never reached the pet: nothing may point at it.
            await forget(ports, uploaded.id)
        raise


async def replace_with(ports: MediaPorts, media: MediaObject, swap: Callable[[], Awaitable[str | None]]) -> MediaRef:
    """Point the subject at the new media; the one it replaces is forgotten."""
    try:
        old = await swap()
    except BaseException:
        await forget(ports, media.id)
        raise
    if old is not None:
        await forget(ports, old)
    return media.ref()


async def store_upload(
    ports: MediaPorts, principal: Principal, kind: MediaKind, subject_id: str, upload: Upload
) -> MediaObject:
    """Judge and clean the upload, store its objects, then record the document pointing at them.

    A failure between the objects and the document leaves objects no document points to: the
    cleanup job (MediaSweeper) removes them after its grace period.
    """
    processed: Processed = await process_in_pool(upload, kind)
    renditions = [processed.main, *([processed.thumbnail] if processed.thumbnail else [])]
    try:
        # Both at once: their writes and fsyncs overlap in two worker threads.
        outcomes = await asyncio.gather(*(_put(ports.media, r) for r in renditions), return_exceptions=True)
    finally:
        for rendition in renditions:
            rendition.body.close()
    for outcome in outcomes:
        if isinstance(outcome, BaseException):
            raise outcome
    media = MediaObject(
        id=new_id(),
        kind=kind,
        subject_id=subject_id,
        uploaded_by=principal.user_id,
        content_type=processed.main.content_type,
        bytes=processed.main.size,
        width=processed.main.width,
        height=processed.main.height,
        key=processed.main.key,
        thumbnail_key=processed.thumbnail.key if processed.thumbnail else None,
        created_at=ports.clock.now(),
    )
    await ports.store.media.add(media)
    return media


async def forget(ports: MediaPorts, media_id: str) -> None:
    """Drop the media document, and its objects unless another document shares them (same content)."""
    media = await ports.store.media.get(media_id)
    if media is None:
        return
    await ports.store.media.remove(media.id)
    keys = [key for key in (media.key, media.thumbnail_key) if key is not None]
    used = await ports.store.media.keys_in_use(keys)
    for key in keys:
        if key not in used:
            await ports.media.delete(key)


async def _put(storage: MediaStorage, rendition: Rendition) -> None:
    try:
        await storage.put(
            rendition.key, rendition.body, content_type=rendition.content_type.value, max_bytes=MAX_STORED_BYTES
        )
    except StorageError as exc:
        raise Unavailable("media storage is unavailable; try again") from exc


async def _prepend(first: bytes, rest: AsyncIterator[bytes]) -> AsyncIterator[bytes]:
    yield first
    async for chunk in rest:
        yield chunk
