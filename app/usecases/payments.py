"""Payment use cases: payout onboarding, paying for a booking, reading payments, refunds, and the booking
lifecycle's money side (capture on completion, the policy's refund on cancellation).

Money model: destination charges on Stripe Connect. The owner's card is authorised when they pay
(`capture_method=manual`); completion captures it, the platform keeps the application fee and the business is
paid the rest. A cancellation executes the `refundAmount` the booking stored at cancel time:
- nothing captured yet and everything refunded: cancel the intent (the authorisation is released);
- nothing captured yet and part refunded: capture only the part the owner still owes, with the application
  fee scaled to that part;
- already captured: refund with the gateway, never more than was captured and not yet refunded.

Every change to a payment record is a compare-and-set on its `version`, and every state we learn (from the
gateway's answers or from webhooks, in any order) is joined into the record's payment lattice
(`app.payments.events`), so the record only moves forward.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Annotated, Any

import structlog
from pydantic import Field

from app.auth.principal import Principal
from app.booking_events import BookingFinished
from app.clock import iso
from app.composition import Services
from app.domain.base import Timestamp
from app.domain.bookings import Booking, BookingStatus
from app.domain.businesses import Business
from app.domain.money import is_zero_decimal
from app.domain.payments import (
    Payment,
    PayoutAccount,
    RefundEntry,
    next_settlement_try,
    proportional,
    state_fields,
    state_of_intent,
)
from app.domain.users import Role
from app.errors import AppError, Conflict, Forbidden, NotFound, ValidationFailed
from app.ids import new_id
from app.payments.events import (
    AccountUpdated,
    PaymentAttemptFailed,
    PaymentEvent,
    PaymentStage,
    PaymentState,
    PaymentStatus,
    reduce_payment_status,
)
from app.payments.gateway import Intent, IntentStatus
from app.store.payments import PaymentExists
from app.usecases.businesses import may_manage, owned_business
from app.usecases.idempotency import fingerprint
from app.usecases.inputs import MAX_AMOUNT, Input, Output, PageNumber, PageSize, QueryInput, Text
from app.usecases.notifications import notify

log = structlog.get_logger(__name__)

MAX_CAS_ATTEMPTS = 20
PAYABLE_STATUSES = (BookingStatus.PENDING, BookingStatus.CONFIRMED)
# Offline there is no onboarding form: the connected account is created for this country.
OFFLINE_COUNTRY = "US"
CANCELLATION_REFUND_KEY = "cancellation"
_RELEASABLE = frozenset(
    {IntentStatus.REQUIRES_PAYMENT_METHOD, IntentStatus.REQUIRES_CONFIRMATION, IntentStatus.REQUIRES_ACTION}
)

Amount = Annotated[int, Field(strict=True, ge=1, le=MAX_AMOUNT)]


class IntentInput(Input):
    booking_id: str = Field(min_length=1, max_length=64)


class RefundInput(Input):
    # Omitted: everything captured and not yet refunded.
    amount: Amount | None = None
    reason: Text = Field(min_length=1, max_length=500)


class OnboardingInput(Input):
    # ISO 3166-1 alpha-2 country of the business's bank account; defaults to the business address's.
    country: str | None = Field(default=None, pattern=r"^[A-Za-z]{2}$")
    refresh_url: str | None = Field(default=None, min_length=1, max_length=2000)
    return_url: str | None = Field(default=None, min_length=1, max_length=2000)


class PaymentQuery(QueryInput):
    status: PaymentStatus | None = None
    booking_id: str | None = Field(default=None, max_length=64)
    page: PageNumber = 1
    limit: PageSize = 20


class IntentView(Output):
    payment_id: str
    payment_intent_id: str
    client_secret: str
    amount: int
    application_fee: int
    currency: str
    status: PaymentStatus


class RefundView(Output):
    id: str
    amount: int
    reason: str
    status: str
    at: Timestamp


class PaymentView(Output):
    id: str
    booking_id: str
    business_id: str
    owner_id: str
    intent_id: str
    amount: int
    application_fee: int
    currency: str
    status: PaymentStatus
    authorized_amount: int
    captured_amount: int
    refunded_amount: int
    # What the platform keeps and what the business is paid, of what was captured and not refunded.
    platform_fee: int
    payout: int
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


class PayoutView(Output):
    business_id: str
    account_id: str | None
    charges_enabled: bool
    payouts_enabled: bool
    details_submitted: bool
    # True on the embedded default: no money moves and payments need no onboarding.
    offline: bool


class OnboardingView(Output):
    url: str
    account_id: str
    charges_enabled: bool


def is_offline(services: Services) -> bool:
    """Which rules apply follows the settings alone, like the choice of gateway."""
    return not services.settings.stripe_secret_key


def format_amount(amount: int, currency: str) -> str:
    if is_zero_decimal(currency):
        return f"{amount} {currency.upper()}"
    return f"{amount // 100}.{amount % 100:02d} {currency.upper()}"


# --- payout accounts -------------------------------------------------------------------------------------


def _country_of(business: Business) -> str | None:
    country = business.address.country
    if country and len(country) == 2 and country.isalpha():
        return country.upper()
    return None


async def _payout_account(services: Services, business: Business, country: str | None) -> PayoutAccount:
    """The business's connected account, created once (the gateway's idempotency key covers racing calls)."""
    repo = services.store.payout_accounts
    existing = await repo.for_business(business.id)
    if existing is not None:
        return existing
    offline = is_offline(services)
    country = country or _country_of(business) or (OFFLINE_COUNTRY if offline else None)
    if country is None:
        raise ValidationFailed(
            "give the country of the business's bank account (ISO 3166-1 alpha-2, e.g. FR)",
            [{"field": "body.country", "message": "required", "type": "missing"}],
        )
    owner = await services.store.users.get(business.owner_id)
    account = await services.payment_gateway.create_connected_account(
        business.id, owner.email if owner else "", country.upper()
    )
    now = services.clock.now()
    record = PayoutAccount(
        id=business.id,
        business_id=business.id,
        account_id=account.id,
        # Offline, onboarding is done the moment it starts; on Stripe, `account.updated` says when.
        charges_enabled=offline,
        payouts_enabled=offline,
        details_submitted=offline,
        created_at=now,
        updated_at=now,
    )
    if not await repo.add(record):
        stored = await repo.for_business(business.id)
        assert stored is not None
        return stored
    return record


async def start_onboarding(
    services: Services, principal: Principal, business_id: str, data: OnboardingInput, default_url: str
) -> OnboardingView:
    business = await owned_business(services, principal, business_id)
    account = await _payout_account(services, business, data.country)
    url = await services.payment_gateway.create_onboarding_link(
        account.account_id, refresh_url=data.refresh_url or default_url, return_url=data.return_url or default_url
    )
    return OnboardingView(url=url, account_id=account.account_id, charges_enabled=account.charges_enabled)


async def get_payouts(services: Services, principal: Principal, business_id: str) -> PayoutView:
    business = await owned_business(services, principal, business_id)
    account = await services.store.payout_accounts.for_business(business.id)
    return PayoutView(
        business_id=business.id,
        account_id=account.account_id if account else None,
        charges_enabled=account.charges_enabled if account else False,
        payouts_enabled=account.payouts_enabled if account else False,
        details_submitted=account.details_submitted if account else False,
        offline=is_offline(services),
    )


async def _charge_account(services: Services, business_id: str) -> PayoutAccount:
    """The account a booking's money goes to; on Stripe only once onboarding enabled charges."""
    account = await services.store.payout_accounts.for_business(business_id)
    if is_offline(services):
        if account is not None:
            return account
        business = await services.store.businesses.get(business_id)
        if business is None:
            raise NotFound("no such business")
        return await _payout_account(services, business, None)
    if account is None or not account.charges_enabled:
        raise Conflict("this business cannot take payments yet: its payout onboarding is not complete")
    return account


async def apply_account_update(services: Services, command: AccountUpdated, event_created: int) -> str:
    """Apply `account.updated` (newest event wins, by Stripe's `created`); returns the outcome."""
    repo = services.store.payout_accounts
    before = await repo.for_account(command.account_id)
    if before is None:
        return "unmatched"
    fields = {
        "chargesEnabled": command.charges_enabled,
        "payoutsEnabled": command.payouts_enabled,
        "detailsSubmitted": command.details_submitted,
    }
    after = await repo.apply_update(command.account_id, fields, event_created, services.clock.now())
    if after is None:
        return "stale"
    if after.charges_enabled and not before.charges_enabled:
        business = await services.store.businesses.get(after.business_id)
        if business is not None:
            await notify(
                services,
                [business.owner_id],
                kind="payouts.enabled",
                title="You can take payments",
                message="Payout onboarding is complete: owners can now pay for your bookings.",
                data={"businessId": business.id},
            )
    return "applied"


# --- payment records -------------------------------------------------------------------------------------

Change = Callable[[Payment], tuple[dict[str, Any], dict[str, Any] | None] | None]


async def _update(services: Services, payment: Payment, change: Change) -> Payment:
    """Compare-and-set `change` onto the record (re-read and recomputed when another writer won)."""
    current = payment
    for _ in range(MAX_CAS_ATTEMPTS):
        delta = change(current)
        if delta is None:
            return current
        fields, push = delta
        updated = await services.store.payments.update_if_version(current, fields, services.clock.now(), push)
        if updated is not None:
            await _announce(services, current, updated)
            return updated
        reread = await services.store.payments.get(payment.id)
        if reread is None:
            raise NotFound("no such payment")
        current = reread
    raise Conflict("the payment is changing too fast; try again")


async def _join(
    services: Services, payment: Payment, state: PaymentState, extra: Mapping[str, Any] | None = None
) -> Payment:
    """Join what we learnt into the record; `extra` fields are written along with a change."""

    def change(current: Payment) -> tuple[dict[str, Any], None] | None:
        joined = current.state.join(state)
        fields: dict[str, Any] = {**state_fields(joined), **(extra or {})}
        doc = current.to_doc()
        if all(doc.get(key) == value for key, value in fields.items()):
            return None
        return fields, None

    return await _update(services, payment, change)


async def _note_error(services: Services, payment: Payment, message: str) -> Payment:
    def change(current: Payment) -> tuple[dict[str, Any], None] | None:
        return None if current.last_error == message else ({"lastError": message}, None)

    return await _update(services, payment, change)


async def _announce(services: Services, before: Payment, after: Payment) -> None:
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
            await notify(services, [after.owner_id], kind=kind, title=title, message=text, data=data)
        if after.state.stage is PaymentStage.SUCCEEDED and before.state.stage is not PaymentStage.SUCCEEDED:
            business = await services.store.businesses.get(after.business_id)
            if business is not None:
                await notify(
                    services,
                    [business.owner_id],
                    kind="payment.payout",
                    title="Payment received",
                    message=f"You will be paid {format_amount(after.payout, currency)} for this booking.",
                    data={**data, "payout": after.payout},
                )
    if after.refunded_amount > before.refunded_amount:
        refunded = after.refunded_amount - before.refunded_amount
        await notify(
            services,
            [after.owner_id],
            kind="payment.refunded",
            title="Refund issued",
            message=f"{format_amount(refunded, currency)} is on its way back to your card.",
            data={**data, "refundedAmount": after.refunded_amount},
        )


async def _gateway_intent(services: Services, payment: Payment) -> Intent:
    """The intent as the gateway has it now. An offline gateway without a journal forgets intents on restart:
    the intent is then created again from the record's amounts, which yields the same id."""
    try:
        return await services.payment_gateway.retrieve_intent(payment.intent_id)
    except NotFound:
        if not is_offline(services):
            raise
    account = await _charge_account(services, payment.business_id)
    return await services.payment_gateway.create_payment_intent(
        payment.booking_id,
        amount=payment.amount,
        currency=payment.currency,
        application_fee=payment.application_fee,
        destination_account=account.account_id,
    )


def _intent_view(payment: Payment, client_secret: str) -> IntentView:
    return IntentView(
        payment_id=payment.id,
        payment_intent_id=payment.intent_id,
        client_secret=client_secret,
        amount=payment.amount,
        application_fee=payment.application_fee,
        currency=payment.currency,
        status=payment.status,
    )


async def create_intent(services: Services, principal: Principal, data: IntentInput) -> IntentView:
    """The booking's payment intent: created on the first call, the same record and intent on every other."""
    principal.require_role(Role.OWNER)
    booking = await services.store.bookings.get(data.booking_id)
    if booking is None or not (principal.is_admin or booking.owner_id == principal.user_id):
        raise NotFound("no such booking")
    existing = await services.store.payments.for_booking(booking.id)
    if existing is not None:
        intent = await _gateway_intent(services, existing)
        existing = await _join(services, existing, state_of_intent(intent))
        return _intent_view(existing, intent.client_secret)
    if booking.status not in PAYABLE_STATUSES:
        raise Conflict(f"a booking that is {booking.status.value} cannot be paid")
    if booking.pricing is None or booking.business_id is None:
        raise Conflict("this booking has no price yet: it is paid once a business takes it")
    account = await _charge_account(services, booking.business_id)
    pricing = booking.pricing
    intent = await services.payment_gateway.create_payment_intent(
        booking.id,
        amount=pricing.total_amount,
        currency=pricing.currency,
        application_fee=pricing.platform_fee,
        destination_account=account.account_id,
    )
    now = services.clock.now()
    pending = Payment(
        id=new_id(),
        booking_id=booking.id,
        business_id=booking.business_id,
        owner_id=booking.owner_id,
        intent_id=intent.id,
        amount=pricing.total_amount,
        application_fee=pricing.platform_fee,
        currency=pricing.currency,
        status=PaymentStatus.PENDING,
        created_at=now,
        updated_at=now,
    )
    try:
        await services.store.payments.add(pending)
    except PaymentExists:
        # A racing first call stored it; the intent is the same one (same idempotency key).
        stored = await services.store.payments.for_booking(booking.id)
        assert stored is not None
        pending = stored
    payment = await _join(services, pending, state_of_intent(intent))
    return _intent_view(payment, intent.client_secret)


async def _business_of(services: Services, principal: Principal) -> str | None:
    if principal.business_id:
        return principal.business_id
    user = await services.store.users.get(principal.user_id)
    return user.business_id if user else None


async def _visible(services: Services, principal: Principal, payment_id: str) -> Payment:
    payment = await services.store.payments.get(payment_id)
    if payment is None:
        raise NotFound("no such payment")
    if principal.is_admin or (principal.role is Role.OWNER and payment.owner_id == principal.user_id):
        return payment
    if principal.role is Role.BUSINESS and may_manage(
        principal, await services.store.businesses.get(payment.business_id)
    ):
        return payment
    raise NotFound("no such payment")


async def get_payment(services: Services, principal: Principal, payment_id: str) -> PaymentView:
    return PaymentView.of(await _visible(services, principal, payment_id))


async def list_payments(services: Services, principal: Principal, query: PaymentQuery) -> tuple[list[PaymentView], int]:
    where: dict[str, Any] = {}
    if principal.role is Role.OWNER:
        where["ownerId"] = principal.user_id
    elif principal.role is Role.BUSINESS:
        where["businessId"] = await _business_of(services, principal) or "-"
    elif not principal.is_admin:
        raise Forbidden("payments are seen by owners, businesses and admins")
    if query.status is not None:
        where["status"] = query.status.value
    if query.booking_id is not None:
        where["bookingId"] = query.booking_id
    items, total = await services.store.payments.page(where, skip=(query.page - 1) * query.limit, limit=query.limit)
    return [PaymentView.of(p) for p in items], total


# --- refunds ---------------------------------------------------------------------------------------------


async def _refund(
    services: Services, payment: Payment, amount: int, *, reason: str, key: str, by: str | None, role: str
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

    payment = await _update(services, payment, reserve)
    try:
        refund = await services.payment_gateway.refund(
            payment.intent_id, payment.booking_id, amount=amount, reason=reason, refund_key=key
        )
    except AppError:
        await _update(services, payment, release)
        raise
    entry = RefundEntry(
        id=refund.id,
        key=key,
        amount=refund.amount,
        reason=reason,
        by=by,
        role=role,
        status=refund.status.value,
        at=services.clock.now(),
    )

    def record(current: Payment) -> tuple[dict[str, Any], dict[str, Any] | None]:
        known = any(r.id == entry.id for r in current.refunds)
        ours = sum(r.amount for r in current.refunds) + (0 if known else entry.amount)
        # A `charge.refunded` webhook may already have counted this refund: the running totals are joined.
        joined = current.state.join(PaymentState(amount_refunded=ours))
        fields = {**state_fields(joined), **release(current)[0]}
        return fields, None if known else {"refunds": entry.model_dump(mode="json", by_alias=True)}

    return await _update(services, payment, record)


async def refund_payment(
    services: Services, principal: Principal, payment_id: str, data: RefundInput, idempotency_key: str | None
) -> PaymentView:
    """A refund by the business or an admin, never above what was captured and not yet refunded."""
    payment = await _visible(services, principal, payment_id)
    if not principal.is_admin and principal.role is not Role.BUSINESS:
        raise Forbidden("refunds are made by the business or an admin")
    amount = data.amount if data.amount is not None else payment.refundable
    if amount == 0:
        raise Conflict("nothing captured is left to refund")
    # Keyed by the client's Idempotency-Key when given, so our own retry after a crash maps to the same refund.
    key = f"manual-{fingerprint([principal.user_id, idempotency_key])[:32]}" if idempotency_key else new_id()
    refunded = await _refund(
        services, payment, amount, reason=data.reason, key=key, by=principal.user_id, role=principal.role.value
    )
    return PaymentView.of(refunded)


# --- the booking lifecycle -------------------------------------------------------------------------------


async def capture_for_booking(services: Services, booking: Booking) -> Payment | None:
    """On completion: capture the authorised amount (the business is paid minus the platform fee)."""
    payment = await services.store.payments.for_booking(booking.id)
    if payment is None:
        return None
    intent = await _gateway_intent(services, payment)
    payment = await _join(services, payment, state_of_intent(intent))
    if payment.captured_amount > 0 or payment.status is PaymentStatus.CANCELED:
        return payment
    if intent.status is not IntentStatus.REQUIRES_CAPTURE:
        return await _note_error(services, payment, f"nothing to capture on completion: the intent is {intent.status}")
    captured = await services.payment_gateway.capture(
        intent.id, booking.id, amount_to_capture=None, application_fee=None
    )
    return await _join(services, payment, state_of_intent(captured), {"capturedFee": payment.application_fee})


async def settle_cancellation(services: Services, booking: Booking) -> Payment | None:
    """On cancellation: execute the refund the booking stored when it was cancelled (see the module doc)."""
    payment = await services.store.payments.for_booking(booking.id)
    if payment is None:
        return None
    cancellation = booking.cancellation
    refund = payment.amount if cancellation is None else min(cancellation.refund_amount, payment.amount)
    intent = await _gateway_intent(services, payment)
    payment = await _join(services, payment, state_of_intent(intent))
    if payment.captured_amount > 0:
        amount = min(refund, payment.refundable)
        if amount == 0:
            return payment
        return await _refund(
            services,
            payment,
            amount,
            reason=f"cancellation: {cancellation.reason}" if cancellation else "cancellation",
            key=CANCELLATION_REFUND_KEY,
            by=cancellation.by if cancellation else None,
            role=cancellation.role if cancellation else "system",
        )
    gateway = services.payment_gateway
    if intent.status is IntentStatus.REQUIRES_CAPTURE:
        keep = min(payment.amount - refund, intent.amount_capturable)
        if keep > 0:
            fee = proportional(payment.application_fee, keep, payment.amount)
            captured = await gateway.capture(intent.id, booking.id, amount_to_capture=keep, application_fee=fee)
            return await _join(services, payment, state_of_intent(captured), {"capturedFee": fee})
        return await _join(services, payment, state_of_intent(await gateway.cancel(intent.id, booking.id)))
    if intent.status in _RELEASABLE:
        return await _join(services, payment, state_of_intent(await gateway.cancel(intent.id, booking.id)))
    if intent.status is IntentStatus.PROCESSING:
        return await _note_error(services, payment, "the payment was still processing at cancellation")
    return payment


async def apply_payment_event(services: Services, event: PaymentEvent) -> str:
    """Fold a verified webhook event into its payment record; returns the outcome."""
    payment = await services.store.payments.for_intent(event.intent_id)
    if payment is None:
        # Intents are created before the owner gets the client secret, so an event for an intent we have no
        # record of is not ours (another integration on the same Stripe account).
        return "unmatched"
    error = (event.message or event.code or "payment failed") if isinstance(event, PaymentAttemptFailed) else None

    def change(current: Payment) -> tuple[dict[str, Any], None] | None:
        joined = reduce_payment_status(current.state, event)
        fields: dict[str, Any] = dict(state_fields(joined))
        if error is not None and joined.status is PaymentStatus.FAILED:
            fields["lastError"] = error
        doc = current.to_doc()
        if all(doc.get(key) == value for key, value in fields.items()):
            return None
        return fields, None

    await _update(services, payment, change)
    return "applied"


class PaymentsListener:
    """The booking lifecycle's money side: it settles a booking that finished (see wire_booking_events).

    A failure here does not undo the booking transition (it is committed): it is logged, kept on the
    payment record as `lastError`, and retried with backoff by the settlement job (app/usecases/scheduled.py);
    after the last try it stays for the business or an admin to settle (e.g. with a refund)."""

    def __init__(self, services: Services) -> None:
        self._services = services

    async def finished(self, event: BookingFinished) -> None:
        booking = event.booking
        try:
            await settle_booking(self._services, booking)
        except AppError as exc:
            await note_settlement_failure(self._services, booking, exc)


async def settle_booking(services: Services, booking: Booking) -> Payment | None:
    """The money side of a booking that ended: capture on completion, the policy's refund on cancellation."""
    if booking.status is BookingStatus.COMPLETED:
        return await capture_for_booking(services, booking)
    if booking.status is BookingStatus.CANCELLED:
        return await settle_cancellation(services, booking)
    return None


async def note_settlement_failure(services: Services, booking: Booking, exc: AppError) -> None:
    """Keep the error on the record (`lastError`) and schedule another try with backoff."""
    log.warning("payment settlement failed", booking_id=booking.id, error=exc.code, message=exc.message)
    payment = await services.store.payments.for_booking(booking.id)
    if payment is None:
        return
    message = f"on {booking.status.value}: {exc.message}"
    now = services.clock.now()

    def change(current: Payment) -> tuple[dict[str, Any], None]:
        retry_at = next_settlement_try(current.settle_attempts + 1, now)
        return {
            "lastError": message,
            "settleAttempts": current.settle_attempts + 1,
            "settleRetryAt": iso(retry_at) if retry_at else None,
        }, None

    await _update(services, payment, change)


async def settlement_retried(services: Services, payment: Payment, error: str | None) -> Payment:
    """A retried settlement went through: nothing left to retry, and the error it left is cleared."""

    def change(current: Payment) -> tuple[dict[str, Any], None]:
        fields: dict[str, Any] = {"settleAttempts": 0, "settleRetryAt": None}
        if current.last_error == error:
            fields["lastError"] = None
        return fields, None

    return await _update(services, payment, change)
