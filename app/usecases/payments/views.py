"""Reading payments: one payment, and pages of them, as each party may see them."""

from __future__ import annotations

from typing import Any, Protocol

from pydantic import Field

from app.auth.principal import Principal
from app.domain.base import Timestamp
from app.domain.money import MinorAmount
from app.domain.payment_events import PaymentStatus
from app.domain.payments import Payment
from app.domain.users import Role
from app.errors import Forbidden, NotFound
from app.store.store import Store
from app.usecases.businesses import may_manage
from app.usecases.inputs import Output, PageNumber, PageSize, QueryInput


class ViewPorts(Protocol):
    @property
    def store(self) -> Store: ...


class PaymentQuery(QueryInput):
    status: PaymentStatus | None = None
    booking_id: str | None = Field(default=None, max_length=64)
    page: PageNumber = 1
    limit: PageSize = 20


class RefundView(Output):
    id: str
    amount: MinorAmount
    reason: str
    status: str
    at: Timestamp


class PaymentView(Output):
    id: str
    booking_id: str
    business_id: str
    owner_id: str
    intent_id: str
    amount: MinorAmount
    application_fee: MinorAmount
    currency: str
    status: PaymentStatus
    authorized_amount: MinorAmount
    captured_amount: MinorAmount
    refunded_amount: MinorAmount
    # What the platform keeps and what the business is paid, of what was captured and not refunded.
    platform_fee: MinorAmount
    payout: MinorAmount
    refunds: list[RefundView]
    last_error: str | None
    created_at: Timestamp
    updated_at: Timestamp

    @classmethod
    def of(cls, payment: Payment) -> PaymentView:
        return cls(
            id=payment.id,
            booking_id=payment.booking_id,
            business_id=payment.business_id,
            owner_id=payment.owner_id,
            intent_id=payment.intent_id,
            amount=payment.amount,
            application_fee=payment.application_fee,
            currency=payment.currency,
            status=payment.status,
            authorized_amount=payment.authorized_amount,
            captured_amount=payment.captured_amount,
            refunded_amount=payment.refunded_amount,
            platform_fee=payment.platform_fee,
            payout=payment.payout,
            refunds=[RefundView.model_validate(r.model_dump()) for r in payment.refunds],
            last_error=payment.last_error,
            created_at=payment.created_at,
            updated_at=payment.updated_at,
        )


async def _business_of(ports: ViewPorts, principal: Principal) -> str | None:
    if principal.business_id:
        return principal.business_id
    user = await ports.store.users.get(principal.user_id)
    return user.business_id if user else None


async def visible(ports: ViewPorts, principal: Principal, payment_id: str) -> Payment:
    """The payment, when the caller may see it: its owner, the business it pays, or an admin."""
    payment = await ports.store.payments.get(payment_id)
    if payment is None:
        raise NotFound("no such payment")
    if principal.is_admin or (principal.role is Role.OWNER and payment.owner_id == principal.user_id):
        return payment
    if principal.role is Role.BUSINESS and may_manage(principal, await ports.store.businesses.get(payment.business_id)):
        return payment
    raise NotFound("no such payment")


async def get_payment(ports: ViewPorts, principal: Principal, payment_id: str) -> PaymentView:
    return PaymentView.of(await visible(ports, principal, payment_id))


async def list_payments(ports: ViewPorts, principal: Principal, query: PaymentQuery) -> tuple[list[PaymentView], int]:
    where: dict[str, Any] = {}
    if principal.role is Role.OWNER:
        where["ownerId"] = principal.user_id
    elif principal.role is Role.BUSINESS:
        where["businessId"] = await _business_of(ports, principal) or "-"
    elif not principal.is_admin:
        raise Forbidden("payments are seen by owners, businesses and admins")
    if query.status is not None:
        where["status"] = query.status.value
    if query.booking_id is not None:
        where["bookingId"] = query.booking_id
    items, total = await ports.store.payments.page(where, skip=(query.page - 1) * query.limit, limit=query.limit)
    return [PaymentView.of(p) for p in items], total
