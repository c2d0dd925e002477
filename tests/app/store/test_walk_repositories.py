"""Walk repositories on every adapter: events in time order, once-only alerts, share links, walkers on the way."""

from __future__ import annotations

from datetime import timedelta

from app.domain.base import iso
from app.domain.bookings import Booking, BookingLocation, BookingStatus
from app.domain.services import ServiceType
from app.store.store import Store
from app.walks.share import ShareLink
from app.walks.walk_events import WalkEvent, WalkEventType
from tests.app.marketplace import NOW


def event(event_id: str, minutes: int, type_: WalkEventType = WalkEventType.PEE) -> WalkEvent:
    return WalkEvent(
        id=event_id,
        booking_id="b1",
        worker_id="w1",
        type=type_,
        coordinates=(2.35, 48.85),
        at=NOW + timedelta(minutes=minutes),
        created_at=NOW,
    )


def booking(booking_id: str, status: BookingStatus) -> Booking:
    return Booking(
        id=booking_id,
        booking_number=f"WK-{booking_id.upper():0>8}",
        owner_id="o1",
        watcher_ids=["o1"],
        pet_ids=["p1"],
        service_type=ServiceType.WALKING,
        worker_id="w1",
        status=status,
        asap=False,
        scheduled_at=NOW,
        duration=60,
        ends_at=NOW + timedelta(hours=1),
        location=BookingLocation(coordinates=(2.35, 48.85)),
        created_at=NOW,
        updated_at=NOW,
    )


async def test_walk_events_come_back_oldest_first(store: Store) -> None:
    await store.walk_events.add(event("e2", 5, WalkEventType.POO))
    await store.walk_events.add(event("e1", 1))
    assert [e.id for e in await store.walk_events.of_booking("b1")] == ["e1", "e2"]
    assert await store.walk_events.count("b1") == 2
    assert await store.walk_events.of_booking("other") == []


async def test_an_alert_is_claimed_once(store: Store) -> None:
    assert await store.walk_alerts.claim("arrived.b1")
    assert not await store.walk_alerts.claim("arrived.b1")
    assert await store.walk_alerts.claim("arrived.b2")


async def test_share_links_are_revoked_once_and_only_for_their_booking(store: Store) -> None:
    link = ShareLink(id="hash1", booking_id="b1", created_by="o1", created_at=NOW, expires_at=NOW + timedelta(hours=1))
    await store.share_links.add(link)
    assert await store.share_links.get("hash1") == link
    assert not await store.share_links.revoke("hash1", "b2", NOW)
    assert await store.share_links.revoke("hash1", "b1", NOW)
    assert not await store.share_links.revoke("hash1", "b1", NOW)
    revoked = await store.share_links.get("hash1")
    assert revoked is not None and revoked.revoked_at == NOW


async def test_on_my_way_is_set_once_on_a_confirmed_booking(store: Store) -> None:
    await store.bookings.add(booking("b1", BookingStatus.CONFIRMED))
    await store.bookings.add(booking("b2", BookingStatus.PENDING))
    assert await store.bookings.on_the_way() == []
    assert await store.bookings.mark_on_my_way("b1", "other-worker", iso(NOW)) is None
    marked = await store.bookings.mark_on_my_way("b1", "w1", iso(NOW))
    assert marked is not None and marked.on_my_way_at == NOW
    assert await store.bookings.mark_on_my_way("b1", "w1", iso(NOW)) is None
    assert await store.bookings.mark_on_my_way("b2", "w1", iso(NOW)) is None
    assert [b.id for b in await store.bookings.on_the_way()] == ["b1"]


async def test_a_walk_file_is_kept_once(store: Store) -> None:
    assert await store.walk_files.get("b1", "gpx") is None
    await store.walk_files.keep("b1", "gpx", "<gpx/>")
    await store.walk_files.keep("b1", "gpx", "<gpx>late</gpx>")
    assert await store.walk_files.get("b1", "gpx") == "<gpx/>"
