"""The booking lifecycle's money side on its ports: capture on completion, the cancellation's refund policy
(release, partial capture with the fee scaled, or refund), each applied once, and failures kept for a retry."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from app.booking_events import BookingFinished
from app.domain.bookings import BookingStatus
from app.domain.payment_events import Intent, PaymentStatus
from app.errors import Unavailable
from app.payments.offline_gateway import OfflineGateway
from app.usecases.payments.settlement import (
    CANCELLATION_REFUND_KEY,
    PaymentsListener,
    settle_booking,
    settlement_retried,
)
from tests.app.usecases.payments.helpers import AMOUNT, FEE, OWNER_ID, Ports, authorized, booking, captured


async def test_completion_captures_the_authorised_amount_once(ports: Ports) -> None:
    await authorized(ports, "b1")
    done = booking("b1", BookingStatus.COMPLETED)
    payment = await settle_booking(ports, done)
    assert payment is not None
    assert (payment.status, payment.captured_amount, payment.captured_fee) == (PaymentStatus.SUCCEEDED, AMOUNT, FEE)
    assert (payment.platform_fee, payment.payout) == (FEE, AMOUNT - FEE)
    again = await settle_booking(ports, done)
    assert again is not None
    assert (again.version, again.captured_amount) == (payment.version, AMOUNT)
    assert ports.notified() == ["payment.captured"]


async def test_a_booking_without_a_payment_has_nothing_to_settle(ports: Ports) -> None:
    assert await settle_booking(ports, booking("b1", BookingStatus.COMPLETED)) is None
    assert await settle_booking(ports, booking("b1", BookingStatus.CANCELLED, refund_amount=AMOUNT)) is None


async def test_a_cancellation_refunding_everything_before_capture_releases_the_authorisation(ports: Ports) -> None:
    await authorized(ports, "b1")
    payment = await settle_booking(ports, booking("b1", BookingStatus.CANCELLED, refund_amount=AMOUNT))
    assert payment is not None
    assert (payment.status, payment.captured_amount, payment.payout) == (PaymentStatus.CANCELED, 0, 0)
    assert ports.notified() == ["payment.canceled"]


async def test_a_cancellation_refunding_part_before_capture_captures_the_rest_with_its_fee_share(
    ports: Ports,
) -> None:
    await authorized(ports, "b1")
    payment = await settle_booking(ports, booking("b1", BookingStatus.CANCELLED, refund_amount=1000))
    assert payment is not None
    # The owner still owes 3000 of 4000: the fee is scaled to that part, 300 of 400.
    assert (payment.status, payment.captured_amount, payment.captured_fee) == (PaymentStatus.SUCCEEDED, 3000, 300)
    assert (payment.platform_fee, payment.payout, payment.refunds) == (300, 2700, [])


async def test_a_cancellation_without_a_stored_policy_refunds_everything(ports: Ports) -> None:
    await authorized(ports, "b1")
    payment = await settle_booking(ports, booking("b1", BookingStatus.CANCELLED))
    assert payment is not None
    assert payment.status is PaymentStatus.CANCELED


async def test_a_cancellation_after_capture_refunds_the_policys_amount_once(ports: Ports) -> None:
    await captured(ports, "b1")
    cancelled = booking("b1", BookingStatus.CANCELLED, refund_amount=1500, by=OWNER_ID)
    payment = await settle_booking(ports, cancelled)
    assert payment is not None
    assert (payment.status, payment.refunded_amount) == (PaymentStatus.PARTIALLY_REFUNDED, 1500)
    assert [(r.key, r.amount, r.by, r.reason) for r in payment.refunds] == [
        (CANCELLATION_REFUND_KEY, 1500, OWNER_ID, "cancellation: plans changed")
    ]
    # Settled again (the retry job after a crash): the same refund under the same key, not a second one.
    again = await settle_booking(ports, cancelled)
    assert again is not None
    assert (again.refunded_amount, len(again.refunds)) == (1500, 1)
    assert ports.notified() == ["payment.refunded"]


async def test_a_cancellation_refund_is_capped_by_what_is_left_to_refund(ports: Ports) -> None:
    await captured(ports, "b1", amount=1000, fee=100)
    payment = await settle_booking(ports, booking("b1", BookingStatus.CANCELLED, refund_amount=5000))
    assert payment is not None
    assert (payment.status, payment.refunded_amount) == (PaymentStatus.REFUNDED, 1000)


@dataclass
class UnreachableOnCapture(OfflineGateway):
    """The offline gateway, unreachable for its first `failures` captures."""

    failures: int = 1

    async def capture(
        self, intent_id: str, booking_id: str, *, amount_to_capture: int | None, application_fee: int | None
    ) -> Intent:
        if self.failures > 0:
            self.failures -= 1
            raise Unavailable("the payment provider did not answer")
        return await super().capture(
            intent_id, booking_id, amount_to_capture=amount_to_capture, application_fee=application_fee
        )


async def test_a_failed_settlement_is_kept_for_a_retry_then_cleared_when_it_goes_through(ports: Ports) -> None:
    ports.payment_gateway = UnreachableOnCapture()
    await authorized(ports, "b1")
    done = booking("b1", BookingStatus.COMPLETED)
    # The listener never raises: the booking's transition is already committed.
    await PaymentsListener(ports).finished(BookingFinished(done))
    failed = await ports.store.payments.for_booking("b1")
    assert failed is not None
    assert failed.last_error == "on completed: the payment provider did not answer"
    assert (failed.captured_amount, failed.settle_attempts) == (0, 1)
    assert failed.settle_retry_at == ports.clock.now() + timedelta(minutes=1)
    settled = await settle_booking(ports, done)
    assert settled is not None
    cleared = await settlement_retried(ports, settled, failed.last_error)
    assert (cleared.captured_amount, cleared.settle_attempts, cleared.settle_retry_at) == (AMOUNT, 0, None)
    assert cleared.last_error is None
