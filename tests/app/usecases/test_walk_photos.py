"""The walk's photos reach `completionDetails.photos`: taken during the walk, listed at completion; added after
it, listed as they arrive; a completion that missed one is caught up by the next writer."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest

from app.domain.bookings import Booking, BookingStatus
from app.domain.fixes import LiveFix
from app.domain.media import ContentType, MediaKind, MediaObject
from app.ids import new_id
from app.usecases.bookings.lifecycle import (
    CompleteInput,
    ConfirmInput,
    complete_booking,
    confirm_booking,
    start_booking,
)
from app.usecases.walks.photos import attach_walk_photos
from geo.coordinates import LngLat
from tests.app.usecases.bookings.world import PICKUP, World, as_worker, book, open_world


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[World]:
    async with open_world(tmp_path) as opened:
        yield opened


async def _walking(world: World) -> Booking:
    booking = await book(world)
    ada = world.workers[0]
    await confirm_booking(world.ports, world.business, booking.id, ConfirmInput(worker_id=ada.id))
    now_ms = int(world.ports.clock.now().timestamp() * 1000)
    await world.ports.live_index.set_presence(ada.id, ada.business_id, online=True, available=True)
    await world.ports.live_index.record_fix(ada.id, ada.business_id, LiveFix(LngLat(*PICKUP), now_ms, 5.0), now_ms)
    return await start_booking(world.ports, as_worker(world.workers[0]), booking.id)


async def _photo(world: World, booking: Booking, kind: MediaKind = MediaKind.WALK_PHOTO) -> str:
    """A stored photo document, as the upload route leaves it, a second after the previous one."""
    world.ports.clock.current += timedelta(seconds=1)
    media = MediaObject(
        id=new_id(),
        kind=kind,
        subject_id=booking.id,
        uploaded_by=world.workers[0].user_id,
        content_type=ContentType.JPEG,
        bytes=1000,
        width=10,
        height=10,
        key=f"walk/{new_id()}.jpg",
        created_at=world.ports.clock.now(),
    )
    await world.ports.store.media.add(media)
    return media.id


async def _complete(world: World, booking: Booking) -> Booking:
    return await complete_booking(world.ports, as_worker(world.workers[0]), booking.id, CompleteInput())


async def test_photos_taken_on_the_walk_are_listed_at_completion(world: World) -> None:
    walking = await _walking(world)
    first = await _photo(world, walking)
    second = await _photo(world, walking)

    done = await _complete(world, walking)

    assert done.completion_details is not None and done.completion_details.photos == [first, second]
    stored = await world.ports.store.bookings.get(walking.id)
    assert stored is not None and stored == done
    # What the booking events carry is the booking with its photos.
    assert world.published[-1].booking == done


async def test_a_walk_without_photos_lists_none(world: World) -> None:
    done = await _complete(world, await _walking(world))

    assert done.completion_details is not None and done.completion_details.photos == []


async def test_a_photo_added_after_completion_is_listed_after_the_others(world: World) -> None:
    walking = await _walking(world)
    during = await _photo(world, walking)
    done = await _complete(world, walking)
    late = await _photo(world, walking)

    updated = await attach_walk_photos(world.ports, done)

    assert updated.completion_details is not None and updated.completion_details.photos == [during, late]
    assert updated.updated_at == world.ports.clock.now()
    assert await world.ports.store.bookings.get(walking.id) == updated


async def test_a_photo_the_completion_missed_is_caught_up_by_whoever_writes_next(world: World) -> None:
    walking = await _walking(world)
    done = await _complete(world, walking)
    # As if an upload stored its photo after the completion read them, and read the booking before it completed.
    missed = await _photo(world, walking)
    await _photo(world, walking, MediaKind.PET_PHOTO)
    stale = await world.ports.store.bookings.get(walking.id)
    assert stale is not None and stale.completion_details is not None and stale.completion_details.photos == []

    caught_up = await attach_walk_photos(world.ports, stale)

    assert caught_up.completion_details is not None and caught_up.completion_details.photos == [missed]
    # Once complete, a further call writes nothing.
    assert await attach_walk_photos(world.ports, caught_up) is caught_up
    assert done.status is BookingStatus.COMPLETED


async def test_a_walk_in_progress_is_left_alone(world: World) -> None:
    walking = await _walking(world)
    await _photo(world, walking)

    assert await attach_walk_photos(world.ports, walking) is walking
    stored = await world.ports.store.bookings.get(walking.id)
    assert stored is not None and stored.completion_details is None
