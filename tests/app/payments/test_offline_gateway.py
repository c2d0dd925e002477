"""What only the offline adapter promises; shared behaviour is in test_gateway_contract.py."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.domain.payment_events import IntentStatus
from app.errors import Conflict, PaymentFailed
from app.payments.gateway import IntentNotFound
from app.payments.offline_gateway import OfflineGateway


async def create(gateway: OfflineGateway, booking_id: str = "b1", amount: int = 2300, currency: str = "usd"):
    return await gateway.create_payment_intent(
        booking_id, amount=amount, currency=currency, application_fee=amount // 10, destination_account="acct_1"
    )


async def test_ids_derive_from_ours() -> None:
    gateway = OfflineGateway()
    intent = await create(gateway)
    assert intent.id == "pi_offline_b1"
    assert intent.client_secret == "pi_offline_b1_secret_offline"
    assert (await gateway.create_connected_account("biz1", "o@example.com", "US")).id == "acct_offline_biz1"
    await gateway.capture(intent.id, "b1", amount_to_capture=None, application_fee=None)
    refund = await gateway.refund(intent.id, "b1", amount=100, reason="r", refund_key="cancellation")
    assert refund.id == "re_offline_b1_cancellation"


async def test_an_intent_is_authorised_on_creation() -> None:
    intent = await create(OfflineGateway())
    assert intent.status is IntentStatus.REQUIRES_CAPTURE
    assert intent.amount_capturable == 2300


async def test_onboarding_returns_straight_to_the_app() -> None:
    gateway = OfflineGateway()
    assert await gateway.create_onboarding_link("acct_offline_biz1", "https://w.test/r", "https://w.test/done") == (
        "https://w.test/done"
    )


async def test_currency_is_normalised_and_zero_decimal_minimums_are_whole_units() -> None:
    gateway = OfflineGateway()
    assert (await create(gateway, currency="JPY", amount=50)).currency == "jpy"
    with pytest.raises(PaymentFailed, match="at least 50 jpy"):
        await create(gateway, booking_id="b2", currency="jpy", amount=49)


async def test_a_fee_above_the_amount_is_refused() -> None:
    with pytest.raises(PaymentFailed, match="application fee"):
        await OfflineGateway().create_payment_intent(
            "b1", amount=100, currency="usd", application_fee=101, destination_account="acct_1"
        )


async def test_a_capture_key_reused_with_other_amounts_is_a_conflict() -> None:
    gateway = OfflineGateway()
    intent = await create(gateway)
    await gateway.capture(intent.id, "b1", amount_to_capture=1000, application_fee=150)
    with pytest.raises(Conflict):
        await gateway.capture(intent.id, "b1", amount_to_capture=2000, application_fee=300)


async def test_a_fee_above_the_captured_amount_is_refused() -> None:
    gateway = OfflineGateway()
    intent = await create(gateway)
    with pytest.raises(PaymentFailed, match="application fee"):
        await gateway.capture(intent.id, "b1", amount_to_capture=100, application_fee=101)


async def test_state_is_memory_only_and_an_intent_is_re_derived_by_creating_it_again() -> None:
    before = await create(OfflineGateway())
    restarted = OfflineGateway()
    with pytest.raises(IntentNotFound):
        await restarted.retrieve_intent(before.id)
    again = await create(restarted)
    assert again == before
    captured = await restarted.capture(again.id, "b1", amount_to_capture=None, application_fee=None)
    assert captured.amount_received == 2300


async def test_state_survives_a_restart_through_the_journal(tmp_path: Path) -> None:
    from app.store.schema import OFFLINE_PAYMENTS
    from app.store.sqlite.backend import SqliteBackend

    backend = SqliteBackend(tmp_path / "offline.sqlite3")
    await backend.setup()
    try:
        first = OfflineGateway(journal=backend.collection(OFFLINE_PAYMENTS))
        await first.start()
        intent = await first.create_payment_intent(
            "b1", amount=2000, currency="eur", application_fee=300, destination_account="acct_offline_x"
        )
        await first.capture(intent.id, "b1", amount_to_capture=None, application_fee=None)
        await first.refund(intent.id, "b1", amount=500, reason="late", refund_key="r1")

        restarted = OfflineGateway(journal=backend.collection(OFFLINE_PAYMENTS))
        await restarted.start()
        stored = await restarted.retrieve_intent(intent.id)
        assert (stored.status, stored.amount_received) == (IntentStatus.SUCCEEDED, 2000)
        # Replays answer as before the restart; a different request under a used key is still refused.
        again = await restarted.create_payment_intent(
            "b1", amount=2000, currency="eur", application_fee=300, destination_account="acct_offline_x"
        )
        assert again == intent
        assert (await restarted.refund(intent.id, "b1", amount=500, reason="late", refund_key="r1")).amount == 500
        with pytest.raises(Conflict):
            await restarted.refund(intent.id, "b1", amount=400, reason="late", refund_key="r1")
        # What was refunded before the restart still counts against what is left.
        with pytest.raises(PaymentFailed):
            await restarted.refund(intent.id, "b1", amount=1600, reason="more", refund_key="r2")
        assert (await restarted.refund(intent.id, "b1", amount=1500, reason="rest", refund_key="r3")).amount == 1500
    finally:
        await backend.close()
