"""The booking events bus: handlers of an event run in subscription order, and one that raises is
logged without stopping the others."""

from __future__ import annotations

from datetime import UTC, datetime

from structlog.testing import capture_logs

from app.booking_events import BookingCreated, BookingEvents, BookingFinished, WalkStarted
from app.domain.bookings import Booking, BookingLocation, BookingStatus
from app.domain.services import ServiceType

NOW = datetime(2030, 5, 1, 9, 0, tzinfo=UTC)


def booking() -> Booking:
    return Booking(
        id="b1",
        booking_number="WK-000001",
        owner_id="owner",
        watcher_ids=["owner"],
        pet_ids=["pet"],
        service_type=ServiceType.WALKING,
        status=BookingStatus.COMPLETED,
        asap=False,
        scheduled_at=NOW,
        duration=60,
        ends_at=NOW,
        location=BookingLocation(coordinates=(2.35, 48.85)),
        created_at=NOW,
        updated_at=NOW,
    )


async def test_handlers_run_in_subscription_order_and_a_failure_stops_none() -> None:
    bus = BookingEvents()
    calls: list[str] = []

    async def first(event: BookingFinished) -> None:
        calls.append("first")

    async def broken(event: BookingFinished) -> None:
        calls.append("broken")
        raise RuntimeError("boom")

    async def last(event: BookingFinished) -> None:
        calls.append(f"last:{event.booking.id}")

    bus.subscribe(BookingFinished, first)
    bus.subscribe(BookingFinished, broken)
    bus.subscribe(BookingFinished, last)

    with capture_logs() as logs:
        await bus.publish(BookingFinished(booking()))

    assert calls == ["first", "broken", "last:b1"]
    [failure] = [entry for entry in logs if entry["log_level"] == "error"]
    assert failure["event"] == "booking event handler failed"
    assert failure["booking_id"] == "b1" and failure["booking_event"] == "BookingFinished"
    assert failure["handler"].endswith("broken")
    assert failure["exc_info"] is True


async def test_only_the_handlers_of_that_event_type_run() -> None:
    bus = BookingEvents()
    seen: list[str] = []

    async def on_created(event: BookingCreated) -> None:
        seen.append("created")

    async def on_started(event: WalkStarted) -> None:
        seen.append("started")

    bus.subscribe(BookingCreated, on_created)
    bus.subscribe(WalkStarted, on_started)

    await bus.publish(WalkStarted(booking()))
    await bus.publish(BookingFinished(booking()))

    assert seen == ["started"]


def test_a_handler_must_take_its_event_type() -> None:
    async def on_started(event: WalkStarted) -> None:
        return None

    bus = BookingEvents()
    # mypy --strict reports an unused ignore, so this line checks that the mismatch is a type error.
    bus.subscribe(BookingFinished, on_started)  # type: ignore[arg-type]
