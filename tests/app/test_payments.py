"""Payments on the embedded default (offline gateway): pay, capture on completion, refunds by the policy."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest

from app.domain.base import parse_iso
from app.domain.bookings import Booking
from app.settings import Settings
from app.usecases.payments.settlement import capture_for_booking
from tests.app.marketplace import owner
from tests.app.payments_world import Env, payments_env


@pytest.fixture
async def env(settings: Settings) -> AsyncIterator[Env]:
    async with payments_env(settings) as env:
        yield env


async def test_owner_pays_and_completion_pays_the_business_minus_the_fee(env: Env) -> None:
    booking = await env.book(hours_ahead=0.5)
    paid = await env.pay(booking["id"])
    assert paid.status_code == 200, paid.text
    intent = paid.json()["data"]
    assert intent["paymentIntentId"] == f"pi_offline_{booking['id']}"
    assert intent["clientSecret"].startswith(intent["paymentIntentId"])
    assert (intent["amount"], intent["applicationFee"], intent["currency"]) == (2000, 300, "EUR")
    assert intent["status"] == "requires_capture"
    authorised = await env.payment_of(booking["id"])
    assert (authorised["authorizedAmount"], authorised["capturedAmount"], authorised["payout"]) == (2000, 0, 0)

    await env.walk(booking["id"])
    payment = await env.payment_of(booking["id"])
    assert payment["status"] == "succeeded"
    assert payment["capturedAmount"] == 2000
    assert payment["platformFee"] == 300
    assert payment["payout"] == 1700
    assert payment["refundedAmount"] == 0
    owner_kinds = await env.notification_types(env.world.owner_headers)
    assert {"payment.authorized", "payment.captured"} <= set(owner_kinds)
    assert "payment.payout" in await env.notification_types(env.world.business_headers)
    # The business sees it too; the record is the same one.
    business_view = await env.client.get(f"/v1/payments/{payment['id']}", headers=env.world.business_headers)
    assert business_view.status_code == 200 and business_view.json()["data"]["payout"] == 1700


async def test_one_record_and_one_intent_however_often_the_route_is_called(env: Env) -> None:
    booking = await env.book()
    answers = await asyncio.gather(*(env.pay(booking["id"]) for _ in range(4)))
    assert [a.status_code for a in answers] == [200] * 4
    assert len({a.json()["data"]["paymentIntentId"] for a in answers}) == 1
    assert len({a.json()["data"]["paymentId"] for a in answers}) == 1
    again = await env.pay(booking["id"])
    assert again.json()["data"]["paymentId"] == answers[0].json()["data"]["paymentId"]
    listing = await env.client.get("/v1/payments", headers=env.world.owner_headers)
    assert listing.json()["meta"]["total"] == 1
    # Authorised once: one notification, not one per call.
    kinds = await env.notification_types(env.world.owner_headers)
    assert kinds.count("payment.authorized") == 1


async def test_idempotency_key_replays_the_intent(env: Env) -> None:
    booking = await env.book()
    headers = {**env.world.owner_headers, "Idempotency-Key": "pay-1"}
    first = await env.pay(booking["id"], headers)
    second = await env.pay(booking["id"], headers)
    assert second.headers.get("idempotent-replayed") == "true"
    assert second.json()["data"] == first.json()["data"]


async def test_who_may_pay_and_what(env: Env) -> None:
    booking = await env.book()
    stranger, _ = await owner(env.client, "stranger@example.com")
    assert (await env.pay(booking["id"], stranger)).status_code == 404
    assert (await env.pay(booking["id"], env.world.business_headers)).status_code == 403
    assert (await env.pay("no-such-booking")).status_code == 404
    bad = await env.client.post("/v1/payments/intent", json={}, headers=env.world.owner_headers)
    assert bad.status_code == 422
    cancelled = await env.book()
    await env.cancel(cancelled["id"])
    refused = await env.pay(cancelled["id"])
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "CONFLICT"
    # Payments are private to their parties.
    paid = (await env.pay(booking["id"])).json()["data"]
    assert (await env.client.get(f"/v1/payments/{paid['paymentId']}", headers=stranger)).status_code == 404
    assert (await env.client.get("/v1/payments", headers=stranger)).json()["meta"]["total"] == 0
    business_list = await env.client.get("/v1/payments", headers=env.world.business_headers)
    assert [p["id"] for p in business_list.json()["data"]] == [paid["paymentId"]]


async def _cancel_at(env: Env, notice: timedelta, *, by_business: bool = False) -> dict[str, object]:
    """Book two days ahead, pay, move the clock to `notice` before the start, cancel: the payment after."""
    booking = await env.book(hours_ahead=48)
    assert (await env.pay(booking["id"])).status_code == 200
    env.clock.set(parse_iso(booking["scheduledAt"]) - notice)
    cancelled = await env.cancel(booking["id"], env.world.business_headers if by_business else None)
    payment = await env.payment_of(booking["id"])
    payment["storedRefund"] = cancelled["cancellation"]["refundAmount"]
    return payment


@pytest.mark.parametrize(
    ("notice", "refund", "status", "captured", "fee", "payout"),
    [
        # More than 24 h ahead: everything back, so the authorisation is simply released.
        (timedelta(hours=24, milliseconds=1), 2000, "canceled", 0, 0, 0),
        # Exactly 24 h and exactly 12 h are in the 50% band: half is captured, with half the fee.
        (timedelta(hours=24), 1000, "succeeded", 1000, 150, 850),
        (timedelta(hours=12), 1000, "succeeded", 1000, 150, 850),
        # Under 12 h: nothing back, the whole amount is captured.
        (timedelta(hours=12) - timedelta(milliseconds=1), 0, "succeeded", 2000, 300, 1700),
    ],
)
async def test_cancellation_executes_the_policy(
    env: Env, notice: timedelta, refund: int, status: str, captured: int, fee: int, payout: int
) -> None:
    payment = await _cancel_at(env, notice)
    assert payment["storedRefund"] == refund
    assert payment["status"] == status
    assert payment["capturedAmount"] == captured
    assert payment["platformFee"] == fee
    assert payment["payout"] == payout
    assert payment["refundedAmount"] == 0
    kinds = await env.notification_types(env.world.owner_headers)
    assert ("payment.canceled" in kinds) == (status == "canceled")


async def test_a_business_cancelling_refunds_everything(env: Env) -> None:
    payment = await _cancel_at(env, timedelta(hours=1), by_business=True)
    assert (payment["storedRefund"], payment["status"], payment["capturedAmount"]) == (2000, "canceled", 0)


async def test_cancellation_after_capture_refunds_with_the_gateway(env: Env) -> None:
    booking = await env.book(hours_ahead=48)
    await env.pay(booking["id"])
    stored = await env.services.store.bookings.get(booking["id"])
    assert isinstance(stored, Booking)
    # Captured early (e.g. from the Stripe dashboard): cancelling must now refund, not cancel.
    await capture_for_booking(env.services, stored)
    env.clock.set(parse_iso(booking["scheduledAt"]) - timedelta(hours=24))
    await env.cancel(booking["id"])
    payment = await env.payment_of(booking["id"])
    assert payment["status"] == "partially_refunded"
    assert (payment["capturedAmount"], payment["refundedAmount"]) == (2000, 1000)
    assert [(r["amount"], r["id"]) for r in payment["refunds"]] == [(1000, f"re_offline_{booking['id']}_cancellation")]
    # The fee on the refunded half goes back too: the business keeps half of its payout.
    assert (payment["platformFee"], payment["payout"]) == (150, 850)
    assert "payment.refunded" in await env.notification_types(env.world.owner_headers)


async def test_refunds_by_the_business_never_exceed_what_was_captured(env: Env) -> None:
    booking = await env.book(hours_ahead=0.5)
    await env.pay(booking["id"])
    await env.walk(booking["id"])
    payment_id = (await env.payment_of(booking["id"]))["id"]
    url = f"/v1/payments/{payment_id}/refund"
    biz = env.world.business_headers
    assert (await env.client.post(url, json={"reason": "sorry"}, headers=env.world.owner_headers)).status_code == 403
    assert (await env.client.post(url, json={"amount": 10.5, "reason": "x"}, headers=biz)).status_code == 422
    keyed = {**biz, "Idempotency-Key": "refund-1"}
    first = await env.client.post(url, json={"amount": 500, "reason": "late"}, headers=keyed)
    assert first.status_code == 200, first.text
    replay = await env.client.post(url, json={"amount": 500, "reason": "late"}, headers=keyed)
    assert replay.headers.get("idempotent-replayed") == "true"
    assert replay.json()["data"]["refundedAmount"] == 500
    too_much = await env.client.post(url, json={"amount": 1501, "reason": "x"}, headers=biz)
    assert too_much.status_code == 422 and too_much.json()["error"]["code"] == "VALIDATION_ERROR"
    # Two racing refunds of the whole remainder: exactly one goes through.
    racing = await asyncio.gather(
        *(env.client.post(url, json={"amount": 1500, "reason": "race"}, headers=biz) for _ in range(2))
    )
    assert sorted(r.status_code for r in racing) in ([200, 409], [200, 422])
    final = (await env.client.get(f"/v1/payments/{payment_id}", headers=biz)).json()["data"]
    assert (final["status"], final["capturedAmount"], final["refundedAmount"]) == ("refunded", 2000, 2000)
    assert (final["platformFee"], final["payout"]) == (0, 0)
    nothing_left = await env.client.post(url, json={"reason": "again"}, headers=biz)
    assert nothing_left.status_code == 409


async def test_nothing_captured_cannot_be_refunded(env: Env) -> None:
    booking = await env.book()
    payment_id = (await env.pay(booking["id"])).json()["data"]["paymentId"]
    response = await env.client.post(
        f"/v1/payments/{payment_id}/refund", json={"reason": "x"}, headers=env.world.business_headers
    )
    assert response.status_code == 409


async def test_zero_decimal_currency(env: Env) -> None:
    created = await env.client.post(
        f"/v1/businesses/{env.world.business_id}/services",
        headers=env.world.business_headers,
        json={
            "name": "Tokyo walk",
            "serviceType": "walking",
            "pricing": {"basePrice": 3001, "currency": "JPY", "priceType": "fixed", "additionalPetPrice": 0},
            "duration": 60,
            "petTypes": ["dog"],
            "maxPets": 2,
        },
    )
    assert created.status_code == 201, created.text
    booking = await env.book(hours_ahead=48, service_id=created.json()["data"]["id"])
    intent = (await env.pay(booking["id"])).json()["data"]
    # Whole yen: 15% of 3001 is 450.15, rounded to 450 yen (never multiplied by 100).
    assert (intent["amount"], intent["applicationFee"], intent["currency"]) == (3001, 450, "JPY")
    env.clock.set(parse_iso(booking["scheduledAt"]) - timedelta(hours=12))
    await env.cancel(booking["id"])
    payment = await env.payment_of(booking["id"])
    # 50% of 3001 rounds down to 1500 back: 1501 captured, with the fee scaled to it (225.1 -> 225).
    assert (payment["capturedAmount"], payment["platformFee"], payment["payout"]) == (1501, 225, 1276)
    notes = await env.client.get("/v1/notifications", headers=env.world.owner_headers)
    captured = [n for n in notes.json()["data"] if n["type"] == "payment.captured"]
    # Whole yen, as the owner's locale (en) writes them.
    assert captured and "¥1,501" in captured[0]["message"]


async def test_offline_intents_survive_a_restart_of_the_gateway(env: Env) -> None:
    booking = await env.book(hours_ahead=0.5)
    first = (await env.pay(booking["id"])).json()["data"]
    # The offline gateway's memory is gone (a restart): the intent is re-derived with the same id.
    from app.payments.offline_gateway import OfflineGateway

    env.services.payment_gateway = OfflineGateway()
    again = (await env.pay(booking["id"])).json()["data"]
    assert again["paymentIntentId"] == first["paymentIntentId"]
    await env.walk(booking["id"])
    assert (await env.payment_of(booking["id"]))["capturedAmount"] == 2000
