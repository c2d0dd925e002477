"""Behaviour every PaymentGateway adapter shares, run on the offline adapter and on the Stripe adapter
(the real stripe-python stack over `FakeStripe`, which simulates Stripe's side)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest

from app.domain.payment_events import Intent, IntentStatus
from app.errors import Conflict, PaymentFailed
from app.payments.gateway import IntentNotFound, PaymentGateway, RefundStatus
from app.payments.offline_gateway import OfflineGateway
from app.payments.stripe_gateway import StripeGateway
from tests.app.payments.fake_stripe import FakeStripe, RecordingHTTPClient


@dataclass
class Adapter:
    gateway: PaymentGateway
    # The owner confirming the payment in their app; offline intents are born authorised.
    authorize: Callable[[Intent], None]


def _offline() -> Adapter:
    return Adapter(OfflineGateway(), lambda intent: None)


def _stripe() -> Adapter:
    fake = FakeStripe()
    gateway = StripeGateway("sk_test_contract", http_client=RecordingHTTPClient(fake))
    return Adapter(gateway, lambda intent: fake.authorize(intent.id))


@pytest.fixture(params=[_offline, _stripe], ids=["offline", "stripe"])
def adapter(request: pytest.FixtureRequest) -> Adapter:
    factory: Callable[[], Adapter] = request.param
    return factory()


async def authorised_intent(adapter: Adapter, booking_id: str = "b1", amount: int = 2300) -> Intent:
    intent = await adapter.gateway.create_payment_intent(
        booking_id, amount=amount, currency="usd", application_fee=345, destination_account="acct_1"
    )
    adapter.authorize(intent)
    return intent


async def captured_intent(adapter: Adapter, amount: int = 2300) -> Intent:
    intent = await authorised_intent(adapter, amount=amount)
    return await adapter.gateway.capture(intent.id, "b1", amount_to_capture=None, application_fee=None)


class TestIntents:
    async def test_creating_twice_for_a_booking_gives_the_same_intent(self, adapter: Adapter) -> None:
        gateway = adapter.gateway
        first = await gateway.create_payment_intent(
            "b1", amount=2300, currency="usd", application_fee=345, destination_account="acct_1"
        )
        again = await gateway.create_payment_intent(
            "b1", amount=2300, currency="usd", application_fee=345, destination_account="acct_1"
        )
        other = await gateway.create_payment_intent(
            "b2", amount=2300, currency="usd", application_fee=345, destination_account="acct_1"
        )
        assert again.id == first.id
        assert again.client_secret == first.client_secret
        assert other.id != first.id
        assert (first.amount, first.currency, first.amount_received) == (2300, "usd", 0)

    async def test_same_booking_with_a_different_amount_is_a_conflict(self, adapter: Adapter) -> None:
        await authorised_intent(adapter)
        with pytest.raises(Conflict):
            await adapter.gateway.create_payment_intent(
                "b1", amount=9999, currency="usd", application_fee=345, destination_account="acct_1"
            )

    async def test_amount_below_stripes_minimum_is_refused(self, adapter: Adapter) -> None:
        with pytest.raises(PaymentFailed):
            await adapter.gateway.create_payment_intent(
                "b1", amount=49, currency="usd", application_fee=0, destination_account="acct_1"
            )

    async def test_authorised_intent_is_capturable(self, adapter: Adapter) -> None:
        intent = await authorised_intent(adapter)
        current = await adapter.gateway.retrieve_intent(intent.id)
        assert current.status is IntentStatus.REQUIRES_CAPTURE
        assert current.amount_capturable == 2300

    async def test_unknown_intent_is_not_found(self, adapter: Adapter) -> None:
        with pytest.raises(IntentNotFound):
            await adapter.gateway.retrieve_intent("pi_unknown")


class TestCapture:
    async def test_full_capture(self, adapter: Adapter) -> None:
        intent = await captured_intent(adapter)
        assert intent.status is IntentStatus.SUCCEEDED
        assert (intent.amount_received, intent.amount_capturable) == (2300, 0)
        assert await adapter.gateway.retrieve_intent(intent.id) == intent

    async def test_partial_capture_releases_the_rest(self, adapter: Adapter) -> None:
        intent = await authorised_intent(adapter)
        captured = await adapter.gateway.capture(intent.id, "b1", amount_to_capture=1150, application_fee=173)
        assert captured.status is IntentStatus.SUCCEEDED
        assert (captured.amount_received, captured.amount_capturable) == (1150, 0)

    async def test_repeating_a_capture_replays_it(self, adapter: Adapter) -> None:
        intent = await authorised_intent(adapter)
        first = await adapter.gateway.capture(intent.id, "b1", amount_to_capture=1150, application_fee=173)
        again = await adapter.gateway.capture(intent.id, "b1", amount_to_capture=1150, application_fee=173)
        assert again == first

    async def test_capturing_more_than_authorised_fails(self, adapter: Adapter) -> None:
        intent = await authorised_intent(adapter)
        with pytest.raises(PaymentFailed):
            await adapter.gateway.capture(intent.id, "b1", amount_to_capture=2301, application_fee=None)

    async def test_capturing_a_canceled_intent_fails(self, adapter: Adapter) -> None:
        intent = await authorised_intent(adapter)
        await adapter.gateway.cancel(intent.id, "b1")
        with pytest.raises(PaymentFailed):
            await adapter.gateway.capture(intent.id, "b1", amount_to_capture=None, application_fee=None)


class TestCancel:
    async def test_cancel_releases_the_authorisation(self, adapter: Adapter) -> None:
        intent = await authorised_intent(adapter)
        canceled = await adapter.gateway.cancel(intent.id, "b1")
        assert canceled.status is IntentStatus.CANCELED
        assert canceled.amount_capturable == 0
        assert (await adapter.gateway.retrieve_intent(intent.id)).status is IntentStatus.CANCELED

    async def test_a_captured_intent_cannot_be_canceled(self, adapter: Adapter) -> None:
        intent = await captured_intent(adapter)
        with pytest.raises(PaymentFailed):
            await adapter.gateway.cancel(intent.id, "b1")


class TestRefunds:
    async def test_refunds_are_bounded_by_what_was_captured(self, adapter: Adapter) -> None:
        intent = await captured_intent(adapter)
        gateway = adapter.gateway

        half = await gateway.refund(intent.id, "b1", amount=1150, reason="late cancel", refund_key="first")
        assert (half.amount, half.status) == (1150, RefundStatus.SUCCEEDED)
        with pytest.raises(PaymentFailed):
            await gateway.refund(intent.id, "b1", amount=1151, reason="too much", refund_key="second")
        rest = await gateway.refund(intent.id, "b1", amount=1150, reason="goodwill", refund_key="third")
        assert rest.id != half.id
        with pytest.raises(PaymentFailed):
            await gateway.refund(intent.id, "b1", amount=1, reason="nothing left", refund_key="fourth")

    async def test_repeating_a_refund_refunds_once(self, adapter: Adapter) -> None:
        intent = await captured_intent(adapter)
        gateway = adapter.gateway
        first = await gateway.refund(intent.id, "b1", amount=2000, reason="cancel", refund_key="cancellation")
        again = await gateway.refund(intent.id, "b1", amount=2000, reason="cancel", refund_key="cancellation")
        assert again == first
        # Had the replay refunded again, nothing would be left; 300 still is.
        await gateway.refund(intent.id, "b1", amount=300, reason="rest", refund_key="rest")

    async def test_a_refund_key_reused_for_another_amount_is_a_conflict(self, adapter: Adapter) -> None:
        intent = await captured_intent(adapter)
        await adapter.gateway.refund(intent.id, "b1", amount=100, reason="r", refund_key="k")
        with pytest.raises(Conflict):
            await adapter.gateway.refund(intent.id, "b1", amount=200, reason="r", refund_key="k")

    async def test_an_uncaptured_intent_cannot_be_refunded(self, adapter: Adapter) -> None:
        intent = await authorised_intent(adapter)
        with pytest.raises(PaymentFailed):
            await adapter.gateway.refund(intent.id, "b1", amount=100, reason="r", refund_key="k")


class TestConnect:
    async def test_one_account_per_business(self, adapter: Adapter) -> None:
        gateway = adapter.gateway
        first = await gateway.create_connected_account("biz1", "owner@example.com", "US")
        again = await gateway.create_connected_account("biz1", "owner@example.com", "US")
        other = await gateway.create_connected_account("biz2", "other@example.com", "US")
        assert again.id == first.id
        assert other.id != first.id
        assert first.id.startswith("acct_")

    async def test_onboarding_link_is_a_url(self, adapter: Adapter) -> None:
        account = await adapter.gateway.create_connected_account("biz1", "owner@example.com", "US")
        url = await adapter.gateway.create_onboarding_link(account.id, "https://w.test/refresh", "https://w.test/done")
        assert url.startswith("https://")
