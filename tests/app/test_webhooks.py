"""POST /v1/webhooks/stripe: verified, recorded by event id, applied once, in any order."""

from __future__ import annotations

import itertools
import json
from collections.abc import AsyncIterator
from typing import Any

import pytest

from app.payments.offline_gateway import OfflineGateway
from app.payments.stripe_gateway import StripeGateway
from app.settings import Settings
from tests.app.payments_world import (
    WEBHOOK_SECRET,
    Env,
    intent_object,
    payments_env,
    post_event,
    sign,
    stripe_event,
)


@pytest.fixture
async def env(settings: Settings) -> AsyncIterator[Env]:
    async with payments_env(settings) as env:
        yield env


@pytest.fixture
async def stripe_env(settings: Settings) -> AsyncIterator[Env]:
    """Stripe mode by settings (onboarding rules apply), with the offline gateway standing in for Stripe."""
    async with payments_env(settings, stripe_secret_key="sk_test_walky") as env:
        gateway = env.services.payment_gateway
        assert isinstance(gateway, StripeGateway)
        await gateway.aclose()
        env.services.payment_gateway = OfflineGateway()
        yield env


def _fields(payment: dict[str, Any]) -> tuple[Any, ...]:
    return (payment["status"], payment["authorizedAmount"], payment["capturedAmount"], payment["refundedAmount"])


def _events(booking_id: str, prefix: str) -> list[bytes]:
    return [
        stripe_event(
            f"evt_{prefix}_auth",
            "payment_intent.amount_capturable_updated",
            intent_object(booking_id, amount_capturable=2000, status="requires_capture"),
        ),
        stripe_event(
            f"evt_{prefix}_ok",
            "payment_intent.succeeded",
            intent_object(booking_id, amount_capturable=0, amount_received=2000, status="succeeded"),
        ),
        stripe_event(
            f"evt_{prefix}_refund",
            "charge.refunded",
            {
                "id": f"ch_{booking_id}",
                "object": "charge",
                "payment_intent": f"pi_offline_{booking_id}",
                "amount_captured": 2000,
                "amount_refunded": 500,
            },
        ),
    ]


async def test_forged_missing_and_stale_signatures_change_nothing(env: Env) -> None:
    booking = await env.book()
    await env.pay(booking["id"])
    before = await env.payment_of(booking["id"])
    payload = _events(booking["id"], "forged")[1]
    attempts = [
        await post_event(env.client, payload),
        await post_event(env.client, payload, sign(payload, secret="whsec_attacker")),
        await post_event(env.client, payload, sign(payload, timestamp=1_000_000_000)),
        await post_event(env.client, payload + b" ", sign(payload)),
        await post_event(env.client, payload, "t=1,v1=00"),
    ]
    for response in attempts:
        assert response.status_code == 400, response.text
        assert response.json()["error"]["code"] == "VALIDATION_ERROR"
    assert await env.services.store.webhook_events.get("evt_forged_ok") is None
    assert await env.payment_of(booking["id"]) == before


async def test_webhooks_are_refused_without_a_configured_secret(settings: Settings) -> None:
    async with payments_env(settings, stripe_webhook_secret=None) as env:
        payload = stripe_event("evt_x", "payment_intent.succeeded", intent_object("b"))
        response = await post_event(env.client, payload, sign(payload))
        assert response.status_code == 400


async def test_an_event_is_applied_once_and_replays_change_nothing(env: Env) -> None:
    booking = await env.book()
    await env.pay(booking["id"])
    auth, succeeded, _ = _events(booking["id"], "once")
    first = await post_event(env.client, succeeded, sign(succeeded))
    assert first.status_code == 200, first.text
    assert first.json()["data"] == {"received": True, "eventId": "evt_once_ok", "outcome": "applied"}
    captured = await env.payment_of(booking["id"])
    assert _fields(captured) == ("succeeded", 2000, 2000, 0)
    replay = await post_event(env.client, succeeded, sign(succeeded))
    assert replay.status_code == 200 and replay.json()["data"]["outcome"] == "duplicate"
    # An older event arriving late (and replayed) does not move the payment back.
    for _ in range(2):
        assert (await post_event(env.client, auth, sign(auth))).status_code == 200
    assert await env.payment_of(booking["id"]) == captured
    kinds = await env.notification_types(env.world.owner_headers)
    assert kinds.count("payment.captured") == 1
    stored = await env.services.store.webhook_events.get("evt_once_ok")
    assert stored is not None and stored["state"] == "done" and stored["outcome"] == "applied"


async def test_any_arrival_order_gives_the_same_final_state(env: Env) -> None:
    finals = set()
    for index, order in enumerate(itertools.permutations(range(3))):
        booking = await env.book(hours_ahead=48 + index)
        await env.pay(booking["id"])
        events = _events(booking["id"], f"perm{index}")
        for position in order:
            response = await post_event(env.client, events[position], sign(events[position]))
            assert response.status_code == 200, response.text
        # A duplicate of the first one, last.
        await post_event(env.client, events[order[0]], sign(events[order[0]]))
        finals.add(_fields(await env.payment_of(booking["id"])))
    assert finals == {("partially_refunded", 2000, 2000, 500)}


async def test_a_failed_attempt_does_not_undo_a_success(env: Env) -> None:
    booking = await env.book()
    await env.pay(booking["id"])
    succeeded = _events(booking["id"], "after")[1]
    await post_event(env.client, succeeded, sign(succeeded))
    late_failure = _declined(booking["id"], "evt_late_fail")
    assert (await post_event(env.client, late_failure, sign(late_failure))).status_code == 200
    payment = await env.payment_of(booking["id"])
    assert (payment["status"], payment["lastError"]) == ("succeeded", None)
    assert "payment.failed" not in await env.notification_types(env.world.owner_headers)


async def test_failed_payment_is_recorded_and_notified(env: Env) -> None:
    booking = await env.book()
    await env.pay(booking["id"])
    # Offline intents are authorised at once; put the record back to pending, as a real Stripe one starts.
    record = await env.services.store.payments.for_booking(booking["id"])
    assert record is not None
    fields = {"status": "pending", "authorizedAmount": 0}
    assert await env.services.store.payments.update_if_version(record, fields, env.clock.now()) is not None
    failed = _declined(booking["id"], "evt_declined")
    assert (await post_event(env.client, failed, sign(failed))).status_code == 200
    payment = await env.payment_of(booking["id"])
    assert (payment["status"], payment["lastError"]) == ("failed", "Your card was declined.")
    assert "payment.failed" in await env.notification_types(env.world.owner_headers)


def _declined(booking_id: str, event_id: str) -> bytes:
    error = {"code": "card_declined", "message": "Your card was declined."}
    return stripe_event(event_id, "payment_intent.payment_failed", intent_object(booking_id, last_payment_error=error))


async def test_unknown_events_and_foreign_intents_are_acknowledged(env: Env) -> None:
    other = stripe_event("evt_other", "customer.created", {"id": "cus_1", "object": "customer"})
    response = await post_event(env.client, other, sign(other))
    assert response.status_code == 200 and response.json()["data"]["outcome"] == "ignored"
    foreign = stripe_event(
        "evt_foreign", "payment_intent.succeeded", intent_object("not-ours", amount_received=2000, status="succeeded")
    )
    response = await post_event(env.client, foreign, sign(foreign))
    assert response.status_code == 200 and response.json()["data"]["outcome"] == "unmatched"


async def _account_event(env: Env, event_id: str, account_id: str, enabled: bool, created: int) -> str:
    payload = stripe_event(
        event_id,
        "account.updated",
        {
            "id": account_id,
            "object": "account",
            "charges_enabled": enabled,
            "payouts_enabled": enabled,
            "details_submitted": True,
            "metadata": {"businessId": env.world.business_id},
        },
        created=created,
    )
    response = await post_event(env.client, payload, sign(payload, WEBHOOK_SECRET))
    assert response.status_code == 200, response.text
    outcome: str = response.json()["data"]["outcome"]
    return outcome


async def test_businesses_take_payments_only_after_onboarding(stripe_env: Env) -> None:
    env = stripe_env
    booking = await env.book()
    refused = await env.pay(booking["id"])
    assert refused.status_code == 409 and "onboarding" in refused.json()["error"]["message"]
    url = f"/v1/businesses/{env.world.business_id}/payouts/onboarding"
    # Stripe needs the bank account's country; the test business's address has none.
    missing_country = await env.client.post(url, headers=env.world.business_headers)
    assert missing_country.status_code == 422
    assert (await env.client.post(url, json={"country": "FR"}, headers=env.world.owner_headers)).status_code == 403
    onboarding = await env.client.post(
        url, json={"country": "FR", "returnUrl": "https://app.walky.test/payouts"}, headers=env.world.business_headers
    )
    assert onboarding.status_code == 200, onboarding.text
    data = onboarding.json()["data"]
    assert data["url"] and data["chargesEnabled"] is False
    again = await env.client.post(url, json={"country": "FR"}, headers=env.world.business_headers)
    assert again.json()["data"]["accountId"] == data["accountId"]
    assert (await env.pay(booking["id"])).status_code == 409

    assert await _account_event(env, "evt_acct_2", data["accountId"], True, created=2_000) == "applied"
    # An older event delivered late is stale: charges stay enabled.
    assert await _account_event(env, "evt_acct_1", data["accountId"], False, created=1_000) == "stale"
    status = await env.client.get(f"/v1/businesses/{env.world.business_id}/payouts", headers=env.world.business_headers)
    assert status.json()["data"]["chargesEnabled"] is True and status.json()["data"]["offline"] is False
    paid = await env.pay(booking["id"])
    assert paid.status_code == 200, paid.text
    assert "payouts.enabled" in await env.notification_types(env.world.business_headers)


async def test_offline_onboarding_is_immediate(env: Env) -> None:
    url = f"/v1/businesses/{env.world.business_id}/payouts/onboarding"
    response = await env.client.post(url, headers=env.world.business_headers)
    assert response.status_code == 200, response.text
    data = response.json()["data"]
    assert data["accountId"] == f"acct_offline_{env.world.business_id}" and data["chargesEnabled"] is True
    assert data["url"].endswith(f"/v1/businesses/{env.world.business_id}/payouts")


def test_signature_helper_matches_stripes_scheme() -> None:
    from app.payments.webhooks import verify_event

    body = json.dumps({"id": "evt_h", "type": "x", "created": 1, "data": {"object": {}}}).encode()
    assert verify_event(body, sign(body), WEBHOOK_SECRET).id == "evt_h"
