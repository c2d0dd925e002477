"""The payment use cases on their ports alone: a tiny ports object (the offline gateway, a SQLite store, a fixed
clock, recorders where notifications leave), and payments and bookings in the states the lifecycle leaves."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from app.domain.bookings import Booking, BookingLocation, BookingStatus, Cancellation
from app.domain.payment_events import PaymentStatus, state_of_intent
from app.domain.payments import Payment
from app.domain.services import ServiceType
from app.payments.offline_gateway import OfflineGateway
from app.settings import Settings
from app.store.store import Store
from app.usecases.payments.records import join
from tests.support.clocks import T0, MovableClock

AMOUNT = 4000
FEE = 400
BUSINESS_ID = "biz1"
OWNER_ID = "owner1"


@dataclass
class RecordingEvents:
    emitted: list[tuple[str, dict[str, Any], str]] = field(default_factory=list)

    async def emit(self, event: str, data: dict[str, Any], *, room: str) -> None:
        self.emitted.append((event, data, room))


@dataclass
class CountingRelay:
    wakes: int = 0

    def wake(self) -> None:
        self.wakes += 1


@dataclass
class Ports:
    """Exactly what `SettlementPorts` names (it covers refunds, intents and records)."""

    settings: Settings
    store: Store
    clock: MovableClock
    payment_gateway: OfflineGateway
    events: RecordingEvents
    outbox_relay: CountingRelay

    def notified(self) -> list[str]:
        """The kinds of the notifications emitted so far, in order."""
        return [data["type"] for event, data, _ in self.events.emitted if event == "notification"]


def booking(booking_id: str, status: BookingStatus, *, refund_amount: int | None = None, by: str = OWNER_ID) -> Booking:
    """A booking as the lifecycle leaves it; `refund_amount` makes it a cancellation with that policy."""
    cancellation = None
    if refund_amount is not None:
        cancellation = Cancellation(reason="plans changed", by=by, role="owner", at=T0, refund_amount=refund_amount)
    return Booking(
        id=booking_id,
        booking_number="B-1",
        owner_id=OWNER_ID,
        watcher_ids=[OWNER_ID],
        pet_ids=["pet1"],
        service_type=ServiceType.WALKING,
        business_id=BUSINESS_ID,
        status=status,
        asap=False,
        scheduled_at=T0 + timedelta(days=1),
        duration=60,
        ends_at=T0 + timedelta(days=1, hours=1),
        location=BookingLocation(coordinates=(2.35, 48.85)),
        cancellation=cancellation,
        created_at=T0,
        updated_at=T0,
    )


async def authorized(ports: Ports, booking_id: str, amount: int = AMOUNT, fee: int = FEE) -> Payment:
    """A payment whose card is authorised for `amount` (what `create_intent` leaves), with no notification."""
    intent = await ports.payment_gateway.create_payment_intent(
        booking_id, amount=amount, currency="eur", application_fee=fee, destination_account=f"acct_{BUSINESS_ID}"
    )
    now = ports.clock.now()
    pending = Payment(
        id=f"pay_{booking_id}",
        booking_id=booking_id,
        business_id=BUSINESS_ID,
        owner_id=OWNER_ID,
        intent_id=intent.id,
        amount=amount,
        application_fee=fee,
        currency="eur",
        status=PaymentStatus.PENDING,
        created_at=now,
        updated_at=now,
    )
    await ports.store.payments.add(pending)
    payment = await join(ports, pending, state_of_intent(intent))
    ports.events.emitted.clear()
    return payment


async def captured(ports: Ports, booking_id: str, amount: int = AMOUNT, fee: int = FEE) -> Payment:
    """A payment whose authorisation was captured in full (what completion leaves), with no notification."""
    payment = await authorized(ports, booking_id, amount, fee)
    intent = await ports.payment_gateway.capture(
        payment.intent_id, booking_id, amount_to_capture=None, application_fee=None
    )
    payment = await join(ports, payment, state_of_intent(intent), {"capturedFee": fee})
    ports.events.emitted.clear()
    return payment
