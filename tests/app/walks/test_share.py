"""Share link rules: unguessable tokens, stored hashed, alive until expiry, revocation, or an hour after the walk."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from app.domain.bookings import Booking, BookingLocation, BookingStatus
from app.walks.share import AFTER_WALK, ShareLink, new_token, token_hash

T0 = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)


def booking(status: BookingStatus, completed_at: datetime | None = None) -> Booking:
    return Booking(
        id="b1",
        booking_number="WK-22222222",
        owner_id="o1",
        watcher_ids=["o1"],
        pet_ids=["p1"],
        service_type="walking",
        status=status,
        asap=False,
        scheduled_at=T0,
        duration=60,
        ends_at=T0 + timedelta(hours=1),
        location=BookingLocation(coordinates=(2.35, 48.85)),
        completed_at=completed_at,
        created_at=T0,
        updated_at=T0,
    )


def link(expires_in: timedelta) -> ShareLink:
    return ShareLink(id="h", booking_id="b1", created_by="o1", created_at=T0, expires_at=T0 + expires_in)


def test_tokens_are_long_random_and_hashed() -> None:
    tokens = {new_token() for _ in range(100)}
    assert len(tokens) == 100 and all(len(t) >= 43 for t in tokens)
    token = tokens.pop()
    assert token_hash(token) == token_hash(token) and token not in token_hash(token)
    assert len(token_hash(token)) == 64


def test_a_link_lives_until_its_expiry() -> None:
    walk = booking(BookingStatus.IN_PROGRESS)
    assert link(timedelta(hours=2)).alive(walk, T0 + timedelta(minutes=119))
    assert not link(timedelta(hours=2)).alive(walk, T0 + timedelta(hours=2))


def test_a_link_dies_an_hour_after_the_walk_and_with_a_cancellation() -> None:
    ended = T0 + timedelta(minutes=30)
    done = booking(BookingStatus.COMPLETED, completed_at=ended)
    assert link(timedelta(hours=24)).ends_at(done) == ended + AFTER_WALK
    assert link(timedelta(hours=24)).alive(done, ended + AFTER_WALK - timedelta(seconds=1))
    assert not link(timedelta(hours=24)).alive(done, ended + AFTER_WALK)
    assert not link(timedelta(hours=24)).alive(booking(BookingStatus.CANCELLED), T0)


def test_a_revoked_link_is_dead() -> None:
    revoked = link(timedelta(hours=2)).model_copy(update={"revoked_at": T0})
    assert not revoked.alive(booking(BookingStatus.IN_PROGRESS), T0)
