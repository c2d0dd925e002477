"""Payment, payout account, webhook event, review and rating repositories on every adapter."""

from __future__ import annotations

import asyncio

import pytest

from app.domain.payment_events import PaymentStatus
from app.domain.payments import Payment, PayoutAccount
from app.domain.reviews import Review
from app.store.payments import PaymentExists
from app.store.reviews.reviews import ReviewExists
from app.store.store import Store
from tests.app.marketplace import NOW, business, square


def payment(payment_id: str, booking_id: str) -> Payment:
    return Payment(
        id=payment_id,
        booking_id=booking_id,
        business_id="biz",
        owner_id="ann",
        intent_id=f"pi_{booking_id}",
        amount=2000,
        application_fee=300,
        currency="EUR",
        status=PaymentStatus.REQUIRES_CAPTURE,
        created_at=NOW,
        updated_at=NOW,
    )


async def test_one_payment_per_booking_and_compare_and_set_on_version(store: Store) -> None:
    first = payment("p1", "b1")
    await store.payments.add(first)
    with pytest.raises(PaymentExists):
        await store.payments.add(payment("p2", "b1"))
    assert (await store.payments.for_intent("pi_b1")) == first
    won = await store.payments.update_if_version(first, {"capturedAmount": 2000}, NOW)
    assert won is not None and won.version == 1 and won.captured_amount == 2000
    # Computed from version 0: the stale writer loses.
    assert await store.payments.update_if_version(first, {"capturedAmount": 1}, NOW) is None
    items, total = await store.payments.page({"ownerId": "ann"}, skip=0, limit=10)
    assert total == 1 and items[0].captured_amount == 2000


async def test_payout_accounts_apply_only_newer_events(store: Store) -> None:
    account = PayoutAccount(id="biz", business_id="biz", account_id="acct_1", created_at=NOW, updated_at=NOW)
    assert await store.payout_accounts.add(account)
    assert not await store.payout_accounts.add(account)
    newer = await store.payout_accounts.apply_update("acct_1", {"chargesEnabled": True}, 200, NOW)
    assert newer is not None and newer.charges_enabled
    assert await store.payout_accounts.apply_update("acct_1", {"chargesEnabled": False}, 100, NOW) is None
    stored = await store.payout_accounts.for_account("acct_1")
    assert stored is not None and stored.charges_enabled and stored.last_event_at == 200


async def test_webhook_events_are_recorded_once(store: Store) -> None:
    assert await store.webhook_events.begin("evt_1", "x", None, NOW) is None
    again = await store.webhook_events.begin("evt_1", "x", None, NOW)
    assert again is not None and again["state"] == "processing"
    await store.webhook_events.finish("evt_1", "applied", NOW)
    done = await store.webhook_events.begin("evt_1", "x", None, NOW)
    assert done is not None and done["state"] == "done"


async def test_one_review_per_booking(store: Store) -> None:
    review = Review(
        id="r1", booking_id="b1", business_id="biz", worker_id="w1", author_id="ann", rating=4, created_at=NOW,
        updated_at=NOW,
    )  # fmt: skip
    await store.reviews.add(review)
    with pytest.raises(ReviewExists):
        await store.reviews.add(review.model_copy(update={"id": "r2"}))
    assert not await store.reviews.delete_if("r1", 5)
    assert await store.reviews.delete_if("r1", 4)


async def test_rating_aggregates_are_exact_under_concurrency(store: Store) -> None:
    await store.businesses.add(business(2.35, 48.85, square(2.35, 48.85, 0.05), business_id="biz"))
    stars = [5, 4, 1, 3, 5, 2, 4, 4, 5, 1] * 3
    await asyncio.gather(*(store.businesses.apply_rating("biz", s, 1) for s in stars))
    await asyncio.gather(*(store.businesses.apply_rating("biz", -s, -1) for s in stars[:5]))
    stored = await store.businesses.get("biz")
    assert stored is not None
    kept = stars[5:]
    assert stored.rating.count == len(kept)
    assert stored.rating.average == round(sum(kept) / len(kept), 2)
    assert await store.businesses.apply_rating("missing", 5, 1) is None
