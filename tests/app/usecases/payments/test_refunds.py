"""Refunds on their ports: bounded by what was captured and not refunded, reserved before the gateway is
asked, released when it refuses, and applied once per key."""

from __future__ import annotations

import asyncio

import pytest

from app.auth.principal import Principal
from app.domain.payment_events import PaymentStatus
from app.domain.users import Role
from app.errors import Conflict, Forbidden, PaymentFailed, ValidationFailed
from app.usecases.payments.refunds import RefundInput, refund, refund_payment
from tests.app.usecases.payments.helpers import AMOUNT, OWNER_ID, Ports, authorized, captured

ADMIN = Principal(user_id="admin1", role=Role.ADMIN)


async def test_a_refund_is_recorded_and_announced_to_the_owner(ports: Ports) -> None:
    payment = await captured(ports, "b1")
    refunded = await refund(ports, payment, 1500, reason="late", key="k1", by="admin1", role="admin")
    assert (refunded.refunded_amount, refunded.reserved_refund) == (1500, 0)
    assert refunded.status is PaymentStatus.PARTIALLY_REFUNDED
    assert [(r.key, r.amount, r.by) for r in refunded.refunds] == [("k1", 1500, "admin1")]
    assert ports.notified() == ["payment.refunded"]


async def test_refunding_everything_makes_the_payment_refunded_and_the_payout_zero(ports: Ports) -> None:
    payment = await captured(ports, "b1")
    refunded = await refund(ports, payment, AMOUNT, reason="no show", key="k1", by=None, role="system")
    assert refunded.status is PaymentStatus.REFUNDED
    assert (refunded.refundable, refunded.platform_fee, refunded.payout) == (0, 0, 0)


async def test_a_refund_above_what_is_left_is_refused_and_reserves_nothing(ports: Ports) -> None:
    payment = await refund(ports, await captured(ports, "b1"), 3000, reason="a", key="k1", by=None, role="admin")
    with pytest.raises(ValidationFailed):
        await refund(ports, payment, 1001, reason="b", key="k2", by=None, role="admin")
    stored = await ports.store.payments.get(payment.id)
    assert stored is not None
    assert (stored.refunded_amount, stored.reserved_refund, len(stored.refunds)) == (3000, 0, 1)


async def test_nothing_captured_cannot_be_refunded(ports: Ports) -> None:
    payment = await authorized(ports, "b1")
    with pytest.raises(Conflict):
        await refund(ports, payment, 100, reason="a", key="k1", by=None, role="admin")


async def test_a_refund_the_gateway_refuses_releases_its_reservation(ports: Ports) -> None:
    payment = await captured(ports, "b1")
    # The same key with other parameters: the gateway refuses it, as Stripe does an idempotency mismatch.
    await refund(ports, payment, 500, reason="first", key="k1", by=None, role="admin")
    with pytest.raises(Conflict):
        await refund(ports, payment, 700, reason="other", key="k1", by=None, role="admin")
    stored = await ports.store.payments.get(payment.id)
    assert stored is not None
    assert (stored.refunded_amount, stored.reserved_refund, stored.refundable) == (500, 0, AMOUNT - 500)


async def test_a_refund_the_card_network_refuses_leaves_the_payment_as_it_was(ports: Ports) -> None:
    payment = await captured(ports, "b1")

    async def refuse(*args: object, **kwargs: object) -> None:
        raise PaymentFailed("refunds are not possible for this card")

    ports.payment_gateway.refund = refuse  # type: ignore[method-assign,assignment]
    with pytest.raises(PaymentFailed):
        await refund(ports, payment, 500, reason="a", key="k1", by=None, role="admin")
    stored = await ports.store.payments.get(payment.id)
    assert stored is not None
    assert (stored.refunded_amount, stored.reserved_refund, stored.refunds) == (0, 0, [])


async def test_concurrent_refunds_never_add_up_to_more_than_was_captured(ports: Ports) -> None:
    payment = await captured(ports, "b1")
    results = await asyncio.gather(
        refund(ports, payment, 3000, reason="a", key="k1", by=None, role="admin"),
        refund(ports, payment, 3000, reason="b", key="k2", by=None, role="admin"),
        return_exceptions=True,
    )
    assert sorted(type(r).__name__ for r in results) == ["Payment", "ValidationFailed"]
    stored = await ports.store.payments.get(payment.id)
    assert stored is not None
    assert (stored.refunded_amount, stored.reserved_refund) == (3000, 0)


async def test_a_repeated_request_with_the_same_idempotency_key_refunds_once(ports: Ports) -> None:
    payment = await captured(ports, "b1")
    data = RefundInput(amount=1000, reason="scratched the door")
    await refund_payment(ports, ADMIN, payment.id, data, "client-key-1")
    view = await refund_payment(ports, ADMIN, payment.id, data, "client-key-1")
    assert (view.refunded_amount, len(view.refunds)) == (1000, 1)


async def test_a_refund_without_an_amount_refunds_all_that_is_left(ports: Ports) -> None:
    payment = await captured(ports, "b1")
    await refund(ports, payment, 1000, reason="a", key="k1", by=None, role="admin")
    view = await refund_payment(ports, ADMIN, payment.id, RefundInput(reason="the rest"), None)
    assert (view.refunded_amount, view.status) == (AMOUNT, PaymentStatus.REFUNDED)


async def test_an_owner_cannot_refund_their_own_payment(ports: Ports) -> None:
    payment = await captured(ports, "b1")
    owner = Principal(user_id=OWNER_ID, role=Role.OWNER)
    with pytest.raises(Forbidden):
        await refund_payment(ports, owner, payment.id, RefundInput(reason="please"), None)


async def test_a_refund_below_the_minimum_charge_is_legitimate(ports: Ports) -> None:
    """Stripe's minimum binds charges, not refunds: a goodwill refund of 10 cents goes through."""
    payment = await captured(ports, "b1")
    view = await refund_payment(ports, ADMIN, payment.id, RefundInput(amount=10, reason="a late minute"), None)
    assert (view.refunded_amount, view.status) == (10, PaymentStatus.PARTIALLY_REFUNDED)
