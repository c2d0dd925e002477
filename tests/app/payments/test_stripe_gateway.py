"""The Stripe adapter, through the real stripe-python stack down to a recording HTTP client."""

from __future__ import annotations

import httpx
import pytest
import stripe

from app.domain.payment_events import Intent, IntentStatus
from app.errors import Conflict, PaymentFailed, Unavailable
from app.payments.gateway import IntentNotFound, Refund, RefundStatus
from app.payments.stripe_gateway import StripeGateway
from tests.app.payments.fake_stripe import (
    CONNECTION_FAILURE,
    ConnectionFailure,
    RecordingHTTPClient,
    Reply,
    Script,
    error,
    intent_json,
)

SECRET_KEY = "sk_test_walky123"
API = "https://api.stripe.com"


def gateway_with(*replies: Reply | ConnectionFailure) -> tuple[StripeGateway, RecordingHTTPClient]:
    http = RecordingHTTPClient(Script(*replies))
    # Default retry configuration on purpose: these tests check the production setting.
    return StripeGateway(SECRET_KEY, http_client=http), http


def create_intent(gateway: StripeGateway, customer_ref: str | None = None):
    return gateway.create_payment_intent(
        "b1",
        amount=2300,
        currency="USD",
        application_fee=345,
        destination_account="acct_123",
        customer_ref=customer_ref,
    )


class TestRequests:
    async def test_create_payment_intent_sends_a_manual_capture_destination_charge(self) -> None:
        gateway, http = gateway_with(Reply(200, intent_json()))

        intent = await create_intent(gateway)

        [request] = http.requests
        assert request.method == "post"
        assert request.url == f"{API}/v1/payment_intents"
        assert request.form == {
            "amount": "2300",
            "currency": "usd",
            "application_fee_amount": "345",
            "transfer_data[destination]": "acct_123",
            "capture_method": "manual",
            "automatic_payment_methods[enabled]": "true",
            "metadata[bookingId]": "b1",
        }
        assert request.headers["Idempotency-Key"] == "booking-b1-intent"
        assert request.headers["Authorization"] == f"Bearer {SECRET_KEY}"
        assert request.headers["Stripe-Version"] == stripe.api_version
        assert request.headers["Content-Type"] == "application/x-www-form-urlencoded"
        assert "Stripe-Account" not in request.headers  # destination charge: created on the platform
        assert intent == Intent(
            id="pi_1",
            client_secret="pi_1_secret_abc",
            status=IntentStatus.REQUIRES_PAYMENT_METHOD,
            amount=2300,
            amount_capturable=0,
            amount_received=0,
            currency="usd",
        )

    async def test_create_payment_intent_attaches_the_customer_when_given(self) -> None:
        gateway, http = gateway_with(Reply(200, intent_json()))
        await create_intent(gateway, customer_ref="cus_9")
        assert http.requests[0].form["customer"] == "cus_9"

    async def test_capture_sends_amount_and_fee_under_the_capture_key(self) -> None:
        captured = intent_json(status="succeeded", amount_received=1150)
        gateway, http = gateway_with(Reply(200, captured))

        intent = await gateway.capture("pi_1", "b1", amount_to_capture=1150, application_fee=173)

        [request] = http.requests
        assert (request.method, request.url) == ("post", f"{API}/v1/payment_intents/pi_1/capture")
        assert request.form == {"amount_to_capture": "1150", "application_fee_amount": "173"}
        assert request.headers["Idempotency-Key"] == "booking-b1-capture"
        assert intent.status is IntentStatus.SUCCEEDED
        assert intent.amount_received == 1150

    async def test_full_capture_sends_no_amounts(self) -> None:
        gateway, http = gateway_with(Reply(200, intent_json(status="succeeded", amount_received=2300)))
        await gateway.capture("pi_1", "b1", amount_to_capture=None, application_fee=None)
        assert http.requests[0].form == {}

    async def test_cancel(self) -> None:
        gateway, http = gateway_with(Reply(200, intent_json(status="canceled")))

        intent = await gateway.cancel("pi_1", "b1")

        [request] = http.requests
        assert (request.method, request.url) == ("post", f"{API}/v1/payment_intents/pi_1/cancel")
        assert request.form == {}
        assert request.headers["Idempotency-Key"] == "booking-b1-cancel"
        assert intent.status is IntentStatus.CANCELED

    async def test_refund_returns_the_fee_and_reverses_the_transfer(self) -> None:
        refund_json = {"id": "re_1", "object": "refund", "amount": 1150, "status": "succeeded", "currency": "usd"}
        gateway, http = gateway_with(Reply(200, refund_json))

        refund = await gateway.refund("pi_1", "b1", amount=1150, reason="owner cancelled", refund_key="cancellation")

        [request] = http.requests
        assert (request.method, request.url) == ("post", f"{API}/v1/refunds")
        assert request.form == {
            "payment_intent": "pi_1",
            "amount": "1150",
            "refund_application_fee": "true",
            "reverse_transfer": "true",
            "metadata[bookingId]": "b1",
            "metadata[reason]": "owner cancelled",
        }
        assert request.headers["Idempotency-Key"] == "booking-b1-refund-cancellation"
        assert refund == Refund(id="re_1", amount=1150, status=RefundStatus.SUCCEEDED)

    async def test_refund_reason_is_cut_to_stripes_metadata_limit(self) -> None:
        refund_json = {"id": "re_1", "object": "refund", "amount": 1, "status": "pending"}
        gateway, http = gateway_with(Reply(200, refund_json))
        refund = await gateway.refund("pi_1", "b1", amount=1, reason="x" * 600, refund_key="k")
        assert http.requests[0].form["metadata[reason]"] == "x" * 500
        assert refund.status is RefundStatus.PENDING

    async def test_retrieve_is_a_get_without_idempotency_key(self) -> None:
        gateway, http = gateway_with(Reply(200, intent_json(status="requires_capture", amount_capturable=2300)))

        intent = await gateway.retrieve_intent("pi_1")

        [request] = http.requests
        assert (request.method, request.url, request.body) == ("get", f"{API}/v1/payment_intents/pi_1", None)
        assert "Idempotency-Key" not in request.headers
        assert intent.status is IntentStatus.REQUIRES_CAPTURE
        assert intent.amount_capturable == 2300

    async def test_create_connected_account_is_express_with_both_capabilities(self) -> None:
        gateway, http = gateway_with(Reply(200, {"id": "acct_9", "object": "account"}))

        account = await gateway.create_connected_account("biz1", "owner@example.com", "us")

        [request] = http.requests
        assert (request.method, request.url) == ("post", f"{API}/v1/accounts")
        assert request.form == {
            "type": "express",
            "email": "owner@example.com",
            "country": "US",
            "capabilities[card_payments][requested]": "true",
            "capabilities[transfers][requested]": "true",
            "metadata[businessId]": "biz1",
        }
        assert request.headers["Idempotency-Key"] == "business-biz1-account"
        assert account.id == "acct_9"

    async def test_onboarding_link_is_a_fresh_account_onboarding_link(self) -> None:
        link = {"object": "account_link", "url": "https://connect.stripe.com/setup/e/acct_9/x", "expires_at": 1}
        gateway, http = gateway_with(Reply(200, link), Reply(200, link))

        url = await gateway.create_onboarding_link("acct_9", "https://walky.test/refresh", "https://walky.test/done")
        await gateway.create_onboarding_link("acct_9", "https://walky.test/refresh", "https://walky.test/done")

        first, second = http.requests
        assert (first.method, first.url) == ("post", f"{API}/v1/account_links")
        assert first.form == {
            "account": "acct_9",
            "type": "account_onboarding",
            "refresh_url": "https://walky.test/refresh",
            "return_url": "https://walky.test/done",
        }
        assert url == "https://connect.stripe.com/setup/e/acct_9/x"
        # A link is single-use, so two requests must not share a key (a replay would return a spent link).
        assert first.headers["Idempotency-Key"] != second.headers["Idempotency-Key"]


class TestRetries:
    async def test_a_500_is_retried_with_the_same_idempotency_key(self) -> None:
        gateway, http = gateway_with(error(500, "boom", type_="api_error"), Reply(200, intent_json()))

        intent = await create_intent(gateway)

        assert intent.id == "pi_1"
        assert [r.headers["Idempotency-Key"] for r in http.requests] == ["booking-b1-intent"] * 2
        assert http.requests[0].body == http.requests[1].body
        assert http.sleeps == [0.5]  # the library's first backoff step

    async def test_a_409_lock_timeout_is_retried(self) -> None:
        gateway, http = gateway_with(
            error(409, "lock timeout", code="lock_timeout"), Reply(200, intent_json(status="canceled"))
        )
        await gateway.cancel("pi_1", "b1")
        assert len(http.requests) == 2

    async def test_persistent_5xx_gives_up_after_three_retries_with_backoff(self) -> None:
        gateway, http = gateway_with(*[error(503, "down", type_="api_error")] * 4)

        with pytest.raises(Unavailable):
            await create_intent(gateway)

        assert len(http.requests) == 4
        assert {r.headers["Idempotency-Key"] for r in http.requests} == {"booking-b1-intent"}
        # Exponential backoff with jitter: 0.5 s, then 0.5-1 s, then 1-2 s.
        first, second, third = http.sleeps
        assert first == 0.5
        assert 0.5 <= second <= 1.0
        assert 1.0 <= third <= 2.0

    async def test_stripe_should_retry_false_is_honoured(self) -> None:
        gateway, http = gateway_with(
            Reply(500, {"error": {"type": "api_error", "message": "no"}}, {"Stripe-Should-Retry": "false"})
        )
        with pytest.raises(Unavailable):
            await create_intent(gateway)
        assert len(http.requests) == 1

    async def test_a_400_is_not_retried_and_carries_stripes_message(self) -> None:
        gateway, http = gateway_with(error(400, "Amount must be at least $0.50 usd", code="amount_too_small"))

        with pytest.raises(PaymentFailed) as raised:
            await create_intent(gateway)

        assert len(http.requests) == 1
        assert http.sleeps == []
        assert raised.value.message == "Amount must be at least $0.50 usd"
        assert raised.value.details == [{"code": "amount_too_small"}]
        assert (raised.value.status, raised.value.code) == (402, "PAYMENT_ERROR")

    async def test_a_card_decline_is_not_retried(self) -> None:
        gateway, http = gateway_with(error(402, "Your card was declined.", type_="card_error", code="card_declined"))

        with pytest.raises(PaymentFailed, match=r"Your card was declined\.") as raised:
            await gateway.capture("pi_1", "b1", amount_to_capture=None, application_fee=None)

        assert len(http.requests) == 1
        assert raised.value.details == [{"code": "card_declined"}]

    async def test_rate_limiting_is_not_retried_and_is_unavailable(self) -> None:
        gateway, http = gateway_with(error(429, "Too many requests", type_="invalid_request_error", code="rate_limit"))
        with pytest.raises(Unavailable):
            await gateway.retrieve_intent("pi_1")
        assert len(http.requests) == 1

    async def test_connection_errors_are_retried_then_unavailable(self) -> None:
        gateway, http = gateway_with(*[CONNECTION_FAILURE] * 4)

        with pytest.raises(Unavailable):
            await gateway.refund("pi_1", "b1", amount=100, reason="r", refund_key="k")

        assert len(http.requests) == 4
        assert {r.headers["Idempotency-Key"] for r in http.requests} == {"booking-b1-refund-k"}
        assert len(http.sleeps) == 3

    async def test_a_connection_error_then_success(self) -> None:
        gateway, http = gateway_with(CONNECTION_FAILURE, Reply(200, intent_json()))
        assert (await create_intent(gateway)).id == "pi_1"
        assert len(http.requests) == 2


class TestErrorMapping:
    async def test_unknown_intent_is_not_found(self) -> None:
        gateway, _ = gateway_with(error(404, "No such payment_intent: 'pi_x'", code="resource_missing"))
        with pytest.raises(IntentNotFound, match="pi_x"):
            await gateway.retrieve_intent("pi_x")

    async def test_a_reused_key_with_other_parameters_is_a_conflict(self) -> None:
        gateway, _ = gateway_with(error(400, "Keys for idempotent requests ...", type_="idempotency_error"))
        with pytest.raises(Conflict):
            await create_intent(gateway)

    async def test_a_refused_api_key_is_unavailable_not_the_customers_fault(self) -> None:
        gateway, http = gateway_with(error(401, "Invalid API Key provided", type_="invalid_request_error"))
        with pytest.raises(Unavailable):
            await create_intent(gateway)
        assert len(http.requests) == 1


class TestProductionWiring:
    async def test_default_http_client_is_httpx_async_and_reaches_stripe(self) -> None:
        seen: list[httpx.Request] = []

        def stripe_api(request: httpx.Request) -> httpx.Response:
            seen.append(request)
            return httpx.Response(200, json=intent_json(status="requires_capture", amount_capturable=2300))

        gateway = StripeGateway(SECRET_KEY)
        http = gateway._http
        assert isinstance(http, stripe.HTTPXClient)
        # Swap the transport under the library's httpx client so no request leaves the process.
        await http._client_async.aclose()
        http._client_async = httpx.AsyncClient(transport=httpx.MockTransport(stripe_api))

        intent = await gateway.retrieve_intent("pi_1")
        await gateway.aclose()

        assert intent.status is IntentStatus.REQUIRES_CAPTURE
        assert str(seen[0].url) == f"{API}/v1/payment_intents/pi_1"
        assert http._client_async.is_closed

    async def test_aclose_closes_an_injected_client(self) -> None:
        gateway, http = gateway_with()
        await gateway.aclose()
        assert http.closed
