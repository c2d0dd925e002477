from __future__ import annotations

import itertools
from functools import reduce
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.domain.payment_events import (
    AccountUpdated,
    AuthorizationUpdated,
    ChargeRefunded,
    Command,
    Ignored,
    PaymentAttemptFailed,
    PaymentCanceled,
    PaymentStage,
    PaymentState,
    PaymentStatus,
    PaymentSucceeded,
    reduce_payment_status,
)
from app.payments.events import MalformedEvent, parse_event
from app.payments.webhooks import StripeEvent


def stripe_event(type_: str, obj: dict[str, Any], account: str | None = "acct_9") -> StripeEvent:
    return StripeEvent(id="evt_1", type=type_, created=1, data_object=obj, account=account, livemode=False)


def intent_object(**overrides: Any) -> dict[str, Any]:
    return {
        "id": "pi_1",
        "object": "payment_intent",
        "amount": 2300,
        "amount_capturable": 0,
        "amount_received": 0,
        "currency": "usd",
        "metadata": {"bookingId": "b1"},
        "last_payment_error": None,
        "cancellation_reason": None,
        "status": "requires_payment_method",
        **overrides,
    }


class TestParse:
    def test_amount_capturable_updated(self) -> None:
        event = stripe_event(
            "payment_intent.amount_capturable_updated", intent_object(status="requires_capture", amount_capturable=2300)
        )
        assert parse_event(event) == AuthorizationUpdated("pi_1", "b1", amount=2300, amount_capturable=2300)

    def test_succeeded(self) -> None:
        event = stripe_event("payment_intent.succeeded", intent_object(status="succeeded", amount_received=1150))
        assert parse_event(event) == PaymentSucceeded("pi_1", "b1", amount=2300, amount_received=1150)

    def test_payment_failed_carries_stripes_reason(self) -> None:
        error = {"type": "card_error", "code": "card_declined", "message": "Your card was declined."}
        event = stripe_event("payment_intent.payment_failed", intent_object(last_payment_error=error))
        assert parse_event(event) == PaymentAttemptFailed("pi_1", "b1", "card_declined", "Your card was declined.")

    def test_payment_failed_without_details(self) -> None:
        assert parse_event(stripe_event("payment_intent.payment_failed", intent_object())) == PaymentAttemptFailed(
            "pi_1", "b1", None, None
        )

    def test_canceled(self) -> None:
        event = stripe_event(
            "payment_intent.canceled", intent_object(status="canceled", cancellation_reason="abandoned")
        )
        assert parse_event(event) == PaymentCanceled("pi_1", "b1", "abandoned")

    def test_charge_refunded(self) -> None:
        charge = {
            "id": "ch_1",
            "object": "charge",
            "payment_intent": "pi_1",
            "amount": 2300,
            "amount_captured": 2300,
            "amount_refunded": 1150,
            "refunded": False,
            "metadata": {"bookingId": "b1"},
        }
        assert parse_event(stripe_event("charge.refunded", charge)) == ChargeRefunded(
            "ch_1", "pi_1", "b1", amount_captured=2300, amount_refunded=1150
        )

    def test_charge_refunded_without_booking_metadata_is_routed_by_intent(self) -> None:
        charge = {"id": "ch_1", "payment_intent": "pi_1", "amount_captured": 2300, "amount_refunded": 2300}
        command = parse_event(stripe_event("charge.refunded", charge))
        assert isinstance(command, ChargeRefunded)
        assert (command.intent_id, command.booking_id) == ("pi_1", None)

    def test_account_updated(self) -> None:
        account = {
            "id": "acct_9",
            "object": "account",
            "charges_enabled": True,
            "payouts_enabled": False,
            "details_submitted": True,
            "metadata": {"businessId": "biz1"},
        }
        assert parse_event(stripe_event("account.updated", account)) == AccountUpdated(
            "acct_9", "biz1", charges_enabled=True, payouts_enabled=False, details_submitted=True
        )

    @pytest.mark.parametrize(
        ("type_", "obj"),
        [
            ("customer.created", {"id": "cus_1"}),
            ("payment_intent.created", intent_object()),
            ("payment_intent.processing", intent_object()),
            # Unhandled types are not validated, so a shape we do not read cannot fail them.
            ("payment_intent.requires_action", {"id": "pi_1"}),
            # Not created by Walky: no bookingId.
            ("payment_intent.succeeded", intent_object(metadata={})),
            # A charge without an intent (not one of ours).
            ("charge.refunded", {"id": "ch_1", "payment_intent": None, "amount_refunded": 5}),
        ],
    )
    def test_everything_else_is_ignored(self, type_: str, obj: dict[str, Any]) -> None:
        assert parse_event(stripe_event(type_, obj)) == Ignored(type_)

    @pytest.mark.parametrize(
        ("type_", "obj"),
        [
            ("payment_intent.succeeded", {"id": "pi_1"}),
            ("payment_intent.succeeded", intent_object(amount="lots")),
            ("charge.refunded", {"payment_intent": "pi_1"}),
            ("account.updated", {"charges_enabled": True}),
        ],
    )
    def test_an_object_missing_what_we_read_is_malformed(self, type_: str, obj: dict[str, Any]) -> None:
        with pytest.raises(MalformedEvent, match=type_):
            parse_event(stripe_event(type_, obj))


def fold(events: list[Command], start: PaymentState | None = None) -> PaymentState:
    return reduce(reduce_payment_status, events, start or PaymentState())


AUTH = AuthorizationUpdated("pi_1", "b1", 2300, 2300)
SUCCEEDED = PaymentSucceeded("pi_1", "b1", 2300, 2300)
HALF_REFUNDED = ChargeRefunded("ch_1", "pi_1", "b1", 2300, 1150)
FULLY_REFUNDED = ChargeRefunded("ch_1", "pi_1", "b1", 2300, 2300)
FAILED = PaymentAttemptFailed("pi_1", "b1", "card_declined", "declined")
CANCELED = PaymentCanceled("pi_1", "b1", "requested_by_customer")

amounts = st.integers(min_value=0, max_value=100_000)
commands: st.SearchStrategy[Command] = st.one_of(
    st.builds(AuthorizationUpdated, st.just("pi_1"), st.just("b1"), amounts, amounts),
    st.builds(PaymentSucceeded, st.just("pi_1"), st.just("b1"), amounts, amounts),
    st.builds(PaymentAttemptFailed, st.just("pi_1"), st.just("b1"), st.none(), st.none()),
    st.builds(PaymentCanceled, st.just("pi_1"), st.just("b1"), st.none()),
    st.builds(ChargeRefunded, st.just("ch_1"), st.just("pi_1"), st.just("b1"), amounts, amounts),
    st.builds(AccountUpdated, st.just("acct_1"), st.none(), st.booleans(), st.booleans(), st.booleans()),
    st.builds(Ignored, st.just("customer.created")),
)


class TestReduce:
    def test_the_happy_path(self) -> None:
        assert fold([AUTH]).status is PaymentStatus.REQUIRES_CAPTURE
        assert fold([AUTH, SUCCEEDED]).status is PaymentStatus.SUCCEEDED
        assert fold([AUTH, SUCCEEDED, HALF_REFUNDED]).status is PaymentStatus.PARTIALLY_REFUNDED
        final = fold([AUTH, SUCCEEDED, HALF_REFUNDED, FULLY_REFUNDED])
        assert final == PaymentState(PaymentStage.SUCCEEDED, 2300, 2300, 2300)
        assert final.status is PaymentStatus.REFUNDED

    def test_every_order_of_a_full_history_ends_refunded(self) -> None:
        history: list[Command] = [AUTH, SUCCEEDED, HALF_REFUNDED, FULLY_REFUNDED]
        finals = {fold(list(order)) for order in itertools.permutations(history)}
        assert len(finals) == 1
        assert finals.pop().status is PaymentStatus.REFUNDED

    def test_a_late_authorisation_does_not_undo_a_capture(self) -> None:
        assert fold([SUCCEEDED, AUTH]).status is PaymentStatus.SUCCEEDED

    def test_a_refund_arriving_first_implies_the_capture(self) -> None:
        state = fold([HALF_REFUNDED])
        assert state.status is PaymentStatus.PARTIALLY_REFUNDED
        assert state.amount_received == 2300

    def test_a_retry_after_a_failed_attempt_wins_in_either_order(self) -> None:
        assert fold([FAILED, AUTH]) == fold([AUTH, FAILED])
        assert fold([AUTH, FAILED]).status is PaymentStatus.REQUIRES_CAPTURE

    def test_cancellation_after_authorisation(self) -> None:
        assert fold([CANCELED, AUTH]).status is PaymentStatus.CANCELED
        assert fold([AUTH, CANCELED]).status is PaymentStatus.CANCELED

    def test_non_payment_commands_leave_the_state_alone(self) -> None:
        state = fold([AUTH])
        assert reduce_payment_status(state, Ignored("customer.created")) == state
        assert reduce_payment_status(state, AccountUpdated("acct_1", None, True, True, True)) == state

    @given(st.data(), st.lists(commands, max_size=8))
    def test_any_arrival_order_gives_the_same_state(self, data: st.DataObject, events: list[Command]) -> None:
        shuffled = data.draw(st.permutations(events))
        assert fold(list(shuffled)) == fold(events)

    @given(st.lists(commands, max_size=8))
    def test_duplicate_deliveries_change_nothing(self, events: list[Command]) -> None:
        assert fold(events + events) == fold(events)

    @given(st.lists(commands, max_size=8), st.lists(commands, max_size=8))
    def test_folding_is_associative(self, first: list[Command], second: list[Command]) -> None:
        assert fold(second, fold(first)) == fold(first).join(fold(second))

    @given(st.lists(commands, min_size=1, max_size=10))
    def test_once_captured_never_back_to_capturable(self, events: list[Command]) -> None:
        state = PaymentState()
        captured = False
        for event in events:
            previous = state
            state = reduce_payment_status(state, event)
            assert state.stage >= previous.stage
            assert state.amount_received >= previous.amount_received
            assert state.amount_refunded >= previous.amount_refunded
            captured = captured or state.stage is PaymentStage.SUCCEEDED
            if captured:
                assert state.status not in {PaymentStatus.REQUIRES_CAPTURE, PaymentStatus.PENDING}
