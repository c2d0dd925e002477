"""Refunds: asked of the gateway under a key derived from our ids, never above what was captured and not yet
refunded (nor reserved by a refund still on its way), by the business, an admin, or a cancellation's policy."""

from __future__ import annotations

from typing import Annotated, Any, Protocol

from pydantic import Field

from app.auth.principal import Principal
from app.domain.money import MINOR_UNITS
from app.domain.payment_events import PaymentState
from app.domain.payments import Payment, RefundEntry, state_fields
from app.domain.users import Role
from app.errors import AppError, Conflict, Forbidden, ValidationFailed
from app.ids import new_id
from app.payments.gateway import PaymentGateway
from app.usecases.idempotency import fingerprint
from app.usecases.inputs import MAX_AMOUNT, Input, Text
from app.usecases.payments.records import RecordPorts, update
from app.usecases.payments.views import PaymentView, visible

# Any positive amount: Stripe refunds partially down to one minor unit; its minimum binds charges, not refunds.
Amount = Annotated[int, Field(strict=True, ge=1, le=MAX_AMOUNT)]


class RefundPorts(RecordPorts, Protocol):
    @property
    def payment_gateway(self) -> PaymentGateway: ...


class RefundInput(Input):
    amount: Amount | None = Field(
        default=None,
        description=f"What to refund, {MINOR_UNITS}; any positive amount up to what is refundable. "
        "Omitted: everything captured and not yet refunded",
    )
    reason: Text = Field(min_length=1, max_length=500)


async def refund(
    ports: RefundPorts, payment: Payment, amount: int, *, reason: str, key: str, by: str | None, role: str
) -> Payment:
    """Refund `amount` of what was captured: reserved on the record first, so concurrent refunds can never
    add up to more than was captured, then asked of the gateway under a key derived from our ids."""

    def reserve(current: Payment) -> tuple[dict[str, Any], None]:
        if current.refundable == 0:
            raise Conflict("nothing captured is left to refund")
        if amount > current.refundable:
            raise ValidationFailed(
                f"at most {current.refundable} can be refunded (captured minus refunded)",
                [{"field": "body.amount", "message": f"at most {current.refundable}", "type": "less_than_equal"}],
            )
        return {"reservedRefund": current.reserved_refund + amount}, None

    def release(current: Payment) -> tuple[dict[str, Any], None]:
        return {"reservedRefund": max(0, current.reserved_refund - amount)}, None

    payment = await update(ports, payment, reserve)
    try:
        answer = await ports.payment_gateway.refund(
            payment.intent_id, payment.booking_id, amount=amount, reason=reason, refund_key=key
        )
    except AppError:
        await update(ports, payment, release)
        raise
    entry = RefundEntry(
        id=answer.id,
        key=key,
        amount=answer.amount,
        reason=reason,
        by=by,
        role=role,
        status=answer.status.value,
        at=ports.clock.now(),
    )

    def record(current: Payment) -> tuple[dict[str, Any], dict[str, Any] | None]:
        known = any(r.id == entry.id for r in current.refunds)
        ours = sum(r.amount for r in current.refunds) + (0 if known else entry.amount)
        # A `charge.refunded` webhook may already have counted this refund: the running totals are joined.
        joined = current.state.join(PaymentState(amount_refunded=ours))
        fields = {**state_fields(joined), **release(current)[0]}
        return fields, None if known else {"refunds": entry.model_dump(mode="json", by_alias=True)}

    return await update(ports, payment, record)


async def refund_payment(
    ports: RefundPorts, principal: Principal, payment_id: str, data: RefundInput, idempotency_key: str | None
) -> PaymentView:
    """A refund by the business or an admin, never above what was captured and not yet refunded."""
    payment = await visible(ports, principal, payment_id)
    if not principal.is_admin and principal.role is not Role.BUSINESS:
        raise Forbidden("refunds are made by the business or an admin")
    amount = data.amount if data.amount is not None else payment.refundable
    if amount == 0:
        raise Conflict("nothing captured is left to refund")
    # Keyed by the client's Idempotency-Key when given, so our own retry after a crash maps to the same refund.
    key = f"manual-{fingerprint([principal.user_id, idempotency_key])[:32]}" if idempotency_key else new_id()
    refunded = await refund(
        ports, payment, amount, reason=data.reason, key=key, by=principal.user_id, role=principal.role.value
    )
    return PaymentView.of(refunded)
