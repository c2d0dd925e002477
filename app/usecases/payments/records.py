"""The payment record's changes: compare-and-set on its `version`, joins into its lattice, and the
notifications each change announces (to the owner, and the payout to the business)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Protocol

from app.clock import Clock
from app.domain.money import is_zero_decimal
from app.domain.payment_events import PaymentStage, PaymentState, PaymentStatus
from app.domain.payments import Payment, state_fields
from app.errors import Conflict, NotFound
from app.events import EventPublisher
from app.messages.rendering.facts import MessageFacts
from app.settings import Settings
from app.store.store import Store
from app.usecases.message_facts import booking_facts
from app.usecases.notifications import notify

MAX_CAS_ATTEMPTS = 20


class Waker(Protocol):
    """The outbox relay, as far as `notify` uses it: woken when deliveries were enqueued."""

    def wake(self) -> None: ...


class RecordPorts(Protocol):
    """What changing a record reads; `events` and `outbox_relay` are what `notify` reads besides.

    `notify` (and `owned_business` in onboarding) still take `Services` on this branch: their calls carry
    `type: ignore[arg-type]` until they take ports, when mypy's unused-ignore check points at each one."""

    @property
    def store(self) -> Store: ...
    @property
    def clock(self) -> Clock: ...
    @property
    def events(self) -> EventPublisher: ...
    @property
    def outbox_relay(self) -> Waker: ...
    @property
    def settings(self) -> Settings: ...


Change = Callable[[Payment], tuple[dict[str, Any], dict[str, Any] | None] | None]
"""The fields to set (and an entry to push) computed from the record as read; None when nothing changes."""


def format_amount(amount: int, currency: str) -> str:
    if is_zero_decimal(currency):
        return f"{amount} {currency.upper()}"
    return f"{amount // 100}.{amount % 100:02d} {currency.upper()}"


async def update(ports: RecordPorts, payment: Payment, change: Change) -> Payment:
    """Compare-and-set `change` onto the record (re-read and recomputed when another writer won)."""
    current = payment
    for _ in range(MAX_CAS_ATTEMPTS):
        delta = change(current)
        if delta is None:
            return current
        fields, push = delta
        updated = await ports.store.payments.update_if_version(current, fields, ports.clock.now(), push)
        if updated is not None:
            await _announce(ports, current, updated)
            return updated
        reread = await ports.store.payments.get(payment.id)
        if reread is None:
            raise NotFound("no such payment")
        current = reread
    raise Conflict("the payment is changing too fast; try again")


async def join(
    ports: RecordPorts, payment: Payment, state: PaymentState, extra: Mapping[str, Any] | None = None
) -> Payment:
    """Join what we learnt into the record; `extra` fields are written along with a change."""

    def change(current: Payment) -> tuple[dict[str, Any], None] | None:
        joined = current.state.join(state)
        fields: dict[str, Any] = {**state_fields(joined), **(extra or {})}
        doc = current.to_doc()
        if all(doc.get(key) == value for key, value in fields.items()):
            return None
        return fields, None

    return await update(ports, payment, change)


async def note_error(ports: RecordPorts, payment: Payment, message: str) -> Payment:
    def change(current: Payment) -> tuple[dict[str, Any], None] | None:
        return None if current.last_error == message else ({"lastError": message}, None)

    return await update(ports, payment, change)


async def _facts(ports: RecordPorts, payment: Payment, **amounts: int | str | None) -> MessageFacts | None:
    """The booking's facts with the payment's amounts (a receipt names them), in the payment's currency."""
    booking = await ports.store.bookings.get(payment.booking_id)
    if booking is None:
        return None
    return await booking_facts(ports.store, booking, currency=payment.currency, **amounts)


async def _announce(ports: RecordPorts, before: Payment, after: Payment) -> None:
    """Payment events become notifications: to the owner, and the payout to the business."""
    currency = after.currency
    data = {"paymentId": after.id, "bookingId": after.booking_id, "status": after.status.value}
    if after.status is not before.status:
        message: tuple[str, str, str] | None = None
        match after.status:
            case PaymentStatus.REQUIRES_CAPTURE:
                message = (
                    "payment.authorized",
                    "Payment authorised",
                    f"{format_amount(after.authorized_amount, currency)} is reserved on your card; "
                    "you are charged when the booking is completed.",
                )
            case PaymentStatus.SUCCEEDED:
                message = (
                    "payment.captured",
                    "Payment captured",
                    f"You were charged {format_amount(after.captured_amount, currency)}.",
                )
            case PaymentStatus.FAILED:
                message = ("payment.failed", "Payment failed", after.last_error or "Your payment did not go through.")
            case PaymentStatus.CANCELED:
                message = ("payment.canceled", "Payment released", "The reserved amount was released: no charge.")
        if message is not None:
            kind, title, text = message
            charged = after.captured_amount if kind == "payment.captured" else after.authorized_amount or after.amount
            about = await _facts(
                ports,
                after,
                total=charged,
                fee=after.fee_on_capture if kind == "payment.captured" else after.application_fee,
                reason=after.last_error,
            )
            await notify(ports, [after.owner_id], kind=kind, title=title, message=text, data=data, about=about)
        if after.state.stage is PaymentStage.SUCCEEDED and before.state.stage is not PaymentStage.SUCCEEDED:
            business = await ports.store.businesses.get(after.business_id)
            if business is not None:
                await notify(
                    ports,
                    [business.owner_id],
                    kind="payment.payout",
                    title="Payment received",
                    message=f"You will be paid {format_amount(after.payout, currency)} for this booking.",
                    data={**data, "payout": after.payout},
                    about=await _facts(
                        ports, after, total=after.captured_amount, fee=after.fee_on_capture, payout=after.payout
                    ),
                )
    if after.refunded_amount > before.refunded_amount:
        refunded = after.refunded_amount - before.refunded_amount
        await notify(
            ports,
            [after.owner_id],
            kind="payment.refunded",
            title="Refund issued",
            message=f"{format_amount(refunded, currency)} is on its way back to your card.",
            data={**data, "refundedAmount": after.refunded_amount},
            about=await _facts(ports, after, total=after.captured_amount or after.amount, refund=refunded),
        )
